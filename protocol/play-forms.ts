import * as z from 'zod';
import { IdText, WholeText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The form posts of myplay, the sandbox portal (bridge/web/play), read like every other portal form
 * (portal-forms.ts): a field missing or in an odd shape reads as empty (a number as null), never a crash.
 */
const number = (max: number) => WholeText(1, max).nullable().catch(null);
const many = (max: number, each: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().max(each)).max(max))
    .catch([]);

/** Balance: a license type from the dropdown and the amount (seed L336). */
export const PlayBalanceForm = CsrfForm.extend({
  projectId: IdText.nullable().catch(null),
  type: field(40),
  units: number(100_000),
});

/** Add a license to the device: a type from the dropdown and its units. */
export const PlayLicenseAddForm = CsrfForm.extend({ type: field(40), units: number(10_000) });

/** Change an existing license: which one (dropdown) and its new units. */
export const PlayLicenseChangeForm = CsrfForm.extend({ serial: field(64), units: number(10_000) });

/** Checkbox editing via list (seed L346–348): the ticked licenses and D, B or F. */
export const PlayLicenseEditForm = CsrfForm.extend({
  serial: many(1000, 64),
  action: z.enum(['D', 'B', 'F']).nullable().catch(null),
});

/** The device's RMA status (seed L350): requested or arrived, with a reason. */
export const PlayRmaForm = CsrfForm.extend({
  state: z.enum(['requested', 'arrived']).nullable().catch(null),
  reason: field(2000),
});
