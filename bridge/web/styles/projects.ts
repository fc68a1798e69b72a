/** The stylesheet rules of the projects pages, appended to the portal's one stylesheet (layout.tsx). */
export const projectsCss = '';
