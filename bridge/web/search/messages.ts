import { defineMessages } from '../define-messages.js';

/** The texts of the search pages in the five languages (see define-messages.ts). */
export const searchMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
