/** The stylesheet rules of the history-search pages, appended to the portal's one stylesheet (layout.tsx). */
export const historySearchCss = `
form.history-filter,form.search-page{max-width:640px}
.history-filter fieldset{border:0;padding:0;margin:14px 0 0}
.history-filter legend{font-weight:600;padding:0;margin-bottom:4px}
.history-filter .choice{display:flex;gap:8px;align-items:center}
.history-filter .choice label{font-weight:400;margin:2px 0}
.history-dates{display:flex;flex-wrap:wrap;gap:0 16px}.history-dates .hint,.history-dates .message{flex-basis:100%}
.history-dates .hint{margin-top:4px}
section.history,section.search-group{margin-top:28px}
section.history h2,section.search-group h2{font-size:20px;margin:0 0 4px}
table.history-events td.when,table.history-events td.device,table.search-devices td.device{white-space:nowrap}
.history-pages{display:flex;gap:16px;align-items:center;margin-top:12px}
form.search-page{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
form.search-page div{flex:1 1 16em}form.search-page input[type=search]{width:100%;padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px}
.field-error input[type=search]{border-color:var(--bad)}table.history-events td.actor{white-space:nowrap}form.search-page button.primary{margin-top:0}
.tag.rma{background:#fbe9e7;color:var(--bad)}
`;
