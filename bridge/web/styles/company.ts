/** The stylesheet rules of the company pages, appended to the portal's one stylesheet (layout.tsx). */
export const companyCss = '';
