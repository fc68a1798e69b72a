import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PORTAL_IDLE_MS, SESSION_TTL_MS } from '../../bridge/core/accounts/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { snapshotDatabase } from '../support/db-snapshot.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, makeUser, type FixtureUser, type Tenant } from '../bridge/fixtures.js';

/**
 * Account as pages (seed L296-298: personal data, password, e-mail; every change asks for the current
 * password; a new e-mail address must be activated again; L71: the SSA mails chosen per user) and the
 * API tokens for scripts (shown once, listed without the token, revoked). Each form refuses a stale
 * CSRF token and a cross-origin post, changing nothing; another account's token id is "not found".
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let n = 0;
const ORIGIN = 'https://portal.test';
const sent: { to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  root = await tempDir('mylic-web-account-settings-');
  tc = await makeTestCore(root.dir, undefined, {
    mailer: { send: async (m) => void sent.push(m) },
    publicUrl: ORIGIN,
  });
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
});
beforeEach(() => tc.clock.set(null));
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Form = Record<string, string | string[]>;
const body = (form: Form) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};
const request = (path: string, opts: { cookie?: string; form?: Form; lang?: string; origin?: string } = {}) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: body(opts.form) } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': opts.lang ?? 'en',
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.form
        ? { origin: opts.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
/** The value a response sets for a cookie, if it sets one. */
const cookieSet = (res: Response, name: string) =>
  new RegExp(`${name}=([^;]*)`).exec(res.headers.getSetCookie().join('\n'))?.[1];
async function logIn(user: { email: string; password: string }, lang = 'en') {
  const res = await request('/login', { form: { email: user.email, password: user.password }, lang });
  expect(res.status).toBe(303);
  const token = cookieSet(res, SESSION_COOKIE)!;
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfFor(token), token, res };
}
/** A user of their own (their account is changed by the test). */
async function freshUser() {
  const user = await makeUser(tc, `acct${++n}@example.test`);
  return { user, ...(await logIn(user)) };
}
const userRow = (id: number) =>
  tc.core.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const api = (token: string, path = '/account') =>
  tc.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
const tokenIn = (html: string) => /id="token-value"[^>]*value="([^"]+)"/.exec(html)?.[1];

