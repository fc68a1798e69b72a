import * as z from 'zod';
import { IdText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The form posts and query strings of the Free licenses and Own Activations pages (bridge/web/licenses,
 * bridge/web/keys). As in portal-forms.ts, an odd shape reads as empty: the page then answers with the
 * sentence for that field, never with an error dump.
 */

/** A field sent once or several times (checkboxes, table rows): always a list, at most `count` values. */
export const many = (max: number, count = 200) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().max(max)).max(count))
    .catch([]);

/** A whole number the page showed (a total, a version); absent or not a whole number: -1. */
const shown = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number)
  .catch(-1);

/** Free licenses chosen in the list: their serials and, for the conversion, `serial:version` pairs. */
export const FreeSelectionQuery = z.object({
  serial: many(64),
  version: many(80),
});

/** Convert free licenses to balance: the selection and the SSC total the preview showed. */
export const FreeConvertForm = CsrfForm.extend({
  serial: many(64),
  version: many(80),
  expectedSsc: shown,
});

/** Assign free licenses to a device: the selection, the device, the version and, under SSA, the total shown. */
export const FreeAssignForm = CsrfForm.extend({
  serial: many(64),
  deviceId: IdText.optional().catch(undefined),
  version: shown,
  ssaTotal: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .optional()
    .catch(undefined),
});

/** A new own key: the paying project, one row per license type (type and units in document order), texts. */
export const OwnKeyForm = CsrfForm.extend({
  projectId: IdText.optional().catch(undefined),
  type: many(64, 100),
  units: many(12, 100),
  comment: field(500),
  orderNumber: field(100),
  orderReference: field(100),
});
export type OwnKeyForm = z.infer<typeof OwnKeyForm>;
