import * as z from 'zod';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The Account pages' form posts (bridge/web/accounts/settings-pages.tsx, tokens-pages.tsx), parsed like
 * every other page form (portal-forms.ts): a field a browser did not send, or sent in an odd shape,
 * reads as empty and the page answers with that field's sentence. Every form carries the current
 * password (seed: "You always have to enter your current password to change your data").
 */
const text = (max: number) => z.string().trim().max(max).catch('');
/** A checkbox: sent ("on") or not. */
const checkbox = z
  .unknown()
  .transform((v) => v === 'on')
  .catch(false);

export const AccountDataForm = CsrfForm.extend({
  currentPassword: field(1024),
  name: text(200),
  /** Longer than the 50 characters the account holds: the page says so instead of cutting it. */
  phone: text(1000),
  language: field(5),
  mailOptIn: checkbox,
});

export const AccountPasswordForm = CsrfForm.extend({
  currentPassword: field(1024),
  newPassword: field(1024),
  newPasswordAgain: field(1024),
});

export const AccountEmailForm = CsrfForm.extend({
  currentPassword: field(1024),
  newEmail: text(320),
});

export const ApiTokenForm = CsrfForm.extend({
  currentPassword: field(1024),
  label: text(101),
  /** The checked scopes: one value or several; unknown ones are dropped by the page. */
  scopes: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().max(32)).max(20))
    .catch([]),
});
