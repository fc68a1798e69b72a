/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { NewCompanyForm } from '../../../protocol/company-forms.js';
import type { Core } from '../../core/context.js';
import { createCompanyFor } from '../../core/organisation/index.js';
import { type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { csrfValid, pageLanguage, type SessionOf, sameOrigin, type WebSession } from '../web-session.js';
import {
  codeOf,
  companyTabPage,
  dataErrors,
  type Err,
  Field,
  LIMITS,
  type Status,
} from './company-shared.js';

/**
 * New company (seed L29-32, L280, L285-287): from the innovaphone account ID (the customer number) and
 * its postal code, whose record then always gives the company's data, or with the data typed in. The
 * creator is its admin and the session selects it at once. Open to every user, with or without
 * companies; the API twin is POST /api/v1/companies (createCompanyFor with select).
 */
export type NewCompanyInput = Partial<Omit<NewCompanyForm, 'csrf'>>;

export function companyNewPages(app: Hono, core: Core, session: SessionOf) {
  app.get('/company/new', async (c) => renderNew(c, core, await session(c), {}, []));

  app.post('/company/new', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = NewCompanyForm.parse(await c.req.parseBody());
    const { csrf: _, ...input } = form;
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return renderNew(c, core, s, input, [{ text: t(lang, 'sessionExpired') }], 403);
    const errors = inputErrors(lang, form);
    if (errors.length) return renderNew(c, core, s, input, errors, 400);
    try {
      await createCompanyFor(
        core,
        s.actor,
        form.via === 'account'
          ? { vendorAccountId: form.accountId, postalCode: form.accountPostalCode }
          : {
              name: form.name,
              street: form.street,
              postalCode: form.postalCode,
              city: form.city,
              country: form.country,
            },
        { select: true },
      );
    } catch (e) {
      const code = codeOf(e);
      if (code === 'VENDOR_ACCOUNT_NOT_FOUND')
        return renderNew(
          c,
          core,
          s,
          input,
          [{ field: 'accountId', text: t(lang, 'companyAccountUnknown') }],
          400,
        );
      if (code === 'VENDOR_ACCOUNT_TAKEN')
        return renderNew(
          c,
          core,
          s,
          input,
          [{ field: 'accountId', text: t(lang, 'companyAccountTaken') }],
          409,
        );
      if (code === 'VALIDATION_FAILED')
        return renderNew(c, core, s, input, [{ field: 'name', text: t(lang, 'companyNameRequired') }], 400);
      throw e;
    }
    return c.redirect('/company?done=created', 303);
  });
}

function inputErrors(lang: Lang, f: NewCompanyForm): Err[] {
  if (f.via === 'data') return dataErrors(lang, f);
  const errors: Err[] = [];
  if (!f.accountId) errors.push({ field: 'accountId', text: t(lang, 'companyAccountIdRequired') });
  else if (f.accountId.length > 50)
    errors.push({ field: 'accountId', text: t(lang, 'companyTooLong', { max: 50 }) });
  if (!f.accountPostalCode)
    errors.push({ field: 'accountPostalCode', text: t(lang, 'companyAccountPostalRequired') });
  else if (f.accountPostalCode.length > LIMITS.postalCode)
    errors.push({ field: 'accountPostalCode', text: t(lang, 'companyTooLong', { max: LIMITS.postalCode }) });
  return errors;
}

function renderNew(
  c: Context,
  core: Core,
  s: WebSession,
  input: NewCompanyInput,
  errors: Err[],
  status: Status = 200,
) {
  return companyTabPage(
    c,
    core,
    s,
    { title: 'companyNewTitle', path: '/company/new' },
    async ({ lang }) => (
      <>
        <p class="lead">{t(lang, 'companyNewIntro')}</p>
        <ErrorSummary lang={lang} errors={errors} />
        <NewCompanyForms lang={lang} csrf={s.csrf} input={input} errors={errors} />
        <p>
          <a href="/company">{t(lang, 'companyBack')}</a>
        </p>
      </>
    ),
    status,
  );
}

/** The two ways to create a company, side by side; also on /company for a user without a company. */
export function NewCompanyForms(p: {
  lang: Lang;
  csrf: string;
  input: NewCompanyInput;
  errors: readonly Err[];
}) {
  const { lang, input } = p;
  const mine = (via: 'account' | 'data') => ((input.via ?? 'data') === via ? p.errors : []);
  return (
    <div class="company-new">
      <form class="card" method="post" action="/company/new" novalidate>
        <h2>{t(lang, 'companyFromAccountTitle')}</h2>
        <p class="hint">{t(lang, 'companyFromAccountHint')}</p>
        <input type="hidden" name="csrf" value={p.csrf} />
        <input type="hidden" name="via" value="account" />
        <Field
          id="accountId"
          label={t(lang, 'companyAccountId')}
          value={input.accountId ?? ''}
          maxlength={50}
          autocomplete="off"
          errors={mine('account')}
        />
        <Field
          id="accountPostalCode"
          label={t(lang, 'companyAccountPostalCode')}
          value={input.accountPostalCode ?? ''}
          maxlength={LIMITS.postalCode}
          autocomplete="postal-code"
          errors={mine('account')}
        />
        <button type="submit" class="primary">
          {t(lang, 'companyCreateFromAccount')}
        </button>
      </form>
      <form class="card" method="post" action="/company/new" novalidate>
        <h2>{t(lang, 'companyByHandTitle')}</h2>
        <input type="hidden" name="csrf" value={p.csrf} />
        <input type="hidden" name="via" value="data" />
        <CompanyDataFields lang={lang} input={input} errors={mine('data')} />
        <button type="submit" class="primary">
          {t(lang, 'companyCreate')}
        </button>
      </form>
    </div>
  );
}

/** Name and address inputs, for a new company and for changing the data. */
export function CompanyDataFields(p: {
  lang: Lang;
  input: { name?: string; street?: string; postalCode?: string; city?: string; country?: string };
  errors: readonly Err[];
}) {
  const { lang, input, errors } = p;
  return (
    <>
      <Field
        id="name"
        label={t(lang, 'companyName')}
        value={input.name ?? ''}
        maxlength={LIMITS.name}
        autocomplete="organization"
        errors={errors}
      />
      <Field
        id="street"
        label={t(lang, 'companyStreet')}
        value={input.street ?? ''}
        maxlength={LIMITS.street}
        autocomplete="street-address"
        errors={errors}
      />
      <Field
        id="postalCode"
        label={t(lang, 'companyPostalCode')}
        value={input.postalCode ?? ''}
        maxlength={LIMITS.postalCode}
        autocomplete="postal-code"
        errors={errors}
      />
      <Field
        id="city"
        label={t(lang, 'companyCity')}
        value={input.city ?? ''}
        maxlength={LIMITS.city}
        autocomplete="address-level2"
        errors={errors}
      />
      <Field
        id="country"
        label={t(lang, 'companyCountry')}
        value={input.country ?? ''}
        maxlength={LIMITS.country}
        autocomplete="country-name"
        errors={errors}
      />
    </>
  );
}
