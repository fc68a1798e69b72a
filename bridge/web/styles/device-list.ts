/** The stylesheet rules of the device-list pages, appended to the portal's one stylesheet (layout.tsx). */
export const deviceListCss = '';
