/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { PasswordResetConfirm, PasswordResetRequest } from '../../../protocol/account-api.js';
import { MylicError } from '../../../protocol/errors.js';
import { confirmPasswordReset, requestPasswordReset } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { clientAddress } from '../../http/api/accounts-routes.js';
import { t, type Lang } from '../i18n.js';
import { ErrorSummary, Layout } from '../layout.js';
import { pageLanguage, sameOrigin } from '../web-session.js';

/**
 * Forgotten password (issue 11's reset by mail, as pages): ask for the link with the e-mail address (the
 * same answer whether it has an account), then the link from the mail opens a form for the new
 * password. The code travels in the link; the page posts it back with the new password.
 */
function RequestPage(p: {
  lang: Lang;
  email?: string;
  errors: { field?: string; text: string }[];
  sent?: string;
}) {
  return (
    <Layout lang={p.lang} title={t(p.lang, 'resetTitle')} path="/password-reset">
      <h1>{t(p.lang, 'resetTitle')}</h1>
      {p.sent ? (
        <p class="notice" role="status">
          {t(p.lang, 'resetSent', { email: p.sent })}
        </p>
      ) : (
        <>
          <p class="lead">{t(p.lang, 'resetIntro')}</p>
          <ErrorSummary lang={p.lang} errors={p.errors} />
          <form class="card" method="post" action="/password-reset" novalidate>
            <div class={p.errors.length ? 'field-error' : undefined}>
              <label for="email">{t(p.lang, 'email')}</label>
              <input id="email" name="email" type="email" autocomplete="username" value={p.email ?? ''} />
            </div>
            <button type="submit" class="primary">
              {t(p.lang, 'resetButton')}
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}

function NewPasswordPage(p: {
  lang: Lang;
  code: string;
  errors: { field?: string; text: string }[];
  done?: boolean;
}) {
  return (
    <Layout
      lang={p.lang}
      title={t(p.lang, 'newPasswordTitle')}
      path={`/password-reset/confirm?code=${p.code}`}
    >
      <h1>{t(p.lang, 'newPasswordTitle')}</h1>
      {p.done ? (
        <>
          <p class="notice" role="status">
            {t(p.lang, 'passwordChanged')}
          </p>
          <p>
            <a href="/login">{t(p.lang, 'logIn')}</a>
          </p>
        </>
      ) : (
        <>
          <ErrorSummary lang={p.lang} errors={p.errors} />
          <form class="card" method="post" action="/password-reset/confirm" novalidate>
            <input type="hidden" name="code" value={p.code} />
            <div class={p.errors.some((e) => e.field === 'password') ? 'field-error' : undefined}>
              <label for="password">{t(p.lang, 'newPassword')}</label>
              <p class="hint">{t(p.lang, 'passwordRule')}</p>
              <input id="password" name="password" type="password" autocomplete="new-password" />
            </div>
            <button type="submit" class="primary">
              {t(p.lang, 'newPasswordButton')}
            </button>
          </form>
          <p>
            <a href="/password-reset">{t(p.lang, 'resetTitle')}</a>
          </p>
        </>
      )}
    </Layout>
  );
}

export function passwordResetPages(app: Hono, core: Core) {
  app.get('/password-reset', (c) => c.html(<RequestPage lang={pageLanguage(c)} errors={[]} />));

  app.post('/password-reset', async (c) => {
    const lang = pageLanguage(c);
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim().slice(0, 320) : '';
    if (!sameOrigin(c))
      return c.html(
        <RequestPage lang={lang} email={email} errors={[{ text: t(lang, 'sessionExpired') }]} />,
        403,
      );
    const parsed = PasswordResetRequest.safeParse({ email });
    if (!parsed.success)
      return c.html(
        <RequestPage
          lang={lang}
          email={email}
          errors={[{ field: 'email', text: t(lang, 'emailInvalid') }]}
        />,
        400,
      );
    try {
      await requestPasswordReset(core, parsed.data.email, clientAddress(c));
    } catch (e) {
      if (!(e instanceof MylicError) || e.code !== 'RATE_LIMITED') throw e;
      const seconds = Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 3600);
      c.header('Retry-After', String(seconds));
      return c.html(
        <RequestPage
          lang={lang}
          email={email}
          errors={[{ text: t(lang, 'tooManyResets', { minutes: Math.ceil(seconds / 60) }) }]}
        />,
        429,
      );
    }
    return c.html(<RequestPage lang={lang} errors={[]} sent={parsed.data.email} />, 202);
  });

  app.get('/password-reset/confirm', (c) => {
    const lang = pageLanguage(c);
    const code = c.req.query('code') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(code))
      return c.html(<RequestPage lang={lang} errors={[{ text: t(lang, 'resetInvalid') }]} />, 404);
    return c.html(<NewPasswordPage lang={lang} code={code} errors={[]} />);
  });

  app.post('/password-reset/confirm', async (c) => {
    const lang = pageLanguage(c);
    const form = await c.req.parseBody();
    const code = typeof form.code === 'string' ? form.code : '';
    const password = typeof form.password === 'string' ? form.password : '';
    if (!sameOrigin(c))
      return c.html(
        <NewPasswordPage lang={lang} code={code} errors={[{ text: t(lang, 'sessionExpired') }]} />,
        403,
      );
    const parsed = PasswordResetConfirm.safeParse({ token: code, password });
    if (!parsed.success) {
      const badCode = parsed.error.issues.some((i) => i.path[0] === 'token');
      return badCode
        ? c.html(<RequestPage lang={lang} errors={[{ text: t(lang, 'resetInvalid') }]} />, 404)
        : c.html(
            <NewPasswordPage
              lang={lang}
              code={code}
              errors={[{ field: 'password', text: t(lang, 'passwordRule') }]}
            />,
            400,
          );
    }
    try {
      await confirmPasswordReset(core, parsed.data.token, parsed.data.password);
      return c.html(<NewPasswordPage lang={lang} code="" errors={[]} done />);
    } catch (e) {
      if (!(e instanceof MylicError) || !['NOT_FOUND', 'RESET_INVALID', 'VALIDATION_FAILED'].includes(e.code))
        throw e;
      return c.html(<RequestPage lang={lang} errors={[{ text: t(lang, 'resetInvalid') }]} />, 404);
    }
  });
}
