import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { smtpMailer } from '../../bridge/mail/mailer.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { activationLink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';

/** Accounts through the portal API, with activation mails over real SMTP to a local sink. */
describe('accounts', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let tc: TestCore;
  let n = 0;

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await tc.app.request(path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
  const follow = (link: URL) => call('GET', `${link.pathname}${link.search}`);

  async function registered(language = 'en') {
    const email = `user${++n}@example.com`;
    const r = await call('POST', '/api/v1/accounts', { email, password: 'a long password', name: 'Dana', language });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return { email, mail: await smtp.mailTo(email) };
  }
  async function active() {
    const { email, mail } = await registered();
    expect((await follow(activationLink(mail))).status).toBe(200);
    const login = await call('POST', '/api/v1/session', { email, password: 'a long password' });
    expect(login.status).toBe(201);
    return { email, token: login.json.token as string };
  }

  beforeAll(async () => {
    tmp = await tempDir('mylic-accounts-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    smtp = await startSmtpSink();
  });
  beforeEach(async () => {
    await tc?.close();
    tc = await makeTestCore(`${tmp.dir}/${++n}`, pki, { mailer: smtpMailer(smtp.url, 'portal@example.com'), publicUrl: 'https://portal.example.test' });
  });
  afterAll(async () => {
    await tc?.close();
    await smtp?.close();
    await tmp?.cleanup();
  });

  it('sends an activation mail with a one-time link; not activated, the account cannot log in', async () => {
    const { email, mail } = await registered();
    expect(mail.from).toBe('portal@example.com');
    expect(mail.subject).toBe('Activate your mylic account');
    const before = await call('POST', '/api/v1/session', { email, password: 'a long password' });
    expect(before.status).toBe(403);
    expect(before.json.error.code).toBe('ACCOUNT_NOT_ACTIVATED');
    const link = activationLink(mail);
    expect(link.origin).toBe('https://portal.example.test');
    expect(await follow(link)).toMatchObject({ status: 200, json: { activated: true, email } });
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(201);
    // The link works once.
    expect((await follow(link)).status).toBe(404);
  });

  it('writes the activation mail in the language chosen at registration', async () => {
    const { mail } = await registered('de');
    expect(mail.subject).toBe('Aktivieren Sie Ihr mylic-Konto');
  });

  it('refuses an expired activation link', async () => {
    const { mail } = await registered();
    tc.clock.set(new Date(Date.now() + 49 * 3600_000));
    expect((await follow(activationLink(mail))).status).toBe(404);
  });

  it('refuses a second account with the same e-mail, a short password and a bad e-mail', async () => {
    const { email } = await registered();
    expect((await call('POST', '/api/v1/accounts', { email, password: 'a long password', name: 'X' })).json.error.code).toBe('EMAIL_TAKEN');
    const short = await call('POST', '/api/v1/accounts', { email: 'new@example.com', password: 'short', name: 'X' });
    expect(short.status).toBe(400);
    expect(short.json.error.code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/api/v1/accounts', { email: 'not-an-email', password: 'a long password', name: 'X' })).status).toBe(400);
  });

  it('limits failed logins per account with 429 and Retry-After, and a correct password does not pass the limit', async () => {
    const { email } = await active();
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/v1/session', { email, password: 'wrong password' })).status).toBe(401);
    const limited = await call('POST', '/api/v1/session', { email, password: 'a long password' });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    tc.clock.set(new Date(Date.now() + 16 * 60_000));
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(201);
  });

  it('changes personal data, language and mail preference only with the current password', async () => {
    const { token } = await active();
    const wrong = await call('PATCH', '/api/v1/account', { currentPassword: 'nope', name: 'Eve' }, token);
    expect(wrong.status).toBe(401);
    const ok = await call('PATCH', '/api/v1/account', { currentPassword: 'a long password', name: 'Dana B', language: 'fr', mailOptIn: false }, token);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: 'Dana B', language: 'fr', mailOptIn: false });
    expect((await call('GET', '/api/v1/account', undefined, token)).json.name).toBe('Dana B');
  });

  it('changes the password: the old one stops working and other sessions end', async () => {
    const { email, token } = await active();
    const other = (await call('POST', '/api/v1/session', { email, password: 'a long password' })).json.token;
    expect((await call('PATCH', '/api/v1/account', { currentPassword: 'a long password', newPassword: 'another long password' }, token)).status).toBe(200);
    expect((await call('GET', '/api/v1/account', undefined, other)).status).toBe(401);
    expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(200);
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(401);
    expect((await call('POST', '/api/v1/session', { email, password: 'another long password' })).status).toBe(201);
  });

  it('changes the e-mail address: the account must be activated again from the new address', async () => {
    const { email, token } = await active();
    const r = await call('POST', '/api/v1/account/email', { currentPassword: 'a long password', newEmail: 'moved@example.com' }, token);
    expect(r.status).toBe(202);
    expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(401);
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).json.error.code).toBe('ACCOUNT_NOT_ACTIVATED');
    const mail = await smtp.mailTo('moved@example.com');
    expect((await follow(activationLink(mail))).json).toEqual({ activated: true, email: 'moved@example.com' });
    expect((await call('POST', '/api/v1/session', { email: 'moved@example.com', password: 'a long password' })).status).toBe(201);
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(401);
  });

  it('creates, lists and revokes API tokens; a revoked token is refused', async () => {
    const { token } = await active();
    const created = await call('POST', '/api/v1/account/tokens', { label: 'rollout script' }, token);
    expect(created.status).toBe(201);
    const api = created.json.token as string;
    expect((await call('GET', '/api/v1/account', undefined, api)).status).toBe(200);
    const list = await call('GET', '/api/v1/account/tokens', undefined, token);
    expect(list.json).toHaveLength(1);
    expect(list.json[0].label).toBe('rollout script');
    expect(JSON.stringify(list.json)).not.toContain(api);
    expect((await call('DELETE', `/api/v1/account/tokens/${list.json[0].id}`, undefined, token)).status).toBe(204);
    expect((await call('GET', '/api/v1/account', undefined, api)).status).toBe(401);
  });

  it("does not let one user see or revoke another user's API tokens", async () => {
    const a = await active();
    const b = await active();
    await call('POST', '/api/v1/account/tokens', { label: 'a' }, a.token);
    const id = (await call('GET', '/api/v1/account/tokens', undefined, a.token)).json[0].id;
    expect((await call('GET', '/api/v1/account/tokens', undefined, b.token)).json).toEqual([]);
    expect((await call('DELETE', `/api/v1/account/tokens/${id}`, undefined, b.token)).status).toBe(404);
    expect((await call('GET', '/api/v1/account/tokens', undefined, a.token)).json).toHaveLength(1);
  });

  it('refuses every account endpoint without a session', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/account'],
      ['PATCH', '/api/v1/account'],
      ['POST', '/api/v1/account/email'],
      ['POST', '/api/v1/account/tokens'],
      ['GET', '/api/v1/account/tokens'],
      ['DELETE', '/api/v1/account/tokens/0123456789abcdef'],
      ['GET', '/api/v1/history'],
    ] as const) {
      const r = await call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.json.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lists every portal route in /openapi.json', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/accounts', '/api/v1/account', '/api/v1/account/tokens/{id}', '/api/v1/session', '/api/v1/history', '/api/v1/invalidations']));
    expect(doc.paths['/api/v1/accounts'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'password', 'name']));
  });
});
