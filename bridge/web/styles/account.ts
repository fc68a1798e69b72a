/** The stylesheet rules of the account pages, appended to the portal's one stylesheet (layout.tsx). */
export const accountCss = '';
