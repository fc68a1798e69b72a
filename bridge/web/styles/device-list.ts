/** The stylesheet rules of the device-list pages, appended to the portal's one stylesheet (layout.tsx). */
export const deviceListCss = `
.dl-filter{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;margin:12px 0}
.dl-filter label{margin-top:0}.dl-filter button.primary{margin-top:0}
.dl-filter input[type=search]{padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px;width:16em}
.dl-links{display:flex;flex-wrap:wrap;gap:18px;margin:8px 0}.dl-filter.dl-order{margin-top:28px;border-top:1px solid var(--line);padding-top:12px}.dl-filter.dl-order button.secondary{margin-top:0}
tr.dl-rma .dl-name,tr.dl-rma th a{color:#b00020;font-weight:600}
.tag.dl-rma-tag{background:#fde7ea;color:#8a0019}.tag.dl-warn-tag{background:#fdf0e6;color:#7a3e00}
.dl-inline{display:inline;margin:0}button.dl-small{font:inherit;padding:4px 10px;border-radius:4px;border:2px solid var(--brand);background:#fff;color:var(--brand);cursor:pointer}
section.confirm form a{margin-left:12px}.dl-pager{display:flex;gap:18px;margin:12px 0}.dl-table code,.da-result code{white-space:nowrap}
fieldset.dl-batch{margin-top:16px;border:1px solid var(--line);border-radius:8px;padding:12px 16px;display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end}
fieldset.dl-batch legend{font-weight:600}fieldset.dl-batch label{margin-top:0}fieldset.dl-batch button{margin-top:0}
.da-forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px;margin-top:12px}
.da-forms form.card{max-width:none}.da-forms h2{font-size:18px;margin:0}
input[type=file]{font:inherit;margin-top:4px}.da-note{margin:0}
td.da-added{color:#1b5e20;font-weight:600}td.da-refused{color:#b00020;font-weight:600}td.da-there{color:#7a3e00;font-weight:600}
`;
