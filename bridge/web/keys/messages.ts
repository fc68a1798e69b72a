import { defineMessages } from '../define-messages.js';

/** The texts of the keys pages in the five languages (see define-messages.ts). */
export const ownKeyMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
