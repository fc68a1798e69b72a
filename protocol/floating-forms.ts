import * as z from 'zod';
import { CsrfForm } from './portal-forms.js';

/**
 * The V7 floating license forms of the device page (bridge/web/devices/device-floating.tsx), read like
 * every other portal form (portal-forms.ts): an odd shape reads as empty, never a crash.
 */
export const FloatingAddForm = CsrfForm;

/** Delete: the confirmation checkbox must be ticked ('1'); anything else reads as not ticked. */
export const FloatingDeleteForm = CsrfForm.extend({
  confirm: z.literal('1').optional().catch(undefined),
});
