import { defineMessages } from '../define-messages.js';

/** The texts of the V7 floating license on the device page in the five languages (see define-messages.ts). */
export const floatingMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
