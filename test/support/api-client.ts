import { PORTAL_API } from '../../protocol/portal-api.js';
import type { TestCore } from './core.js';

type App = TestCore['app'];

/** A JSON request to the portal API of an in-process app (`/api/v1` is added to `path`). */
export async function call(app: App, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return app.request(`${PORTAL_API}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/** The JSON of a successful answer with this status (nothing for 204); otherwise fails with the answer's text. */
export async function ok<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text.slice(0, 500)}`);
  return (status === 204 || text === '' ? undefined : JSON.parse(text)) as T;
}
