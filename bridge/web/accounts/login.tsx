/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { CsrfForm, LoginForm } from '../../../protocol/portal-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import { closeSession, portalLogin } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { isLang, t, type Lang } from '../i18n.js';
import { endedSentence } from './settings-shell.js';
import { ErrorSummary, Layout } from '../layout.js';
import {
  clearSessionCookie,
  csrfValid,
  pageLanguage,
  rememberLanguage,
  safeNext,
  sessionEnded,
  sameOrigin,
  setSessionCookie,
  webSession,
} from '../web-session.js';

/**
 * Log in and log out (seed: Login). The log-in form posts e-mail and password to the same core service
 * as `POST /api/v1/session`, with the same limits; a failed log-in comes back with the e-mail kept and a
 * sentence that says what to do, a limited one with the wait in minutes.
 */
function LoginPage(p: {
  lang: Lang;
  email?: string;
  next: string;
  errors: { field?: string; text: string }[];
  notice?: string | undefined;
}) {
  const failed = p.errors.length > 0;
  return (
    <Layout lang={p.lang} title={t(p.lang, 'loginTitle')} path={`/login?next=${encodeURIComponent(p.next)}`}>
      <h1>{t(p.lang, 'loginTitle')}</h1>
      <p class="lead">{t(p.lang, 'loginIntro')}</p>
      {p.notice ? <p class="notice">{p.notice}</p> : null}
      <ErrorSummary lang={p.lang} errors={p.errors} />
      <form class="card" method="post" action={`/login?next=${encodeURIComponent(p.next)}`} novalidate>
        <div class={failed ? 'field-error' : undefined}>
          <label for="email">{t(p.lang, 'email')}</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={p.email ?? ''}
            aria-invalid={failed ? 'true' : undefined}
          />
        </div>
        <div class={failed ? 'field-error' : undefined}>
          <label for="password">{t(p.lang, 'password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            aria-invalid={failed ? 'true' : undefined}
          />
        </div>
        <button type="submit" class="primary">
          {t(p.lang, 'logIn')}
        </button>
      </form>
      <p>
        <a href="/password-reset">{t(p.lang, 'forgotLink')}</a>
      </p>
      <p>
        <a href="/register">{t(p.lang, 'registerLink')}</a>
      </p>
    </Layout>
  );
}

export function loginPages(app: Hono, core: Core) {
  app.get('/login', async (c) => {
    const lang = pageLanguage(c);
    const next = safeNext(c.req.query('next'));
    if (await webSession(core, c)) return c.redirect(next, 303);
    const ended = sessionEnded(c);
    const notice =
      c.req.query('done') === 'logout'
        ? t(lang, 'loggedOut')
        : ended
          ? endedSentence(lang, ended)
          : c.req.query('next')
            ? t(lang, 'loginNeeded')
            : undefined;
    return c.html(<LoginPage lang={lang} next={next} errors={[]} notice={notice} />);
  });

  app.post('/login', async (c) => {
    const lang = pageLanguage(c);
    const next = safeNext(c.req.query('next'));
    if (!sameOrigin(c))
      return c.html(
        <LoginPage lang={lang} next={next} errors={[{ text: t(lang, 'sessionExpired') }]} />,
        403,
      );
    const { email, password } = LoginForm.parse(await c.req.parseBody());
    const missing = [
      ...(email ? [] : [{ field: 'email', text: t(lang, 'fieldRequired', { field: t(lang, 'email') }) }]),
      ...(password
        ? []
        : [{ field: 'password', text: t(lang, 'fieldRequired', { field: t(lang, 'password') }) }]),
    ];
    if (missing.length)
      return c.html(<LoginPage lang={lang} email={email} next={next} errors={missing} />, 400);
    try {
      const address =
        (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
          ?.remoteAddress ?? null;
      // A new session at every log-in: an old cookie (if any) is ended, never carried over.
      const old = await webSession(core, c);
      if (old) await closeSession(core, old.token);
      const s = await portalLogin(core, email, password, address);
      setSessionCookie(c, s.token, s.expiresAt);
      // The account's language (Account page) from now on; `?lang=` still switches.
      if (isLang(s.language)) rememberLanguage(c, s.language);
      sessionEnded(c); // an old session's "ended after inactivity" is no news any more
      return c.redirect(next, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'RATE_LIMITED') {
        const seconds = Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 900);
        c.header('Retry-After', String(seconds));
        return c.html(
          <LoginPage
            lang={lang}
            email={email}
            next={next}
            errors={[
              {
                field: 'password',
                // Which limit it is (issue 11): the address's pause for everyone, or this account's.
                text: t(
                  lang,
                  (e.details as { limit?: string } | undefined)?.limit === 'address'
                    ? 'loginLimitedAddress'
                    : 'loginLimited',
                  { minutes: Math.max(1, Math.ceil(seconds / 60)) },
                ),
              },
            ]}
          />,
          429,
        );
      }
      if (e.code === 'ACCOUNT_NOT_ACTIVATED') {
        return c.html(
          <LoginPage
            lang={lang}
            email={email}
            next={next}
            errors={[{ field: 'email', text: t(lang, 'notActivated') }]}
          />,
          403,
        );
      }
      // Seed L269: a user locked in every company of theirs cannot log in.
      if (e.code === 'USER_LOCKED') {
        return c.html(
          <LoginPage
            lang={lang}
            email={email}
            next={next}
            errors={[{ field: 'email', text: t(lang, 'loginLockedEverywhere') }]}
          />,
          403,
        );
      }
      if (e.code === 'LOGIN_FAILED' || e.code === 'VALIDATION_FAILED') {
        return c.html(
          <LoginPage
            lang={lang}
            email={email}
            next={next}
            errors={[{ field: 'password', text: t(lang, 'loginFailed') }]}
          />,
          401,
        );
      }
      throw e;
    }
  });

  app.post('/logout', async (c) => {
    const session = await webSession(core, c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    if (session && sameOrigin(c) && csrfValid(session, csrf)) await closeSession(core, session.token);
    else if (session) return c.redirect('/projects', 303);
    clearSessionCookie(c);
    return c.redirect('/login?done=logout', 303);
  });
}
