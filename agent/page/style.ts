import { createHash } from 'node:crypto';

/** The page's whole stylesheet, inline; the Content-Security-Policy allows exactly this text by its hash. */
export const CSS = `
:root{--ink:#1d2733;--muted:#5b6877;--line:#d9dee5;--bg:#f2f4f7;--card:#fff;--brand:#0b5cab;--brand-d:#084a8a;--ok:#1e7f3c;--ok-bg:#e7f5ec;--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4d6;--info-bg:#e8f1fb}
*{box-sizing:border-box}
html{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0}
header.top{background:#17212b;color:#fff;padding:10px 24px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header.top .product{font-weight:700;letter-spacing:.02em}
header.top .dev{color:#c5d0db}
nav.crumbs{background:#fff;border-bottom:1px solid var(--line);padding:8px 24px;color:var(--muted)}
nav.crumbs b{color:var(--ink)}
main{max-width:1160px;margin:0 auto;padding:18px 24px 40px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px;align-items:start}
.wide{grid-column:1/-1}
section.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:14px 18px 16px}
section.card>h2{font-size:15px;margin:0 0 10px;padding-bottom:8px;border-bottom:1px solid var(--line);display:flex;justify-content:space-between;align-items:center;gap:8px}
h3{font-size:13px;margin:14px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;word-break:break-all}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:#f8f9fb}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge.bad{background:var(--bad-bg);color:var(--bad)}
.badge.test{background:var(--warn-bg);color:var(--warn)}
.badge.muted{background:#eef0f3;color:var(--muted)}
.muted{color:var(--muted)}
.fix{color:var(--ink)}
.box{border-radius:6px;padding:10px 14px;margin:0 0 14px;border:1px solid}
.box.error{background:var(--bad-bg);border-color:#f3b8b2;color:#5f1610}
.box.ok{background:var(--ok-bg);border-color:#b5dfc3;color:#0f4222}
.box.warn{background:var(--warn-bg);border-color:#f0d489;color:#4d3300}
.box.info{background:var(--info-bg);border-color:#b9d3ef;color:#0b2f55}
.box .code{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700;margin-right:8px}
.box p{margin:4px 0}
.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.between{justify-content:space-between}
form{margin:0}
form.stack{display:grid;gap:8px;max-width:420px}
label{display:grid;gap:3px;font-weight:600;font-size:13px}
label.inline{display:flex;gap:6px;align-items:center;font-weight:400}
label small{font-weight:400;color:var(--muted)}
input[type=text],input[type=email],input[type=password],input[type=url],input[type=number],select{font:inherit;font-weight:400;padding:6px 8px;border:1px solid #b8c1cc;border-radius:4px;background:#fff;min-width:0}
input[type=file]{font:inherit;font-weight:400}
#checks td:first-child{white-space:nowrap}
button,summary.btn{font:inherit;font-weight:600;cursor:pointer;border-radius:4px;padding:6px 14px;border:1px solid var(--brand);background:var(--brand);color:#fff;display:inline-block;list-style:none}
summary.btn::-webkit-details-marker{display:none}
button:hover,summary.btn:hover{background:var(--brand-d)}
button.secondary{background:#fff;color:var(--brand)}
button.secondary:hover{background:var(--info-bg)}
button.danger{background:var(--bad);border-color:var(--bad)}
details.invalidate[open]>summary{margin-bottom:10px}
.panel{border:1px dashed var(--line);border-radius:6px;padding:10px 12px;background:#fafbfc}
ul.plain{margin:4px 0 8px;padding-left:18px}
.sep{border:0;border-top:1px solid var(--line);margin:14px 0}
footer{color:var(--muted);text-align:center;font-size:12px;margin-top:20px}
`;

export const CSS_HASH = `sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}`;
