import * as z from 'zod';
import { IdText, WholeText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The device page's form posts (bridge/web/devices/device-page.tsx), read like every other portal form
 * (portal-forms.ts): a field missing or in an odd shape reads as empty (a number as null), never a crash.
 */
const number = (min: number, max: number) => WholeText(min, max).nullable().catch(null);
const many = (max: number, each: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().max(each)).max(max))
    .catch([]);
const checked = z.literal('1').optional().catch(undefined);
/** The SSC total the page showed, or -1 (none shown: nothing is paid). */
const shownTotal = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number)
  .catch(-1);

export const DeviceDownloadForm = CsrfForm.extend({
  version: number(5, 14),
  /** The checkbox under the warning that V5–V7 licenses become non-returnable. */
  acceptNonReturnable: checked,
});

export const DeviceRmaForm = CsrfForm.extend({ reason: field(2000) });

export const DeviceWarrantyForm = CsrfForm.extend({
  years: number(1, 4),
  type: z.enum(['early', 'late']).optional().catch(undefined),
});

export const DeviceMoveForm = CsrfForm.extend({
  projectId: IdText.nullable().catch(null),
  expectedTotal: shownTotal,
});

export const DeviceLicenseMoveForm = CsrfForm.extend({
  target: field(40),
  /** The checkbox: the device becomes an RMA device. */
  confirm: checked,
});

/** Add licenses from balance: the version, the summate choice and one units field per license type. */
export const DeviceBalanceForm = CsrfForm.extend({
  version: number(5, 14),
  summate: checked,
  type: many(100, 40),
  units: many(100, 7),
  expectedTotal: shownTotal,
});

export const DeviceFreeForm = CsrfForm.extend({
  version: number(5, 14),
  serial: many(200, 60),
  expectedTotal: shownTotal,
});
