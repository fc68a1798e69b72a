/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import { getProfile, PORTAL_IDLE_MS, SESSION_TTL_MS } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import { Layout } from '../layout.js';
import type { WebSession } from '../web-session.js';

/**
 * What the Account pages (settings-pages.tsx, tokens-pages.tsx) share: the page shell with the user
 * and the two sub-pages, the sentences for the current password, and the log-in page's sentence for a
 * session that ended by itself (bridge/web/accounts/login.tsx).
 */
export type Profile = Awaited<ReturnType<typeof getProfile>>;
export type Err = { field?: string; text: string };
export type Status = 200 | 201 | 400 | 403 | 409 | 429 | 503;

const SUBPAGES = [
  { path: '/account', label: 'accountNavData' },
  { path: '/account/tokens', label: 'accountNavTokens' },
] as const satisfies readonly { path: string; label: MessageKey }[];

export async function accountPage(
  c: Context,
  core: Core,
  s: WebSession,
  page: { lang: Lang; title: MessageKey; path: (typeof SUBPAGES)[number]['path'] },
  body: (profile: Profile) => Child | Promise<Child>,
  status: Status = 200,
) {
  const { lang } = page;
  const profile = await getProfile(core, s.actor);
  const companyName = profile.companies.find((x) => x.id === profile.selectedCompanyId)?.name ?? null;
  return c.html(
    <Layout
      lang={lang}
      title={t(lang, page.title)}
      path={page.path}
      active="account"
      user={{
        email: profile.email,
        companyName,
        csrf: s.csrf,
        companies: profile.companies,
        selectedCompanyId: profile.selectedCompanyId,
      }}
    >
      <h1>{t(lang, page.title)}</h1>
      <nav class="account-nav" aria-label={t(lang, 'account')}>
        <ul>
          {SUBPAGES.map((p) => (
            <li>
              <a href={p.path} aria-current={p.path === page.path ? 'page' : undefined}>
                {t(lang, p.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {await body(profile)}
    </Layout>,
    status,
  );
}

/** The client's address for the password-guess limits (none in-process, as on the log-in page). */
export const clientAddress = (c: Context): string | null =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
    ?.remoteAddress ?? null;

/**
 * A wrong current password (LOGIN_FAILED) or too many of them (RATE_LIMITED, with Retry-After) as the
 * sentence beside `field`; null for any other error.
 */
export function passwordError(
  c: Context,
  lang: Lang,
  e: unknown,
  field: string,
): { errors: Err[]; status: Status } | null {
  if (!(e instanceof MylicError)) return null;
  if (e.code === 'LOGIN_FAILED')
    return { errors: [{ field, text: t(lang, 'accountPasswordWrong') }], status: 400 };
  if (e.code === 'RATE_LIMITED') {
    const seconds = Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 900);
    c.header('Retry-After', String(seconds));
    return {
      errors: [
        { field, text: t(lang, 'accountPasswordLimited', { minutes: Math.max(1, Math.ceil(seconds / 60)) }) },
      ],
      status: 429,
    };
  }
  return null;
}

/** The log-in page's sentence for a session that ended by itself (web-session.ts, sessionEnded). */
export function endedSentence(lang: Lang, reason: 'idle' | 'lifetime'): string {
  return reason === 'idle'
    ? t(lang, 'accountSessionIdle', { minutes: PORTAL_IDLE_MS / 60_000 })
    : t(lang, 'accountSessionLifetime', { hours: SESSION_TTL_MS.portal / 3600_000 });
}

/** A moment as date and time (UTC, said so). */
export function formatDateTime(lang: Lang, iso: string): string {
  return `${new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;
}

/** A current-password field with its label, hint and error. */
export function CurrentPassword(p: { lang: Lang; id: string; errors: readonly Err[] }) {
  const error = p.errors.find((e) => e.field === p.id);
  return (
    <div class={error ? 'field-error' : undefined}>
      <label for={p.id}>{t(p.lang, 'accountCurrentPassword')}</label>
      <p class="hint" id={`${p.id}-hint`}>
        {t(p.lang, 'accountCurrentPasswordHint')}
      </p>
      {error ? <p class="message">{error.text}</p> : null}
      <input
        id={p.id}
        name="currentPassword"
        type="password"
        autocomplete="current-password"
        required
        aria-describedby={`${p.id}-hint`}
        aria-invalid={error ? 'true' : undefined}
      />
    </div>
  );
}

/** The error sentence of a field, shown above its input. */
export function FieldError(p: { errors: readonly Err[]; field: string }) {
  const error = p.errors.find((e) => e.field === p.field);
  return error ? <p class="message">{error.text}</p> : null;
}
