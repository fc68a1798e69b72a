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
