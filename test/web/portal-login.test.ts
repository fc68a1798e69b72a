import { LIMITS, recordLoginFailure } from '../../bridge/core/accounts/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AREA_CATALOGS, LANGUAGES, MESSAGES, SHELL_KEYS } from '../../bridge/web/i18n.js';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * The portal pages' sign-in and projects list, in-process on a real SQLite file (issue 13, first part):
 * log-in with a new `__Host-` session cookie, errors as sentences in the user's language with the input
 * kept, the login limit with its wait, CSRF and origin checks on every form POST, and the walls.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;

beforeAll(async () => {
  root = await tempDir('mylic-web-login-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-61-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-61-00-02' });
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const ORIGIN = 'https://portal.test';
const page = (path: string, init: RequestInit & { cookie?: string; lang?: string } = {}) =>
  tc.app.request(`${ORIGIN}${path}`, {
    ...init,
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.lang ? { 'accept-language': init.lang } : {}),
      ...(init.method === 'POST'
        ? { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function logIn(user: { email: string; password: string }): Promise<string> {
  const res = await page('/login', {
    method: 'POST',
    body: form({ email: user.email, password: user.password }),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1];
  expect(token).toBeTruthy();
  return `${SESSION_COOKIE}=${token}`;
}

describe('log-in', () => {
  it('shows the form in the browser’s language, without a session', async () => {
    const res = await page('/login', { lang: 'de-CH,de;q=0.9,en;q=0.5' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Am Lizenzportal anmelden');
    expect(html).toContain('name="email"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
  });

  it('logs in with a new __Host- cookie (HttpOnly, Secure, SameSite=Lax) and lands on the page asked for', async () => {
    const res = await page('/login?next=%2Fprojects', {
      method: 'POST',
      body: form({ email: ann.user.email, password: ann.user.password }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/projects');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    // Another log-in gives another session: the cookie is never carried over.
    expect(await logIn(ann.user)).not.toBe(cookie.split(';')[0]);
  });

  it('never sends the user to another site after log-in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const res = await page(`/login?next=${encodeURIComponent(next)}`, {
        method: 'POST',
        body: form({ email: ann.user.email, password: ann.user.password }),
      });
      expect(res.headers.get('location')).toBe('/projects');
    }
  });

  it('answers a wrong password with a sentence in the user’s language, the e-mail kept and no cookie', async () => {
    const res = await page('/login', {
      method: 'POST',
      lang: 'nl',
      body: form({ email: ann.user.email, password: 'wrong password' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).toContain(MESSAGES.nl.loginFailed);
    expect(html).toContain(`value="${ann.user.email}"`);
    expect(html).toContain('href="#password"');
  });

  it('names each empty field', async () => {
    const html = await (
      await page('/login', { method: 'POST', lang: 'fr', body: form({ email: '', password: '' }) })
    ).text();
    expect(html).toContain('Saisissez votre Adresse e-mail.');
    expect(html).toContain('Saisissez votre Mot de passe.');
  });

  it('shows the login limit as a sentence with the wait', async () => {
    const user = (await makeTenant(tc, { name: 'limited', mac: '00-90-33-61-00-03' })).user;
    for (let i = 0; i < 5; i++)
      await page('/login', { method: 'POST', body: form({ email: user.email, password: `nope ${i}` }) });
    const res = await page('/login', {
      method: 'POST',
      lang: 'it',
      body: form({ email: user.email, password: user.password }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).toMatch(/Troppi accessi non riusciti\. Attendi \d+ minuti/);
  });

  it('says when it is the network address that is paused, not the account', async () => {
    const user = (await makeTenant(tc, { name: 'natted', mac: '00-90-33-61-00-05' })).user;
    const NAT = '203.0.113.77';
    for (let i = 0; i < LIMITS.addressCeiling; i++)
      await recordLoginFailure(tc.core, `guess${i}@example.com`, NAT);
    const res = await tc.app.request(
      `${ORIGIN}/login`,
      {
        method: 'POST',
        body: form({ email: user.email, password: user.password }),
        headers: {
          host: 'portal.test',
          origin: ORIGIN,
          'accept-language': 'de',
          'content-type': 'application/x-www-form-urlencoded',
        },
      },
      { incoming: { socket: { remoteAddress: NAT, remotePort: 40_000, remoteFamily: 'IPv4' } } },
    );
    expect(res.status).toBe(429);
    expect(await res.text()).toMatch(
      /Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk, für viele Konten/,
    );
  });

  it('refuses a log-in form posted from another site', async () => {
    const res = await page('/login', {
      method: 'POST',
      body: form({ email: ann.user.email, password: ann.user.password }),
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('the projects page', () => {
  it('sends a visitor without a session to the log-in and back', async () => {
    const res = await page('/projects');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fprojects');
  });

  it("lists the company's projects and nothing of another company", async () => {
    const cookie = await logIn(ann.user);
    const html = await (await page('/projects', { cookie, lang: 'en' })).text();
    expect(html).toContain('DEFAULT');
    expect(html).toContain('Company ann');
    expect(html).not.toContain('Company bob');
    const bobs = await (await page('/projects', { cookie: await logIn(bob.user) })).text();
    expect(bobs).not.toContain('Company ann');
  });

  it('says so when the member is locked, and shows no project', async () => {
    const user = await makeTenant(tc, { name: 'lockme', mac: '00-90-33-61-00-04' });
    const cookie = await logIn(user.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', user.user.id)
      .execute();
    const html = await (await page('/projects', { cookie, lang: 'de' })).text();
    expect(html).toContain(MESSAGES.de.locked);
    expect(html).not.toContain('DEFAULT');
  });
});

describe('log-out', () => {
  it('needs the session’s CSRF token from this origin, then ends the session', async () => {
    const cookie = await logIn(ann.user);
    const token = cookie.split('=')[1]!;
    // No token, another session's token, another origin: the session stays.
    for (const [body, headers] of [
      [form({}), {}],
      [form({ csrf: csrfFor('x'.repeat(43)) }), {}],
      [form({ csrf: csrfFor(token) }), { origin: 'https://evil.example' }],
    ] as const) {
      await page('/logout', { method: 'POST', cookie, body, headers });
      expect((await page('/projects', { cookie })).status).toBe(200);
    }
    const out = await page('/logout', { method: 'POST', cookie, body: form({ csrf: csrfFor(token) }) });
    expect(out.headers.get('location')).toBe('/login?done=logout');
    expect((await page('/projects', { cookie })).status).toBe(303);
  });
});

describe('the page texts', () => {
  it('have the same keys in all five languages, none empty, and real translations', () => {
    const keys = Object.keys(MESSAGES.en).sort();
    for (const lang of LANGUAGES) {
      expect(Object.keys(MESSAGES[lang]).sort(), lang).toEqual(keys);
      for (const k of keys)
        expect(MESSAGES[lang][k as keyof typeof MESSAGES.en].trim(), `${lang}.${k}`).not.toBe('');
      if (lang !== 'en') expect(MESSAGES[lang].loginTitle).not.toBe(MESSAGES.en.loginTitle);
    }
  });

  it('fill the same placeholders in every language', () => {
    const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of LANGUAGES)
      for (const k of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[])
        expect(holes(MESSAGES[lang][k]), `${lang}.${k}`).toEqual(holes(MESSAGES.en[k]));
  });

  it('give every key to one catalog only: the shell or one area', () => {
    const owners = new Map<string, number>();
    for (const k of SHELL_KEYS) owners.set(k, 1);
    for (const catalog of AREA_CATALOGS)
      for (const k of Object.keys(catalog.en)) owners.set(k, (owners.get(k) ?? 0) + 1);
    expect([...owners].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
  });

  it('are translated: in each language at most one text in ten is the English one', () => {
    const keys = Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[];
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      const same = keys.filter((k) => MESSAGES[lang][k] === MESSAGES.en[k] && MESSAGES.en[k].length > 12);
      expect(same.length, `${lang}: ${same.join(', ')}`).toBeLessThanOrEqual(keys.length / 10);
    }
  });
});

describe('paths that are no page', () => {
  it('answer a page that says so to a browser, and JSON to the APIs', async () => {
    const res = await page('/nothing-here', { lang: 'it' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(MESSAGES.it.notFoundTitle);
    const api = await tc.app.request('/api/v1/nothing-here', { headers: { accept: 'text/html' } });
    expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'NOT_FOUND',
    ]);
  });
});
