import { defineMessages } from '../define-messages.js';

/** The texts of the account settings pages in the five languages (see define-messages.ts). */
export const accountMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
