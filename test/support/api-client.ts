import { PORTAL_API } from '../../protocol/portal-api.js';
import type { TestCore } from './core.js';

type App = TestCore['app'];

/**
 * A request to the portal API of an in-process app (`/api/v1` is added to `path`): the body as JSON, or,
 * when it is a string and `headers` name a content-type, sent as it is (a text file, say). The one
 * home of the tests' `call`; a file binds it to its app (`const call = (…) => apiCall(tc.app, …)`).
 */
export async function call(
  app: App,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const raw =
    typeof body === 'string' && Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (body !== undefined && !raw) h['content-type'] = 'application/json';
  return app.request(`${PORTAL_API}${path}`, {
    method,
    headers: h,
    ...(body !== undefined ? { body: raw ? (body as string) : JSON.stringify(body) } : {}),
  });
}

/** The JSON of a successful answer with this status (nothing for 204); otherwise fails with the answer's text. */
export async function ok<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text.slice(0, 500)}`);
  return (status === 204 || text === '' ? undefined : JSON.parse(text)) as T;
}
