import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Actor } from '../core/context.js';
import type { Core } from '../core/context.js';
import { resolveSession, type SessionInfo } from '../core/accounts/index.js';
import { MylicError } from '../../protocol/errors.js';
import { fromAcceptLanguage, isLang, type Lang } from './i18n.js';

/**
 * Cookie sessions of the portal pages (ARCHITECTURE §8): the same portal sessions as the API's
 * `POST /session`, carried in a `__Host-` cookie (HttpOnly, Secure, SameSite=Lax, path /), a new one at
 * every log-in. Every form POST carries a CSRF token derived from the session token (a hash nobody can
 * compute without the cookie) and must come from this origin (Origin, else Sec-Fetch-Site).
 */
export const SESSION_COOKIE = '__Host-mylic-session';
const LANG_COOKIE = '__Host-mylic-lang';
/** Why the last session ended on its own ('idle' or 'lifetime'), for the log-in page's sentence. */
const ENDED_COOKIE = '__Host-mylic-ended';
const endedNow = new WeakMap<Request, string>();

export interface WebSession {
  token: string;
  info: SessionInfo;
  actor: Actor;
  csrf: string;
}

export const csrfFor = (token: string) =>
  createHash('sha256').update(`mylic-web-csrf/${token}`).digest('base64url');

/** The page session of the request, or null (no cookie, expired, ended). */
export async function webSession(core: Core, c: Context): Promise<WebSession | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  try {
    const info = await resolveSession(core, token, ['portal']);
    return {
      token,
      info,
      actor: {
        userId: info.userId,
        companyId: info.companyId,
        projectId: info.projectId,
        sessionHash: info.tokenHash,
      },
      csrf: csrfFor(token),
    };
  } catch (e) {
    // An idle or outlived session: the log-in page the request is sent to says so (sessionEnded).
    const reason =
      e instanceof MylicError ? (e.details as { reason?: unknown } | undefined)?.reason : undefined;
    if (reason === 'idle' || reason === 'lifetime') {
      endedNow.set(c.req.raw, reason);
      setCookie(c, ENDED_COOKIE, reason, { ...COOKIE, maxAge: 600 });
    }
    return null;
  }
}

/** Why the previous session ended by itself, once (the log-in page shows it); null if it did not. */
export function sessionEnded(c: Context): 'idle' | 'lifetime' | null {
  const reason = endedNow.get(c.req.raw) ?? getCookie(c, ENDED_COOKIE);
  if (reason !== undefined) deleteCookie(c, ENDED_COOKIE, { path: '/', secure: true });
  return reason === 'idle' || reason === 'lifetime' ? reason : null;
}

export function setSessionCookie(c: Context, token: string, expiresAt: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
}

/** A POST from another site (or with a token not of this session) is refused before anything happens. */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  // "null" is what a browser sends under a no-referrer policy or from a sandbox: then only the
  // browser's own Sec-Fetch-Site can tell a same-origin form.
  if (origin === 'null') return site === 'same-origin';
  if (origin !== undefined) {
    const host = c.req.header('host');
    try {
      return host !== undefined && new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return site === undefined || site === 'same-origin' || site === 'none';
}

export function csrfValid(session: WebSession | null, sent: unknown): boolean {
  if (!session || typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

const COOKIE = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const;

/**
 * The page language: `?lang=` (remembered in a cookie), the cookie, else the browser's Accept-Language.
 * The log-in and saving the account's language put the account's language in the cookie
 * (rememberLanguage), so once logged in it wins over Accept-Language; `?lang=` still switches.
 */
export function pageLanguage(c: Context): Lang {
  const asked = c.req.query('lang');
  if (isLang(asked)) {
    rememberLanguage(c, asked);
    return asked;
  }
  const kept = getCookie(c, LANG_COOKIE);
  return isLang(kept) ? kept : fromAcceptLanguage(c.req.header('accept-language'));
}

/** The pages of this browser use `lang` from the next request on. */
export function rememberLanguage(c: Context, lang: Lang) {
  setCookie(c, LANG_COOKIE, lang, { ...COOKIE, maxAge: 365 * 86400 });
}

/** A return path after log-in: only a path on this site, never another origin. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/projects';
}

/** What a page asks for its session: the session, or a redirect to the log-in and back (pages.tsx). */
export type SessionOf = (c: Context) => Promise<WebSession>;
/** The "not found" page (pages.tsx): also what another company's object answers — nothing, no hint. */
export type NotFound = (c: Context) => Response | Promise<Response>;
