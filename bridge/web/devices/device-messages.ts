import { defineMessages } from '../define-messages.js';

/** The texts of the devices pages in the five languages (see define-messages.ts). */
export const deviceMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
