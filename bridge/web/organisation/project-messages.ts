import { defineMessages } from '../define-messages.js';

/** The texts of the organisation pages in the five languages (see define-messages.ts). */
export const projectMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
