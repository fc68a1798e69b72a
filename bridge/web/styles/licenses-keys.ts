/** The stylesheet rules of the licenses-keys pages, appended to the portal's one stylesheet (layout.tsx). */
export const licensesKeysCss = '';
