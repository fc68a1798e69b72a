/** The stylesheet rules of the projects pages, appended to the portal's one stylesheet (layout.tsx). */
export const projectsCss = `
.proj-selection{display:flex;align-items:center;gap:16px;flex-wrap:wrap}.proj-selection p{margin:8px 0}
form.proj-inline{display:inline;margin:0}form.proj-inline button.secondary{margin-top:0}
button.proj-name{background:none;border:0;padding:0;font:inherit;font-weight:600;color:var(--brand);text-decoration:underline;cursor:pointer;text-align:left}
table.proj-list tbody th{font-weight:400}tr.proj-selected{background:#eef5fc}
table.proj-balance,table.proj-rights{width:auto;min-width:360px}table.proj-rights+form.card{margin-top:16px}
dl.proj-facts{display:grid;align-items:center;grid-template-columns:max-content 1fr;gap:6px 16px;margin:12px 0}dl.proj-facts dt{font-weight:600}dl.proj-facts dd{margin:0}
form.card textarea{width:100%;padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px}
.field-error textarea{border-color:var(--bad)}
button.proj-danger{color:var(--bad);border-color:var(--bad)}
`;
