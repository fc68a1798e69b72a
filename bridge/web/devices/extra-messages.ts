import { defineMessages } from '../define-messages.js';

/**
 * The texts of the devices menu's further pages (warranty extensions for a project, the status of a
 * device outside your projects) in the five languages (see define-messages.ts).
 */
export const deviceExtraMessages = defineMessages({
  en: {},
  de: {},
  it: {},
  nl: {},
  fr: {},
});
