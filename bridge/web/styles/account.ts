/** The stylesheet rules of the account pages, appended to the portal's one stylesheet (layout.tsx). */
export const accountCss = `
.account-nav ul{list-style:none;margin:0 0 16px;padding:0;display:flex;gap:20px;border-bottom:1px solid var(--line)}
.account-nav a{display:inline-block;padding:6px 2px;color:var(--ink);text-decoration:none;border-bottom:3px solid transparent}
.account-nav a[aria-current]{border-bottom-color:var(--brand);font-weight:600}
.account-forms{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.account-forms section{flex:1 1 320px;max-width:440px}.account-forms h2{font-size:20px;margin:8px 0}
form.card fieldset{border:0;padding:0;margin:14px 0 0}form.card legend{font-weight:600;padding:0;margin-bottom:4px}
.check{display:flex;gap:8px;align-items:flex-start;margin:4px 0}.check input{margin-top:5px}
.check label{font-weight:400;margin:0}
.token-made{max-width:640px;margin-bottom:16px}
input.token-value{width:100%;padding:8px 10px;font:15px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border:2px solid var(--brand);border-radius:4px;background:var(--bg)}
table.tokens td form{margin:0}table.tokens button.secondary{margin-top:0;padding:4px 10px;font-size:14px}
table.tokens .tag{margin:0 4px 2px 0}
`;
