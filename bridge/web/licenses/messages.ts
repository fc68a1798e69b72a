import { defineMessages } from '../define-messages.js';

/** The texts of the licenses pages in the five languages (see define-messages.ts). */
export const freeLicenseMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
