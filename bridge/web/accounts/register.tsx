/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { ActivateQuery, RegisterRequest } from '../../../protocol/account-api.js';
import { MylicError } from '../../../protocol/errors.js';
import { activateWithPassword, register } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { clientAddress } from '../../http/api/accounts-routes.js';
import { LANGUAGES, MESSAGES, t, type Lang } from '../i18n.js';
import { ErrorSummary, Layout } from '../layout.js';
import { pageLanguage, sameOrigin } from '../web-session.js';

type FieldError = { field?: string; text: string };

/**
 * Register Now and the activation link (seed: Register Now; Account). The form asks the seed's personal
 * data; the answer is the same whether the address is new or already has an account (the owner of a
 * taken address gets a mail instead: issue 11). The mail's link opens a page with one button: a mail
 * scanner that fetches the link activates nothing, a person's click does (POST).
 */
function RegisterPage(p: {
  lang: Lang;
  values: Record<string, string>;
  errors: FieldError[];
  sent?: string;
}) {
  const bad = (f: string) => (p.errors.some((e) => e.field === f) ? 'field-error' : undefined);
  const message = (f: string) => p.errors.find((e) => e.field === f)?.text;
  return (
    <Layout lang={p.lang} title={t(p.lang, 'registerTitle')} path="/register">
      <h1>{t(p.lang, 'registerTitle')}</h1>
      {p.sent ? (
        <p class="notice" role="status">
          {t(p.lang, 'registerSent', { email: p.sent })}
        </p>
      ) : (
        <>
          <p class="lead">{t(p.lang, 'registerIntro')}</p>
          <ErrorSummary lang={p.lang} errors={p.errors} />
          <form class="card" method="post" action="/register" novalidate>
            {(
              [
                ['email', 'email', 'email', 'email'],
                ['name', 'name', 'text', 'name'],
                ['phone', 'phone', 'text', 'tel'],
                ['password', 'password', 'password', 'new-password'],
              ] as const
            ).map(([field, label, type, auto]) => (
              <div class={bad(field)}>
                <label for={field}>{t(p.lang, label)}</label>
                {field === 'password' ? <p class="hint">{t(p.lang, 'passwordRule')}</p> : null}
                {message(field) ? <p class="message">{message(field)}</p> : null}
                <input
                  id={field}
                  name={field}
                  type={type}
                  autocomplete={auto}
                  value={field === 'password' ? '' : (p.values[field] ?? '')}
                  aria-invalid={bad(field) ? 'true' : undefined}
                />
              </div>
            ))}
            <label for="language">{t(p.lang, 'preferredLanguage')}</label>
            <select id="language" name="language">
              {LANGUAGES.map((l) => (
                <option value={l} selected={(p.values.language ?? p.lang) === l}>
                  {MESSAGES[l].languageName}
                </option>
              ))}
            </select>
            <button type="submit" class="primary">
              {t(p.lang, 'registerButton')}
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}

function ActivatePage(p: {
  lang: Lang;
  token?: string;
  result?: { ok: boolean; text: string };
  errors?: FieldError[];
}) {
  return (
    <Layout
      lang={p.lang}
      title={t(p.lang, 'activateTitle')}
      path={p.token ? `/activate?token=${p.token}` : '/activate'}
    >
      <h1>{t(p.lang, 'activateTitle')}</h1>
      {p.result ? (
        <>
          <p class={p.result.ok ? 'notice' : 'warning'} role="status">
            {p.result.text}
          </p>
          {p.result.ok ? (
            <p>
              <a href="/login">{t(p.lang, 'logIn')}</a>
            </p>
          ) : (
            <p>
              <a href="/register">{t(p.lang, 'registerTitle')}</a>
            </p>
          )}
        </>
      ) : (
        <form class="card" method="post" action="/activate" novalidate>
          <ErrorSummary lang={p.lang} errors={p.errors ?? []} />
          <p>{t(p.lang, 'activateIntro')}</p>
          <input type="hidden" name="token" value={p.token ?? ''} />
          <div class={p.errors?.length ? 'field-error' : undefined}>
            <label for="password">{t(p.lang, 'activatePassword')}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" />
          </div>
          <p>
            <a href="/password-reset">{t(p.lang, 'forgotLink')}</a>
          </p>
          <button type="submit" class="primary">
            {t(p.lang, 'activateButton')}
          </button>
        </form>
      )}
    </Layout>
  );
}

/** Field → sentence for what the registration schema refused. */
function registrationErrors(lang: Lang, issues: readonly { path: readonly PropertyKey[] }[]): FieldError[] {
  const fields = [...new Set(issues.map((i) => String(i.path[0] ?? '')))];
  const text: Record<string, string> = {
    email: t(lang, 'emailInvalid'),
    password: t(lang, 'passwordRule'),
    name: t(lang, 'nameRequired'),
    phone: t(lang, 'phone'),
  };
  return fields.filter((f) => f in text).map((f) => ({ field: f, text: text[f]! }));
}

export function registrationPages(app: Hono, core: Core) {
  app.get('/register', (c) => c.html(<RegisterPage lang={pageLanguage(c)} values={{}} errors={[]} />));

  app.post('/register', async (c) => {
    const lang = pageLanguage(c);
    const form = await c.req.parseBody();
    const values = Object.fromEntries(
      ['email', 'name', 'phone', 'password', 'language'].map((k) => [
        k,
        typeof form[k] === 'string' ? (form[k] as string).slice(0, 1024) : '',
      ]),
    );
    if (!sameOrigin(c))
      return c.html(
        <RegisterPage lang={lang} values={values} errors={[{ text: t(lang, 'sessionExpired') }]} />,
        403,
      );
    const parsed = RegisterRequest.safeParse({
      email: values.email!.trim(),
      password: values.password,
      name: values.name,
      phone: values.phone,
      language: values.language || lang,
    });
    if (!parsed.success)
      return c.html(
        <RegisterPage lang={lang} values={values} errors={registrationErrors(lang, parsed.error.issues)} />,
        400,
      );
    try {
      await register(core, parsed.data, clientAddress(c));
      return c.html(<RegisterPage lang={lang} values={{}} errors={[]} sent={parsed.data.email} />, 201);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'RATE_LIMITED') {
        const seconds = Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 3600);
        c.header('Retry-After', String(seconds));
        return c.html(
          <RegisterPage
            lang={lang}
            values={values}
            errors={[{ text: t(lang, 'tooManyRegistrations', { minutes: Math.ceil(seconds / 60) }) }]}
          />,
          429,
        );
      }
      if (e.code === 'MAIL_UNAVAILABLE')
        return c.html(
          <RegisterPage lang={lang} values={values} errors={[{ text: t(lang, 'mailUnavailable') }]} />,
          503,
        );
      throw e;
    }
  });

  app.get('/activate', (c) => {
    const lang = pageLanguage(c);
    const token = ActivateQuery.safeParse({ token: c.req.query('token') });
    if (!token.success)
      return c.html(
        <ActivatePage lang={lang} result={{ ok: false, text: t(lang, 'activationInvalid') }} />,
        404,
      );
    return c.html(<ActivatePage lang={lang} token={token.data.token} />);
  });

  app.post('/activate', async (c: Context) => {
    const lang = pageLanguage(c);
    const form = await c.req.parseBody();
    const token = ActivateQuery.safeParse({ token: form.token });
    if (!sameOrigin(c) || !token.success)
      return c.html(
        <ActivatePage lang={lang} result={{ ok: false, text: t(lang, 'activationInvalid') }} />,
        token.success ? 403 : 404,
      );
    const password = typeof form.password === 'string' ? form.password.slice(0, 1024) : '';
    try {
      const done = await activateWithPassword(core, token.data.token, password, clientAddress(c));
      return c.html(
        <ActivatePage lang={lang} result={{ ok: true, text: t(lang, 'activated', { email: done.email }) }} />,
      );
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'LOGIN_FAILED' || e.code === 'RATE_LIMITED') {
        const text =
          e.code === 'LOGIN_FAILED'
            ? t(lang, 'activationWrongPassword')
            : t(lang, 'loginLimited', {
                minutes: Math.ceil(
                  Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 900) / 60,
                ),
              });
        return c.html(
          <ActivatePage lang={lang} token={token.data.token} errors={[{ field: 'password', text }]} />,
          e.code === 'LOGIN_FAILED' ? 401 : 429,
        );
      }
      if (!['NOT_FOUND', 'EMAIL_TAKEN'].includes(e.code)) throw e;
      return c.html(
        <ActivatePage lang={lang} result={{ ok: false, text: t(lang, 'activationInvalid') }} />,
        404,
      );
    }
  });
}
