import * as z from 'zod';
import { WholeText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The device page's certificate, test license and unencrypted-download forms
 * (bridge/web/devices/device-certificate.tsx), read like every other portal form (portal-forms.ts): an
 * odd shape reads as empty (a number as null), never a crash.
 */
const number = (min: number, max: number) => WholeText(min, max).nullable().catch(null);
const checked = z.literal('1').optional().catch(undefined);

export const CertRequestForm = CsrfForm;

export const TestLicenseForm = CsrfForm.extend({
  version: number(5, 14),
  slave: checked,
  /** Kept as typed, for the page to show again; read as a number by the page. */
  pbx: field(10),
});

export const PlainDownloadForm = CsrfForm.extend({
  version: number(8, 14),
  acceptNonReturnable: checked,
});
