import * as z from 'zod';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The form posts of the company pages (bridge/web/organisation/company-*.tsx, seed: Company → Users,
 * Join, Company, New Company). Text fields are read with room above their limits so that the page can
 * say "at most N characters" next to the field instead of silently clearing a value that is too long;
 * a field in an odd shape (several values, far too long) reads as empty, as everywhere in portal-forms.
 */
const text = field(2000);
const trimmed = z.string().trim().max(2000).catch('');
/** A checkbox: ticked when the browser sent it with the value the page gave it. */
const ticked = z
  .string()
  .transform((v) => v === 'yes')
  .catch(false);

export const CompanyDataForm = CsrfForm.extend({
  name: trimmed,
  street: trimmed,
  postalCode: trimmed,
  city: trimmed,
  country: trimmed,
});
export type CompanyDataForm = z.infer<typeof CompanyDataForm>;

/** New company: `via` says which of the page's two forms was sent (the vendor account, or the data). */
export const NewCompanyForm = CompanyDataForm.extend({
  via: z.enum(['account', 'data']).catch('data'),
  accountId: trimmed,
  accountPostalCode: trimmed,
});
export type NewCompanyForm = z.infer<typeof NewCompanyForm>;

export const AddMemberForm = CsrfForm.extend({
  email: z.string().trim().max(320).catch(''),
  admin: ticked,
});

/** One change of a user's flags from the users table. */
export const MemberChangeForm = CsrfForm.extend({
  change: z.enum(['grantAdmin', 'revokeAdmin', 'lock', 'unlock']).optional().catch(undefined),
});

export const JoinCompanyForm = CsrfForm.extend({
  companyId: z.string().trim().max(20).catch(''),
  email: z.string().trim().max(320).catch(''),
  password: text,
  confirm: ticked,
});
export type JoinCompanyForm = z.infer<typeof JoinCompanyForm>;