describe('personal data', () => {
  it('shows the account’s name, phone, language, mail choice and e-mail address, in German', async () => {
    const { cookie } = await logIn(ann.user);
    const res = await request('/account', { cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.accountDataHeading);
    expect(html).toContain('value="ann"');
    expect(html).toContain(MESSAGES.de.accountEmailCurrent.replace('{email}', ann.user.email));
    expect(html).toMatch(/<option value="en" lang="en" selected/);
    expect(html).toMatch(/id="data-mails" name="mailOptIn" type="checkbox" checked/);
    expect(html).toContain('aria-current="page"');
  });

  it('saves name, phone, language and the mail choice with the current password; the next pages speak the saved language, ?lang= still switches', async () => {
    const { user, cookie, csrf } = await freshUser();
    const res = await request('/account/data', {
      cookie,
      lang: 'de',
      form: { csrf, name: 'Dora Neu', phone: '+49 30 1234', language: 'it', currentPassword: user.password },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?done=data');
    expect(cookieSet(res, '__Host-mylic-lang')).toBe('it');
    const row = await userRow(user.id);
    expect([row.name, row.phone, row.language, row.mail_opt_in]).toEqual([
      'Dora Neu',
      '+49 30 1234',
      'it',
      0,
    ]);
    // The browser still asks for German, the account says Italian.
    const next = await request('/account?done=data', {
      cookie: `${cookie}; __Host-mylic-lang=it`,
      lang: 'de',
    });
    const html = await next.text();
    expect(html).toContain(MESSAGES.it.accountDataSaved);
    expect(html).toContain('<html lang="it">');
    const switched = await request('/account?lang=fr', { cookie: `${cookie}; __Host-mylic-lang=it` });
    expect(await switched.text()).toContain(MESSAGES.fr.accountDataHeading);
    // A new log-in from a browser asking for English: the account's Italian again.
    const again = await logIn(user, 'en');
    expect(cookieSet(again.res, '__Host-mylic-lang')).toBe('it');
    const history = await tc.core.store.db
      .selectFrom('history')
      .select('detail')
      .where('event', '=', 'user.updated')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(history.detail).fields.sort()).toEqual(['language', 'mailOptIn', 'name', 'phone']);
  });

  it('refuses a change with a wrong current password: the sentence beside the field, the input kept, nothing changed', async () => {
    const { user, cookie, csrf } = await freshUser();
    const before = await snapshotDatabase(tc);
    const res = await request('/account/data', {
      cookie,
      lang: 'nl',
      form: {
        csrf,
        name: 'Nieuwe Naam',
        phone: '',
        language: 'nl',
        mailOptIn: 'on',
        currentPassword: 'wrong password',
      },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.nl.accountPasswordWrong);
    expect(html).toContain('value="Nieuwe Naam"');
    expect(html).not.toContain('wrong password');
    expect(await snapshotDatabase(tc)).toEqual(before);
    expect((await userRow(user.id)).name).toBe(user.email.split('@')[0]);
  });

  it('names a missing name, a phone number too long and a missing current password, changing nothing', async () => {
    const { cookie, csrf } = await freshUser();
    const before = await snapshotDatabase(tc);
    const res = await request('/account/data', {
      cookie,
      form: { csrf, name: '  ', phone: '1'.repeat(51), language: 'en', currentPassword: '' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.en.nameRequired);
    expect(html).toContain(MESSAGES.en.accountPhoneTooLong);
    expect(html).toContain(MESSAGES.en.accountCurrentPasswordMissing);
    expect(html).toContain('href="#data-current"');
    expect(await snapshotDatabase(tc)).toEqual(before);
  });

  it('pauses after too many wrong current passwords (429, Retry-After), like failed log-ins', async () => {
    const { user, cookie, csrf } = await freshUser();
    let last: Response | undefined;
    for (let i = 0; i < 6; i++)
      last = await request('/account/data', {
        cookie,
        form: { csrf, name: 'X', phone: '', language: 'en', currentPassword: `wrong ${i}` },
      });
    expect(last!.status).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last!.text()).toContain(MESSAGES.en.accountPasswordLimited.split('{minutes}')[0]);
    expect((await userRow(user.id)).name).not.toBe('X');
  });
});

describe('password', () => {
  it('changes the password with the current one; other sessions and API tokens end, this one stays', async () => {
    const { user, cookie, csrf } = await freshUser();
    const other = await logIn(user);
    const made = await request('/account/tokens', {
      cookie,
      form: { csrf, label: 'cron', scopes: 'read', currentPassword: user.password },
    });
    const token = tokenIn(await made.text())!;
    expect((await api(token)).status).toBe(200);
    const res = await request('/account/password', {
      cookie,
      lang: 'fr',
      form: {
        csrf,
        currentPassword: user.password,
        newPassword: 'a new long password',
        newPasswordAgain: 'a new long password',
      },
    });
    expect(res.status).toBe(303);
    const page = await request(res.headers.get('location')!, { cookie, lang: 'fr' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(MESSAGES.fr.accountPasswordSaved);
    expect((await api(token)).status).toBe(401);
    expect((await request('/account', { cookie: other.cookie })).status).toBe(303);
    await logIn({ email: user.email, password: 'a new long password' });
  });

  it('refuses a short new password, two different ones and a wrong current password, changing nothing', async () => {
    const { user, cookie, csrf } = await freshUser();
    const before = await snapshotDatabase(tc);
    const short = await request('/account/password', {
      cookie,
      lang: 'it',
      form: { csrf, currentPassword: user.password, newPassword: 'short', newPasswordAgain: 'short' },
    });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain(MESSAGES.it.passwordRule);
    const differ = await request('/account/password', {
      cookie,
      form: {
        csrf,
        currentPassword: user.password,
        newPassword: 'a new long password',
        newPasswordAgain: 'a new long passwort',
      },
    });
    expect(differ.status).toBe(400);
    expect(await differ.text()).toContain(MESSAGES.en.accountPasswordsDiffer);
    const wrong = await request('/account/password', {
      cookie,
      form: {
        csrf,
        currentPassword: 'not it at all',
        newPassword: 'a new long password',
        newPasswordAgain: 'a new long password',
      },
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(MESSAGES.en.accountPasswordWrong);
    expect(await snapshotDatabase(tc)).toEqual(before);
    await logIn(user);
  });
});

describe('e-mail address', () => {
  it('sends a confirmation link to the new address; the account keeps its address until it is followed, the page says so', async () => {
    const { user, cookie, csrf } = await freshUser();
    const res = await request('/account/email', {
      cookie,
      lang: 'de',
      form: { csrf, newEmail: 'New.Address@Example.test', currentPassword: user.password },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?done=email');
    const mail = sent.find((m) => m.to === 'new.address@example.test');
    expect(mail?.text).toContain(`${ORIGIN}/activate?token=`);
    expect((await userRow(user.id)).email).toBe(user.email);
    const html = await (await request('/account?done=email', { cookie, lang: 'de' })).text();
    expect(html).toContain(
      MESSAGES.de.accountEmailSent
        .replace('{email}', 'new.address@example.test')
        .replace('{current}', user.email),
    );
    expect(html).toContain(
      MESSAGES.de.accountEmailPending
        .replace('{email}', 'new.address@example.test')
        .replace('{current}', user.email),
    );
  });

  it('refuses an address that is no address, the account’s own, another account’s, and a wrong password, changing nothing', async () => {
    const { user, cookie, csrf } = await freshUser();
    const before = await snapshotDatabase(tc);
    const mails = sent.length;
    const cases: [string, string, number, string][] = [
      ['not-an-address', user.password, 400, MESSAGES.en.emailInvalid],
      [user.email.toUpperCase(), user.password, 400, MESSAGES.en.accountEmailSame],
      [bob.user.email, user.password, 409, MESSAGES.en.accountEmailTaken],
      ['free@example.test', 'wrong password', 400, MESSAGES.en.accountPasswordWrong],
    ];
    for (const [newEmail, currentPassword, status, sentence] of cases) {
      const res = await request('/account/email', { cookie, form: { csrf, newEmail, currentPassword } });
      expect(res.status, newEmail).toBe(status);
      const html = await res.text();
      expect(html).toContain(sentence);
      expect(html).toContain(`value="${newEmail}"`);
    }
    expect(await snapshotDatabase(tc)).toEqual(before);
    expect(sent.length).toBe(mails);
  });
});

describe('API tokens', () => {
  it('shows a new token once, with the sentence that it will not be shown again; the list never shows it; it works against /api/v1 until revoked', async () => {
    const { user, cookie, csrf } = await freshUser();
    const made = await request('/account/tokens', {
      cookie,
      lang: 'fr',
      form: { csrf, label: 'inventaire', scopes: ['read', 'devices'], currentPassword: user.password },
    });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const html = await made.text();
    expect(html).toContain(MESSAGES.fr.accountTokenCreated.replace('{label}', 'inventaire'));
    const token = tokenIn(html)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await api(token)).status).toBe(200);
    const list = await (await request('/account/tokens', { cookie, lang: 'fr' })).text();
    expect(list).not.toContain(token);
    expect(list).toContain('<th scope="row">inventaire</th>');
    expect(list).toContain('<span class="tag">devices</span>');
    expect(list).not.toContain(MESSAGES.fr.accountTokenNever);
    const id = /action="\/account\/tokens\/([0-9a-f]{16})\/revoke"/.exec(list)![1]!;
    const revoked = await request(`/account/tokens/${id}/revoke`, { cookie, form: { csrf } });
    expect(revoked.status).toBe(303);
    expect(await (await request(revoked.headers.get('location')!, { cookie })).text()).toContain(
      MESSAGES.en.accountTokenRevoked,
    );
    expect((await api(token)).status).toBe(401);
  });

  it('lists a token never used as never used, with its scopes and company', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    await request('/account/tokens', {
      cookie,
      form: { csrf, label: 'unused', scopes: 'keys', currentPassword: ann.user.password },
    });
    const list = await (await request('/account/tokens', { cookie, lang: 'nl' })).text();
    const row = /<th scope="row">unused<\/th>[\s\S]*?<\/tr>/.exec(list)![0];
    expect(row).toContain(MESSAGES.nl.accountTokenNever);
    expect(row).toContain('<span class="tag">keys</span>');
    expect(row).toContain('Company ann');
  });

  it('makes no token without a name, without a scope or with a wrong current password', async () => {
    const { user, cookie, csrf } = await freshUser();
    const before = await snapshotDatabase(tc);
    const cases: [Form, string][] = [
      [{ label: '', scopes: 'read', currentPassword: user.password }, MESSAGES.en.accountTokenLabelMissing],
      [
        { label: 'x', scopes: 'everything', currentPassword: user.password },
        MESSAGES.en.accountTokenScopesMissing,
      ],
      [{ label: 'x', scopes: 'read', currentPassword: 'wrong password' }, MESSAGES.en.accountPasswordWrong],
    ];
    for (const [form, sentence] of cases) {
      const res = await request('/account/tokens', { cookie, form: { csrf, ...form } });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(sentence);
      expect(tokenIn(html)).toBeUndefined();
    }
    expect(await snapshotDatabase(tc)).toEqual(before);
  });

  it('answers another account’s token id with the not-found page and revokes nothing', async () => {
    const own = await logIn(ann.user);
    const made = await request('/account/tokens', {
      cookie: own.cookie,
      form: { csrf: own.csrf, label: 'ann-script', scopes: 'read', currentPassword: ann.user.password },
    });
    const token = tokenIn(await made.text())!;
    const list = await (await request('/account/tokens', { cookie: own.cookie })).text();
    const id =
      /<th scope="row">ann-script<\/th>[\s\S]*?action="\/account\/tokens\/([0-9a-f]{16})\/revoke"/.exec(
        list,
      )![1]!;
    const them = await logIn(bob.user);
    const before = await snapshotDatabase(tc);
    for (const path of [`/account/tokens/${id}/revoke`, '/account/tokens/nothex/revoke']) {
      const res = await request(path, { cookie: them.cookie, form: { csrf: them.csrf } });
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain(MESSAGES.en.notFound);
      expect(html).not.toContain('ann-script');
    }
    expect(await snapshotDatabase(tc)).toEqual(before);
    expect((await api(token)).status).toBe(200);
    // Bob's list does not show Ann's token either.
    expect(await (await request('/account/tokens', { cookie: them.cookie })).text()).not.toContain(
      'ann-script',
    );
  });

  it('tells a member locked in the selected company that no token can be made', async () => {
    const cara = await makeTenant(tc, { name: 'cara', mac: '00-90-33-65-00-03' });
    const { cookie, csrf } = await logIn(cara.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', cara.user.id)
      .execute();
    const before = await snapshotDatabase(tc);
    const res = await request('/account/tokens', {
      cookie,
      lang: 'it',
      form: { csrf, label: 'x', scopes: 'read', currentPassword: cara.user.password },
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(MESSAGES.it.locked.replaceAll("'", '&#39;'));
    expect(tokenIn(html)).toBeUndefined();
    expect(await snapshotDatabase(tc)).toEqual(before);
  });
});

describe('the walls of every form', () => {
  const forms = (u: FixtureUser): [string, Form][] => [
    ['/account/data', { name: 'Evil', phone: '', language: 'de', currentPassword: u.password }],
    [
      '/account/password',
      { currentPassword: u.password, newPassword: 'evil password 1', newPasswordAgain: 'evil password 1' },
    ],
    ['/account/email', { newEmail: 'evil@example.test', currentPassword: u.password }],
    ['/account/tokens', { label: 'evil', scopes: 'read', currentPassword: u.password }],
  ];

  it('refuses a stale CSRF token and a cross-origin post with the sentence, changing nothing', async () => {
    const { user, cookie, csrf } = await freshUser();
    const made = await request('/account/tokens', {
      cookie,
      form: { csrf, label: 'keep', scopes: 'read', currentPassword: user.password },
    });
    const token = tokenIn(await made.text())!;
    const id = /action="\/account\/tokens\/([0-9a-f]{16})\/revoke"/.exec(
      await (await request('/account/tokens', { cookie })).text(),
    )![1]!;
    const before = await snapshotDatabase(tc);
    const mails = sent.length;
    for (const [path, form] of [...forms(user), [`/account/tokens/${id}/revoke`, {}] as [string, Form]]) {
      for (const attempt of [
        { csrf: csrfFor('x'.repeat(43)), origin: ORIGIN },
        { csrf: '', origin: ORIGIN },
        { csrf, origin: 'https://evil.example' },
      ]) {
        const res = await request(path, {
          cookie,
          lang: 'de',
          origin: attempt.origin,
          form: { ...form, csrf: attempt.csrf },
        });
        expect(res.status, `${path} ${attempt.origin}`).toBe(403);
        expect(await res.text()).toContain(MESSAGES.de.sessionExpired);
      }
    }
    expect(await snapshotDatabase(tc)).toEqual(before);
    expect(sent.length).toBe(mails);
    expect((await api(token)).status).toBe(200);
  });

  it('sends a logged-out browser to the log-in page, changing nothing', async () => {
    const { user, cookie, csrf } = await freshUser();
    expect((await request('/logout', { cookie, form: { csrf } })).status).toBe(303);
    const before = await snapshotDatabase(tc);
    for (const [path, form] of forms(user)) {
      const res = await request(path, { cookie, form: { ...form, csrf } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    expect((await request('/account', { cookie })).status).toBe(303);
    expect(await snapshotDatabase(tc)).toEqual(before);
  });
});

describe('session timeouts on the pages', () => {
  it('after 30 minutes without a request the next page is the log-in page, saying the session ended after inactivity', async () => {
    const start = Date.now();
    tc.clock.set(new Date(start));
    const { cookie } = await freshUser();
    tc.clock.set(new Date(start + 20 * 60_000));
    expect((await request('/account', { cookie })).status).toBe(200);
    // Active 20 minutes ago: still in at 45 minutes after the log-in.
    tc.clock.set(new Date(start + 40 * 60_000));
    expect((await request('/account', { cookie })).status).toBe(200);
    tc.clock.set(new Date(start + 40 * 60_000 + PORTAL_IDLE_MS + 1_000));
    const res = await request('/account', { cookie, lang: 'de' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Faccount');
    const ended = cookieSet(res, '__Host-mylic-ended');
    expect(ended).toBe('idle');
    const login = await request('/login?next=%2Faccount', {
      cookie: `${cookie}; __Host-mylic-ended=${ended}`,
      lang: 'de',
    });
    const html = await login.text();
    expect(html).toContain(MESSAGES.de.accountSessionIdle.replace('{minutes}', '30'));
    expect(login.headers.getSetCookie().join('\n')).toMatch(/__Host-mylic-ended=;/);
    // Logging in again clears it.
    const fresh = await tc.app.request(`${ORIGIN}/login`, {
      method: 'POST',
      body: body({ email: `acct${n}@example.test`, password: `pw-acct${n}@example.test-secret` }),
      headers: {
        host: 'portal.test',
        origin: ORIGIN,
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `${cookie}; __Host-mylic-ended=idle`,
      },
    });
    expect(fresh.status).toBe(303);
    expect(fresh.headers.getSetCookie().join('\n')).toMatch(/__Host-mylic-ended=;/);
    // Once: the next visit of the log-in page says it no more.
    expect(await (await request('/login?next=%2Faccount', { cookie, lang: 'de' })).text()).not.toContain(
      MESSAGES.de.accountSessionIdle.replace('{minutes}', '30'),
    );
  });

  it('after 8 hours the session ends even when in use, and the log-in page says so', async () => {
    const start = Date.now();
    tc.clock.set(new Date(start));
    const { cookie } = await freshUser();
    for (let at = start + 25 * 60_000; at < start + SESSION_TTL_MS.portal; at += 25 * 60_000) {
      tc.clock.set(new Date(at));
      expect((await request('/account', { cookie })).status).toBe(200);
    }
    tc.clock.set(new Date(start + SESSION_TTL_MS.portal + 1_000));
    const res = await request('/account', { cookie });
    expect(res.status).toBe(303);
    expect(cookieSet(res, '__Host-mylic-ended')).toBe('lifetime');
    const login = await request('/login?next=%2Faccount', { cookie: '__Host-mylic-ended=lifetime' });
    expect(await login.text()).toContain(MESSAGES.en.accountSessionLifetime.replace('{hours}', '8'));
  });
});
