import * as z from 'zod';
import { CsrfForm, field } from './portal-forms.js';

/** The forms of a project's Import from the old license manager (bridge/web/organisation/import-page.tsx). */
export const ImportLoginForm = CsrfForm.extend({
  email: z.string().trim().max(320).catch(''),
  password: field(1024),
});

/** The chosen devices (one checkbox each, `device`), with the old account's log-in token. */
export const ImportConfirmForm = CsrfForm.extend({
  token: field(100),
  device: z
    .preprocess(
      (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.string().max(40)).max(5000),
    )
    .catch([]),
});

export const ImportMacForm = CsrfForm.extend({ mac: z.string().trim().max(40).catch('') });
