import * as z from 'zod';
import { IdText } from './ids.js';

/**
 * The portal pages' form posts (bridge/web), parsed here like every other input. A form field a
 * browser did not send, or sent in a shape no page's form has (several values, far too long), reads as
 * empty: the page then answers with the sentence for that field ("Enter your e-mail address", "The
 * summary has changed …"), never with an error dump, and nothing is done with the odd value.
 */
export const field = (max: number) => z.string().max(max).catch('');

export const CsrfForm = z.object({ csrf: field(100) });

export const LoginForm = z.object({ email: z.string().trim().max(320).catch(''), password: field(1024) });

export const SsaConfirmForm = CsrfForm.extend({
  endDate: field(10),
  /** The total the page showed; absent or not a whole number: -1, which no summary has. */
  expectedTotal: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .catch(-1),
  /** Serials left out: one value or several. */
  optOut: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().max(64)).max(1000))
    .catch([]),
});

export const KeyForm = CsrfForm.extend({
  key: z.string().trim().max(64).catch(''),
  projectId: IdText.optional().catch(undefined),
  comment: field(500),
});
export type KeyForm = z.infer<typeof KeyForm>;

/** The company selector at the top right (seed L300): the company and the page to return to. */
export const CompanySelectForm = CsrfForm.extend({
  companyId: IdText.optional().catch(undefined),
  next: field(500),
});
