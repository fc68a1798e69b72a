import { defineMessages } from '../define-messages.js';

/** The texts of the devices list and adding devices in the five languages (see define-messages.ts). */
export const deviceListMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
