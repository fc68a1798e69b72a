import type { Hono } from 'hono';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';

/** The origin the in-process page tests speak as (test/web/*). */
export const PAGE_ORIGIN = 'https://portal.test';

/**
 * Logs a user in through the real log-in page (`POST /login`, same origin) and answers the session
 * cookie and the CSRF token its forms carry, for the in-process page tests.
 */
export async function logInThroughPage(
  app: Pick<Hono, 'request'>,
  user: { email: string; password: string },
): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request(`${PAGE_ORIGIN}/login`, {
    method: 'POST',
    body: new URLSearchParams(user).toString(),
    headers: {
      host: 'portal.test',
      origin: PAGE_ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!token) throw new Error(`log-in of ${user.email} through the page failed: ${res.status}`);
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfFor(token) };
}

/** A page form: a field sent once, or several times (checkboxes, table rows). */
export type PageForm = Record<string, string | readonly string[]>;

/**
 * A page request as a browser on PAGE_ORIGIN sends it: GET, or POST of a urlencoded form from the same
 * origin (or `origin` to play another site), with the session cookie and the reader's language.
 */
export function pageRequest(
  app: Pick<Hono, 'request'>,
  path: string,
  opts: { cookie: string; form?: PageForm; lang?: string; origin?: string },
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.form ?? {}))
    for (const x of typeof v === 'string' ? [v] : v) body.append(k, x);
  return Promise.resolve(
    app.request(`${PAGE_ORIGIN}${path}`, {
      method: opts.form ? 'POST' : 'GET',
      ...(opts.form ? { body: body.toString() } : {}),
      headers: {
        host: 'portal.test',
        accept: 'text/html',
        'accept-language': opts.lang ?? 'en',
        cookie: opts.cookie,
        ...(opts.form
          ? { origin: opts.origin ?? PAGE_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
      },
    }),
  );
}
