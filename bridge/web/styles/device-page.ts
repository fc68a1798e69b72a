/** The stylesheet rules of the device page and its license pages, appended to the portal's one stylesheet (layout.tsx). */
export const devicePageCss = `
.device-page section{margin:0 0 28px}
.device-id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}
.device-facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.device-facts dt{font-weight:600}.device-facts dd{margin:0}
.device-links{list-style:none;padding:0;display:flex;gap:24px;flex-wrap:wrap}
.device-licenses th[scope=row],.device-offer th[scope=row]{font-weight:400;font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.device-offer input[type=number]{width:6em}
.device-confirmations{padding-left:20px}
.device-check{display:flex;gap:8px;align-items:baseline;margin:8px 0}.device-check label{margin:0;font-weight:400}
`;
