import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Page sessions: a random id in an HttpOnly, SameSite=Strict cookie, and on the server the CSRF token
 * every form of that session carries and a one-shot flash message (POST → redirect → GET shows it
 * once). Kept in memory only: the page is the device's own web interface for one administrator at a
 * time, and a restart simply asks for a reload.
 */
export interface Flash {
  kind: 'ok' | 'error';
  title: string;
  code?: string;
  message: string;
}

export interface PageSession {
  id: string;
  csrf: string;
  flash: Flash | null;
  seen: number;
}

export const SESSION_COOKIE = 'mylic_page';
const MAX_SESSIONS = 64;
const IDLE_MS = 8 * 60 * 60 * 1000;

const token = () => randomBytes(32).toString('base64url');
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two tokens of any length (both are hashed to the same length first). */
export const tokensEqual = (a: string, b: string): boolean =>
  timingSafeEqual(digest(a), digest(b)) && a.length === b.length;

export class SessionStore {
  private readonly sessions = new Map<string, PageSession>();
  constructor(private readonly now: () => number = Date.now) {}

  get(id: string | undefined): PageSession | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (this.now() - s.seen > IDLE_MS) {
      this.sessions.delete(id);
      return null;
    }
    s.seen = this.now();
    // Keep the map in least-recently-seen order, so eviction drops the oldest.
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  create(): PageSession {
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const s: PageSession = { id: token(), csrf: token(), flash: null, seen: this.now() };
    this.sessions.set(s.id, s);
    return s;
  }

  /** True only when the session exists and the submitted token is its CSRF token. */
  checkCsrf(session: PageSession | null, submitted: unknown): boolean {
    if (!session || typeof submitted !== 'string' || !submitted) return false;
    return tokensEqual(submitted, session.csrf);
  }

  takeFlash(session: PageSession): Flash | null {
    const f = session.flash;
    session.flash = null;
    return f;
  }
}

/**
 * Host and origin checks. The Host header must name this server (a DNS-rebinding page would send its
 * own name and could otherwise read the page and its token); a POST that carries an Origin must come
 * from this origin, and a browser's Sec-Fetch-Site must say same-origin (or a typed address: none).
 */
export function allowedHosts(host: string, port: number): Set<string> | null {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (wildcard) return null;
  const names = new Set<string>();
  const add = (h: string) =>
    names.add(`${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`.toLowerCase());
  add(host);
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1')
    ['127.0.0.1', 'localhost', '::1'].forEach(add);
  return names;
}

export function hostAllowed(allowed: Set<string> | null, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  return allowed === null || allowed.has(hostHeader.toLowerCase());
}

export function sameOrigin(headers: { origin?: string; host?: string; secFetchSite?: string }): boolean {
  if (headers.secFetchSite && headers.secFetchSite !== 'same-origin' && headers.secFetchSite !== 'none')
    return false;
  if (headers.origin === undefined) return true;
  if (!headers.host) return false;
  return headers.origin.toLowerCase() === `http://${headers.host.toLowerCase()}`;
}
