/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import { AccountDataForm, AccountEmailForm, AccountPasswordForm } from '../../../protocol/account-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import { changeEmail, getProfile, updateProfile, type ProfileChange } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { isLang, LANGUAGES, MESSAGES, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  rememberLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import {
  accountPage,
  clientAddress,
  CurrentPassword,
  FieldError,
  passwordError,
  type Err,
  type Status,
} from './settings-shell.js';
import { tokenPages } from './tokens-pages.js';

/**
 * Account (seed L296-298: "Here you can change your personal data, password etc. You always have to
 * enter your current password to change your data. If you change your email address, you'll have to
 * activate your account again."; L71: every user chooses in the account settings whether they get the
 * SSA expiry mails). Three forms, each with the current password: personal data (name, phone, language
 * of the pages and mails, the mails), the password (the other sessions and the API tokens end), and the
 * e-mail address (a confirmation link to the new one; the account keeps its address until it is
 * followed). The same core services as `PATCH /api/v1/account` and `POST /api/v1/account/email`. The
 * API tokens are the second page (tokens-pages.tsx).
 */
export function accountSettingsPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get('/account', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const done = c.req.query('done');
    return render(c, core, s, lang, { done });
  });

  app.post('/account/data', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const form = AccountDataForm.parse(await c.req.parseBody());
    const data = { name: form.name, phone: form.phone, language: form.language, mailOptIn: form.mailOptIn };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, lang, { data, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors: Err[] = [
      ...(form.name ? [] : [{ field: 'data-name', text: t(lang, 'nameRequired') }]),
      ...(form.phone.length > 50 ? [{ field: 'data-phone', text: t(lang, 'accountPhoneTooLong') }] : []),
      ...(isLang(form.language) ? [] : [{ field: 'data-language', text: t(lang, 'accountLanguageInvalid') }]),
      ...(form.currentPassword
        ? []
        : [{ field: 'data-current', text: t(lang, 'accountCurrentPasswordMissing') }]),
    ];
    if (errors.length || !isLang(form.language)) return render(c, core, s, lang, { data, errors }, 400);
    // Only what changed goes to the core (and to the history), but the password is asked for every time.
    const before = await getProfile(core, s.actor);
    const change: ProfileChange = {
      currentPassword: form.currentPassword,
      ...(form.name !== before.name ? { name: form.name } : {}),
      ...(form.phone !== before.phone ? { phone: form.phone } : {}),
      ...(form.language !== before.language ? { language: form.language } : {}),
      ...(form.mailOptIn !== before.mailOptIn ? { mailOptIn: form.mailOptIn } : {}),
    };
    try {
      await updateProfile(core, s.actor, change, clientAddress(c));
    } catch (e) {
      const failed = passwordError(c, lang, e, 'data-current');
      if (!failed) throw e;
      return render(c, core, s, lang, { data, errors: failed.errors }, failed.status);
    }
    // The pages speak the account's language from the next one on.
    rememberLanguage(c, form.language);
    return c.redirect('/account?done=data', 303);
  });

  app.post('/account/password', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const form = AccountPasswordForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, lang, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors: Err[] = [
      ...(form.currentPassword
        ? []
        : [{ field: 'pw-current', text: t(lang, 'accountCurrentPasswordMissing') }]),
      ...(form.newPassword.length < 10
        ? [{ field: 'pw-new', text: t(lang, 'passwordRule') }]
        : form.newPassword !== form.newPasswordAgain
          ? [{ field: 'pw-again', text: t(lang, 'accountPasswordsDiffer') }]
          : []),
    ];
    if (errors.length) return render(c, core, s, lang, { errors }, 400);
    try {
      // Ends every other session and API token of the account (core: profile.ts); this one stays.
      await updateProfile(
        core,
        s.actor,
        { currentPassword: form.currentPassword, newPassword: form.newPassword },
        clientAddress(c),
      );
    } catch (e) {
      const failed = passwordError(c, lang, e, 'pw-current');
      if (!failed) throw e;
      return render(c, core, s, lang, { errors: failed.errors }, failed.status);
    }
    return c.redirect('/account?done=password', 303);
  });

  app.post('/account/email', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const form = AccountEmailForm.parse(await c.req.parseBody());
    const newEmail = form.newEmail;
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, lang, { newEmail, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const current = (await getProfile(core, s.actor)).email;
    const valid = z.email().max(254).safeParse(newEmail).success;
    const errors: Err[] = [
      ...(!valid
        ? [{ field: 'email-new', text: t(lang, 'emailInvalid') }]
        : newEmail.toLowerCase() === current
          ? [{ field: 'email-new', text: t(lang, 'accountEmailSame') }]
          : []),
      ...(form.currentPassword
        ? []
        : [{ field: 'email-current', text: t(lang, 'accountCurrentPasswordMissing') }]),
    ];
    if (errors.length) return render(c, core, s, lang, { newEmail, errors }, 400);
    try {
      await changeEmail(core, s.actor, form.currentPassword, newEmail, clientAddress(c));
    } catch (e) {
      const failed = passwordError(c, lang, e, 'email-current');
      if (failed) return render(c, core, s, lang, { newEmail, errors: failed.errors }, failed.status);
      if (e instanceof MylicError && e.code === 'EMAIL_TAKEN')
        return render(
          c,
          core,
          s,
          lang,
          { newEmail, errors: [{ field: 'email-new', text: t(lang, 'accountEmailTaken') }] },
          409,
        );
      if (e instanceof MylicError && e.code === 'MAIL_UNAVAILABLE')
        return render(
          c,
          core,
          s,
          lang,
          { newEmail, errors: [{ field: 'email-new', text: t(lang, 'mailUnavailable') }] },
          503,
        );
      throw e;
    }
    return c.redirect('/account?done=email', 303);
  });

  tokenPages(app, core, session, notFound);
}

