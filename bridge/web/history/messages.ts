import { defineMessages } from '../define-messages.js';

/** The texts of the history pages in the five languages (see define-messages.ts). */
export const historyMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
