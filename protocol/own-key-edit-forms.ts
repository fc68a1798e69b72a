import * as z from 'zod';
import { IdText } from './ids.js';
import { many } from './licenses-keys-forms.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The forms of an own key's page (bridge/web/keys/own-key-edit-page.tsx; seed: Own Activations, Update
 * and Delete, L115-122). As in portal-forms.ts, an odd shape reads as empty: the page then answers with
 * the sentence for that field, never with an error dump.
 */

/** A project picked in a select: its id, or empty for "where the key's licenses came from". */
const projectChoice = IdText.optional().catch(undefined);

/**
 * Update: one row per license type (type and change in document order: "3" adds, "-2" takes back), the
 * project whose balance pays for added units and receives returned ones, and the key's texts.
 */
export const OwnKeyUpdateForm = CsrfForm.extend({
  projectId: projectChoice,
  type: many(64, 100),
  change: many(12, 100),
  comment: field(500),
  orderNumber: field(100),
  orderReference: field(100),
});
export type OwnKeyUpdateForm = z.infer<typeof OwnKeyUpdateForm>;

/** Delete: the project receiving the licenses and the ticked confirmation. */
export const OwnKeyDeleteForm = CsrfForm.extend({
  projectId: projectChoice,
  confirm: z.literal('yes').optional().catch(undefined),
});
export type OwnKeyDeleteForm = z.infer<typeof OwnKeyDeleteForm>;