interface View {
  done?: string | undefined;
  data?: { name: string; phone: string; language: string; mailOptIn: boolean };
  newEmail?: string;
  errors?: Err[];
}

function render(c: Context, core: Core, s: WebSession, lang: Lang, v: View, status: Status = 200) {
  const errors = v.errors ?? [];
  const has = (field: string) => (errors.some((e) => e.field === field) ? 'field-error' : undefined);
  return accountPage(
    c,
    core,
    s,
    { lang, title: 'account', path: '/account' },
    (profile) => {
      const data = v.data ?? {
        name: profile.name,
        phone: profile.phone,
        language: profile.language,
        mailOptIn: profile.mailOptIn,
      };
      const notice =
        v.done === 'data'
          ? t(lang, 'accountDataSaved')
          : v.done === 'password'
            ? t(lang, 'accountPasswordSaved')
            : v.done === 'email' && profile.pendingEmail
              ? t(lang, 'accountEmailSent', { email: profile.pendingEmail, current: profile.email })
              : undefined;
      return (
        <>
          <p class="lead">{t(lang, 'accountIntro')}</p>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          <div class="account-forms">
            <section aria-labelledby="data-heading">
              <h2 id="data-heading">{t(lang, 'accountDataHeading')}</h2>
              <form class="card" method="post" action="/account/data" novalidate>
                <input type="hidden" name="csrf" value={s.csrf} />
                <div class={has('data-name')}>
                  <label for="data-name">{t(lang, 'name')}</label>
                  <FieldError errors={errors} field="data-name" />
                  <input
                    id="data-name"
                    name="name"
                    type="text"
                    autocomplete="name"
                    required
                    maxlength={200}
                    value={data.name}
                    aria-invalid={has('data-name') ? 'true' : undefined}
                  />
                </div>
                <div class={has('data-phone')}>
                  <label for="data-phone">{t(lang, 'phone')}</label>
                  <FieldError errors={errors} field="data-phone" />
                  <input
                    id="data-phone"
                    name="phone"
                    type="text"
                    autocomplete="tel"
                    maxlength={50}
                    value={data.phone}
                    aria-invalid={has('data-phone') ? 'true' : undefined}
                  />
                </div>
                <div class={has('data-language')}>
                  <label for="data-language">{t(lang, 'preferredLanguage')}</label>
                  <FieldError errors={errors} field="data-language" />
                  <select id="data-language" name="language">
                    {LANGUAGES.map((l) => (
                      <option value={l} lang={l} selected={l === data.language}>
                        {MESSAGES[l].languageName}
                      </option>
                    ))}
                  </select>
                </div>
                <fieldset>
                  <legend>{t(lang, 'accountMailsLegend')}</legend>
                  <div class="check">
                    <input
                      id="data-mails"
                      name="mailOptIn"
                      type="checkbox"
                      checked={data.mailOptIn}
                      aria-describedby="data-mails-hint"
                    />
                    <label for="data-mails">{t(lang, 'accountMailOptIn')}</label>
                  </div>
                  <p class="hint" id="data-mails-hint">
                    {t(lang, 'accountMailOptInHint')}
                  </p>
                </fieldset>
                <CurrentPassword lang={lang} id="data-current" errors={errors} />
                <button type="submit" class="primary">
                  {t(lang, 'accountSaveData')}
                </button>
              </form>
            </section>

            <section aria-labelledby="pw-heading">
              <h2 id="pw-heading">{t(lang, 'accountPasswordHeading')}</h2>
              <form class="card" method="post" action="/account/password" novalidate>
                <input type="hidden" name="csrf" value={s.csrf} />
                <CurrentPassword lang={lang} id="pw-current" errors={errors} />
                <div class={has('pw-new')}>
                  <label for="pw-new">{t(lang, 'newPassword')}</label>
                  <p class="hint" id="pw-new-hint">
                    {t(lang, 'passwordRule')}
                  </p>
                  <FieldError errors={errors} field="pw-new" />
                  <input
                    id="pw-new"
                    name="newPassword"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength={10}
                    aria-describedby="pw-new-hint"
                    aria-invalid={has('pw-new') ? 'true' : undefined}
                  />
                </div>
                <div class={has('pw-again')}>
                  <label for="pw-again">{t(lang, 'accountNewPasswordAgain')}</label>
                  <FieldError errors={errors} field="pw-again" />
                  <input
                    id="pw-again"
                    name="newPasswordAgain"
                    type="password"
                    autocomplete="new-password"
                    required
                    aria-invalid={has('pw-again') ? 'true' : undefined}
                  />
                </div>
                <button type="submit" class="primary">
                  {t(lang, 'accountSavePassword')}
                </button>
              </form>
            </section>

            <section aria-labelledby="email-heading">
              <h2 id="email-heading">{t(lang, 'accountEmailHeading')}</h2>
              <p>{t(lang, 'accountEmailCurrent', { email: profile.email })}</p>
              {profile.pendingEmail ? (
                <p class="warning">
                  {t(lang, 'accountEmailPending', { email: profile.pendingEmail, current: profile.email })}
                </p>
              ) : null}
              <form class="card" method="post" action="/account/email" novalidate>
                <input type="hidden" name="csrf" value={s.csrf} />
                <div class={has('email-new')}>
                  <label for="email-new">{t(lang, 'accountNewEmail')}</label>
                  <p class="hint" id="email-new-hint">
                    {t(lang, 'accountEmailHint')}
                  </p>
                  <FieldError errors={errors} field="email-new" />
                  <input
                    id="email-new"
                    name="newEmail"
                    type="email"
                    autocomplete="email"
                    required
                    value={v.newEmail ?? ''}
                    aria-describedby="email-new-hint"
                    aria-invalid={has('email-new') ? 'true' : undefined}
                  />
                </div>
                <CurrentPassword lang={lang} id="email-current" errors={errors} />
                <button type="submit" class="primary">
                  {t(lang, 'accountSaveEmail')}
                </button>
              </form>
            </section>
          </div>
        </>
      );
    },
    status,
  );
}
