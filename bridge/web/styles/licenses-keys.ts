/**
 * The stylesheet rules of the licenses-keys pages (Free licenses, Own activations, the license
 * certificate), appended to the portal's one stylesheet (layout.tsx). The certificate prints alone:
 * @media print hides the portal's header, menu and the page's own links on a page that holds one.
 */
export const licensesKeysCss = `
.free-actions{display:flex;gap:12px;flex-wrap:wrap;align-items:baseline}
.free-actions button{margin-top:16px}
.free-scope,.key-scope{margin:8px 0}
th.serial,table.keys code{white-space:nowrap}
form.key-search button,form.free-filter button,form.key-project button{margin-top:0;vertical-align:middle}
.tag.lost{background:#fdf0e6;color:#8a4500}
form.free-filter,form.key-search,form.key-project{margin-top:16px}
form.free-filter input[type=text]{max-width:24em}
form.free-assign fieldset{border:1px solid var(--line);border-radius:8px;padding:8px 16px 12px;margin:16px 0 0;max-width:640px}
form.free-assign legend{font-weight:600;padding:0 4px}
form.free-assign .choice{display:flex;gap:8px;align-items:baseline}
form.free-assign .choice label{font-weight:400;margin:4px 0}
fieldset.field-error{border-color:var(--bad)}
details.key-create{margin:20px 0;border:1px solid var(--line);border-radius:8px;padding:8px 16px 16px;max-width:760px}
details.key-create summary{font-weight:600;cursor:pointer;padding:4px 0}
form.key-form input.units{width:7em;padding:6px 8px;font:inherit;border:2px solid #8a96a3;border-radius:4px;text-align:right}
form.key-form tr.field-error input.units{border-color:var(--bad)}
form.key-form input[type=text]:not(.units){max-width:32em}
form.key-search input[type=search]{padding:6px 8px;font:inherit;border:2px solid #8a96a3;border-radius:4px;width:20em}
.field-error input[type=search]{border-color:var(--bad)}
table.keys code,.cert-key{font-family:"DejaVu Sans Mono","Courier New",monospace;letter-spacing:.04em}
dl.key-facts,dl.key-texts,dl.cert-facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 20px;margin:16px 0}
dl.key-facts dt,dl.key-texts dt,dl.cert-facts dt{font-weight:600}
dl.key-facts dd,dl.key-texts dd,dl.cert-facts dd{margin:0}
article.certificate{max-width:170mm;border:1px solid var(--line);border-radius:8px;padding:16px 24px;margin-top:12px}
article.certificate .cert-key{font-size:20px;white-space:nowrap}
article.certificate table{margin-top:8px}
p.cert-foot{color:var(--muted);font-size:14px;margin-top:24px}
p.cert-actions{margin-top:16px}
@media print{
  body:has(article.certificate) :is(.skip,header.top,nav.tabs,p.cert-actions){display:none}
  body:has(article.certificate) main{max-width:none;padding:0}
  body:has(article.certificate) h1{font-size:20pt;border-bottom:2px solid #111;padding-bottom:4mm}
  article.certificate{border:0;padding:0;max-width:none;color:#111}
  article.certificate th{background:none}
  @page{size:A4;margin:20mm}
}
`;
