/** The stylesheet rules of the device-page pages, appended to the portal's one stylesheet (layout.tsx). */
export const devicePageCss = '';
