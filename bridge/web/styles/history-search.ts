/** The stylesheet rules of the history-search pages, appended to the portal's one stylesheet (layout.tsx). */
export const historySearchCss = '';
