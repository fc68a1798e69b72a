import { defineMessages } from '../define-messages.js';

/** The texts of the company pages in the five languages (see define-messages.ts). */
export const companyMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
