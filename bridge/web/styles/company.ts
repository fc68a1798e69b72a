/** The stylesheet rules of the company pages, appended to the portal's one stylesheet (layout.tsx). */
export const companyCss = `
dl.company-data{display:grid;grid-template-columns:max-content 1fr;gap:6px 20px;margin:12px 0}
dl.company-data dt{font-weight:600}dl.company-data dd{margin:0}
dl.company-data .company-id{font-size:20px;margin-right:10px}dl.company-data .hint{color:var(--muted);font-size:14px}
table.company-users td,table.company-users th{vertical-align:middle}
tr.locked td,tr.locked th{color:var(--muted)}
div.company-actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
form.inline{display:inline;margin:0}form.inline button.secondary{margin-top:0;padding:4px 10px;font-size:14px}
form.company-add{margin-top:20px}form.card h2,form.card h3{margin-top:0;font-size:18px}
.checkbox{display:flex;gap:8px;align-items:center;margin-top:14px}.checkbox label{margin:0;font-weight:400;flex:1}
.checkbox input{width:20px;height:20px}.checkbox .message{flex-basis:100%}.checkbox.field-error{flex-wrap:wrap}
.company-new{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.company-new form.card{flex:1 1 340px}
nav.company-more ul{list-style:none;padding:0;display:flex;gap:24px;margin-top:24px}
section.confirm .warning{margin:12px 0}
`;
