import { createHash, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUser, SESSION_TTL_MS } from '../../bridge/core/accounts/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { register } from '../../bridge/core/accounts/index.js';
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
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
  // The mailed link opens the portal's activation page (test/web/account-pages.test.ts); its token
  // activates through the API here, as a script would.
  const follow = (link: URL) => {
    expect(link.pathname).toBe('/activate');
    return call('GET', `/api/v1/account/activate${link.search}`);
  };

  async function registered(language = 'en') {
    const email = `user${++n}@example.com`;
    const r = await call('POST', '/api/v1/accounts', {
      email,
      password: 'a long password',
      name: 'Dana',
      language,
    });
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
    tc = await makeTestCore(`${tmp.dir}/${++n}`, pki, {
      mailer: smtpMailer(smtp.url, 'portal@example.com'),
      publicUrl: 'https://portal.example.test',
    });
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

  it('answers a registration with a taken address exactly like a new one and mails the owner instead; refuses a short password and a bad e-mail', async () => {
    // An activated address is taken (a pending one is re-sent its link, see "registration again" below).
    const { email } = await active();
    const fresh = await call('POST', '/api/v1/accounts', {
      email: `fresh${++n}@example.com`,
      password: 'a long password',
      name: 'X',
    });
    const taken = await call('POST', '/api/v1/accounts', {
      email,
      password: 'another long password',
      name: 'X',
      language: 'fr',
    });
    expect(taken.status).toBe(fresh.status);
    expect(taken.status).toBe(201);
    expect(Object.keys(taken.json).sort()).toEqual(Object.keys(fresh.json).sort());
    expect(taken.json).toEqual({ email, activationSent: true });
    expect(
      await tc.core.store.db.selectFrom('users').select('id').where('email', '=', email).execute(),
    ).toHaveLength(1);
    // The owner is told, in the account's language (not the registrant's), with no activation link.
    const deadline = Date.now() + 10_000;
    while (smtp.mails.filter((m) => m.to.includes(email)).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const told = smtp.mails.filter((m) => m.to.includes(email))[1]!;
    expect(told.subject).toBe('Someone tried to register with your address at mylic');
    expect(told.body).toContain('log in with your password');
    expect(told.body).toContain('https://portal.example.test/password-reset');
    expect(told.body).not.toContain('/activate?token=');
    // The account is unchanged: the owner's password still works, the registrant's does not.
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(201);
    expect((await call('POST', '/api/v1/session', { email, password: 'another long password' })).status).toBe(
      401,
    );
    const short = await call('POST', '/api/v1/accounts', {
      email: 'new@example.com',
      password: 'short',
      name: 'X',
    });
    expect(short.status).toBe(400);
    expect(short.json.error.code).toBe('VALIDATION_FAILED');
    expect(
      (
        await call('POST', '/api/v1/accounts', {
          email: 'not-an-email',
          password: 'a long password',
          name: 'X',
        })
      ).status,
    ).toBe(400);
  });

  it('limits failed logins per account with 429 and Retry-After, and a correct password does not pass the limit', async () => {
    const { email } = await active();
    for (let i = 0; i < 5; i++)
      expect((await call('POST', '/api/v1/session', { email, password: 'wrong password' })).status).toBe(401);
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
    const ok = await call(
      'PATCH',
      '/api/v1/account',
      { currentPassword: 'a long password', name: 'Dana B', language: 'fr', mailOptIn: false },
      token,
    );
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: 'Dana B', language: 'fr', mailOptIn: false });
    expect((await call('GET', '/api/v1/account', undefined, token)).json.name).toBe('Dana B');
  });

  it('changes the password: the old one stops working and other sessions end', async () => {
    const { email, token } = await active();
    const other = (await call('POST', '/api/v1/session', { email, password: 'a long password' })).json.token;
    expect(
      (
        await call(
          'PATCH',
          '/api/v1/account',
          { currentPassword: 'a long password', newPassword: 'another long password' },
          token,
        )
      ).status,
    ).toBe(200);
    expect((await call('GET', '/api/v1/account', undefined, other)).status).toBe(401);
    expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(200);
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(401);
    expect((await call('POST', '/api/v1/session', { email, password: 'another long password' })).status).toBe(
      201,
    );
  });

  it('changes the e-mail address: the old address keeps working (login, session, active) until the new one is confirmed, which then takes over', async () => {
    const { email, token } = await active();
    const r = await call(
      'POST',
      '/api/v1/account/email',
      { currentPassword: 'a long password', newEmail: 'moved@example.com' },
      token,
    );
    expect(r.status).toBe(202);
    expect((await call('GET', '/api/v1/account', undefined, token)).json).toMatchObject({
      email,
      pendingEmail: 'moved@example.com',
    });
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(201);
    expect(
      (await call('POST', '/api/v1/session', { email: 'moved@example.com', password: 'a long password' }))
        .status,
    ).toBe(401);
    expect(
      await tc.core.store.db
        .selectFrom('users')
        .select('active')
        .where('email', '=', email)
        .executeTakeFirstOrThrow(),
    ).toEqual({ active: 1 });
    const mail = await smtp.mailTo('moved@example.com');
    expect((await follow(activationLink(mail))).json).toEqual({
      activated: true,
      email: 'moved@example.com',
    });
    expect(
      (await call('POST', '/api/v1/session', { email: 'moved@example.com', password: 'a long password' }))
        .status,
    ).toBe(201);
    expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(401);
    expect((await call('GET', '/api/v1/account', undefined, token)).json).toMatchObject({
      email: 'moved@example.com',
      pendingEmail: null,
    });
  });

  it('recovers from a mistyped new address: the account stays usable, a second change replaces the first, whose link stops working', async () => {
    const { email, token } = await active();
    expect(
      (
        await call(
          'POST',
          '/api/v1/account/email',
          { currentPassword: 'a long password', newEmail: 'typo@exmaple.com' },
          token,
        )
      ).status,
    ).toBe(202);
    const typo = await smtp.mailTo('typo@exmaple.com');
    expect(
      (
        await call(
          'POST',
          '/api/v1/account/email',
          { currentPassword: 'a long password', newEmail: `right${n}@example.com` },
          token,
        )
      ).status,
    ).toBe(202);
    expect((await call('GET', '/api/v1/account', undefined, token)).json).toMatchObject({
      email,
      pendingEmail: `right${n}@example.com`,
    });
    expect((await follow(activationLink(typo))).status).toBe(404);
    expect((await follow(activationLink(await smtp.mailTo(`right${n}@example.com`)))).status).toBe(200);
    expect((await call('GET', '/api/v1/account', undefined, token)).json.email).toBe(`right${n}@example.com`);
  });

  it('takes an e-mail change back when its mail cannot be sent: 503 MAIL_UNAVAILABLE, the old address still logs in', async () => {
    const { email } = await active();
    const login = await call('POST', '/api/v1/session', { email, password: 'a long password' });
    const mailer = tc.core.mail.mailer;
    tc.core.mail.mailer = {
      send: async () => {
        throw new Error('SMTP relay refused the message');
      },
    };
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const r = await call(
        'POST',
        '/api/v1/account/email',
        { currentPassword: 'a long password', newEmail: 'nowhere@example.com' },
        login.json.token,
      );
      expect(r.status).toBe(503);
      expect(r.json.error).toMatchObject({
        code: 'MAIL_UNAVAILABLE',
        message: expect.stringContaining('Your address is unchanged'),
      });
      // The session was never ended.
      expect((await call('GET', '/api/v1/account', undefined, login.json.token)).json).toMatchObject({
        email,
        pendingEmail: null,
      });
    } finally {
      quiet.mockRestore();
      tc.core.mail.mailer = mailer;
    }
    const again = await call('POST', '/api/v1/session', { email, password: 'a long password' });
    expect(again.status).toBe(201);
    expect((await call('GET', '/api/v1/account', undefined, again.json.token)).json.email).toBe(email);
    const tokens = await tc.core.store.db
      .selectFrom('account_tokens')
      .select('token_hash')
      .where('email', '=', 'nowhere@example.com')
      .execute();
    expect(tokens).toEqual([]);
    const events = await tc.core.store.db
      .selectFrom('history')
      .select('event')
      .where('event', 'like', 'user.email_change%')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.event).slice(-2)).toEqual([
      'user.email_change_requested',
      'user.email_change_failed',
    ]);
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
    expect((await call('DELETE', `/api/v1/account/tokens/${list.json[0].id}`, undefined, token)).status).toBe(
      204,
    );
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

  describe('the current password is guessed under the login limit', () => {
    it('answers 429 with Retry-After after five wrong current passwords over PATCH /account and POST /account/email, even for the right one, and limits the login too', async () => {
      const { email, token } = await active();
      for (let i = 0; i < 3; i++)
        expect(
          (await call('PATCH', '/api/v1/account', { currentPassword: `guess ${i}`, name: 'Eve' }, token)).json
            .error.code,
        ).toBe('LOGIN_FAILED');
      for (let i = 3; i < 5; i++) {
        expect(
          (
            await call(
              'POST',
              '/api/v1/account/email',
              { currentPassword: `guess ${i}`, newEmail: 'eve@example.com' },
              token,
            )
          ).json.error.code,
        ).toBe('LOGIN_FAILED');
      }
      for (const attempt of [
        () => call('PATCH', '/api/v1/account', { currentPassword: 'a long password', name: 'Eve' }, token),
        () =>
          call(
            'POST',
            '/api/v1/account/email',
            { currentPassword: 'a long password', newEmail: 'eve@example.com' },
            token,
          ),
        () => call('POST', '/api/v1/session', { email, password: 'a long password' }),
      ]) {
        const limited = await attempt();
        expect(limited.status).toBe(429);
        expect(limited.json.error.code).toBe('RATE_LIMITED');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const me = await call('GET', '/api/v1/account', undefined, token);
      expect(me.json).toMatchObject({ email, name: 'Dana' });
      expect(smtp.mails.some((m) => m.to.includes('eve@example.com'))).toBe(false);
      // The window passes: the right password works again.
      tc.clock.set(new Date(Date.now() + 16 * 60_000));
      expect(
        (
          await call(
            'PATCH',
            '/api/v1/account',
            { currentPassword: 'a long password', name: 'Dana C' },
            token,
          )
        ).json.name,
      ).toBe('Dana C');
    });

    it('counts failed logins and wrong current passwords together against the account', async () => {
      const { email, token } = await active();
      for (let i = 0; i < 4; i++)
        expect((await call('POST', '/api/v1/session', { email, password: 'wrong password' })).status).toBe(
          401,
        );
      expect(
        (await call('PATCH', '/api/v1/account', { currentPassword: 'wrong again', phone: '1' }, token))
          .status,
      ).toBe(401);
      expect(
        (await call('PATCH', '/api/v1/account', { currentPassword: 'a long password', phone: '1' }, token))
          .status,
      ).toBe(429);
    });

    it('refuses an e-mail change with a wrong current password: 401 LOGIN_FAILED, no mail, the account keeps its address, stays active and logged in', async () => {
      const { email, token } = await active();
      const r = await call(
        'POST',
        '/api/v1/account/email',
        { currentPassword: 'not my password', newEmail: 'taken-over@example.com' },
        token,
      );
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('LOGIN_FAILED');
      expect((await call('GET', '/api/v1/account', undefined, token)).json.email).toBe(email);
      const user = await tc.core.store.db
        .selectFrom('users')
        .select(['id', 'email', 'active'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      expect(user.active).toBe(1);
      expect(
        await tc.core.store.db
          .selectFrom('account_tokens')
          .select('email')
          .where('user_id', '=', user.id)
          .where('used_at', 'is', null)
          .execute(),
      ).toEqual([]);
      expect(smtp.mails.some((m) => m.to.includes('taken-over@example.com'))).toBe(false);
      expect((await call('POST', '/api/v1/session', { email, password: 'a long password' })).status).toBe(
        201,
      );
    });
  });

  describe('registration again while the activation is pending', () => {
    const mailsTo = async (to: string, count: number) => {
      const deadline = Date.now() + 10_000;
      while (smtp.mails.filter((m) => m.to.includes(to)).length < count) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} mails to ${to}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return smtp.mails.filter((m) => m.to.includes(to));
    };

    it('re-sends a fresh link when the first activation mail failed after the account was stored, keeping the data of the first registration', async () => {
      const email = `relay-down${++n}@example.com`;
      const mailer = tc.core.mail.mailer;
      tc.core.mail.mailer = {
        send: async () => {
          throw new Error('SMTP relay refused the message');
        },
      };
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const failed = await call('POST', '/api/v1/accounts', {
          email,
          password: 'a long password',
          name: 'Dana',
        });
        expect(failed.status).toBe(503);
        expect(failed.json.error.code).toBe('MAIL_UNAVAILABLE');
        expect(failed.json.error.message).toContain('register again with the same address');
      } finally {
        quiet.mockRestore();
        tc.core.mail.mailer = mailer;
      }
      expect(
        await tc.core.store.db.selectFrom('users').select('active').where('email', '=', email).execute(),
      ).toEqual([{ active: 0 }]);

      const again = await call('POST', '/api/v1/accounts', {
        email,
        password: 'another long password',
        name: 'Mallory',
      });
      expect(again.status, JSON.stringify(again.json)).toBe(201);
      const [mail] = await mailsTo(email, 1);
      expect((await follow(activationLink(mail!))).json).toEqual({ activated: true, email });
      // The password of the first registration, not the second registrant's.
      expect(
        (await call('POST', '/api/v1/session', { email, password: 'another long password' })).status,
      ).toBe(401);
      const login = await call('POST', '/api/v1/session', { email, password: 'a long password' });
      expect(login.status).toBe(201);
      expect((await call('GET', '/api/v1/account', undefined, login.json.token)).json.name).toBe('Dana');
      expect(
        await tc.core.store.db.selectFrom('users').select('id').where('email', '=', email).execute(),
      ).toHaveLength(1);
      const events = await tc.core.store.db
        .selectFrom('history')
        .select('event')
        .where('event', 'like', 'user.%')
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.event)).toEqual(
        expect.arrayContaining(['user.registered', 'user.activation_resent', 'user.activated']),
      );
    });

    it('invalidates the earlier link: only the newest one activates', async () => {
      const { email, mail: first } = await registered();
      expect(
        (await call('POST', '/api/v1/accounts', { email, password: 'a long password', name: 'Dana' })).status,
      ).toBe(201);
      const [, second] = await mailsTo(email, 2);
      expect(activationLink(second!).search).not.toBe(activationLink(first).search);
      expect((await follow(activationLink(first))).status).toBe(404);
      expect((await follow(activationLink(second!))).status).toBe(200);
      // Activated, the address is taken: the same answer, and the owner is told instead of sent a link.
      expect(
        (await call('POST', '/api/v1/accounts', { email, password: 'a long password', name: 'Dana' })).status,
      ).toBe(201);
      const [, , third] = await mailsTo(email, 3);
      expect(third!.subject).toBe('Someone tried to register with your address at mylic');
      expect(() => activationLink(third!)).toThrow();
    });

    it('re-sends after the first link expired', async () => {
      const { email } = await registered();
      tc.clock.set(new Date(Date.now() + 49 * 3600_000));
      expect(
        (await call('POST', '/api/v1/accounts', { email, password: 'a long password', name: 'Dana' })).status,
      ).toBe(201);
      const [, fresh] = await mailsTo(email, 2);
      expect((await follow(activationLink(fresh!))).status).toBe(200);
    });

    it('does not re-send for an account waiting for an e-mail change: its old address stays taken (the owner is told) and the pending change stays valid', async () => {
      const { email, token } = await active();
      expect(
        (
          await call(
            'POST',
            '/api/v1/account/email',
            { currentPassword: 'a long password', newEmail: `changed${n}@example.com` },
            token,
          )
        ).status,
      ).toBe(202);
      const again = await call('POST', '/api/v1/accounts', {
        email,
        password: 'a long password',
        name: 'Eve',
      });
      expect(again.status).toBe(201);
      expect(again.json).toEqual({ email, activationSent: true });
      const [, told] = await mailsTo(email, 2);
      expect(told!.subject).toBe('Someone tried to register with your address at mylic');
      const change = await smtp.mailTo(`changed${n}@example.com`);
      expect((await follow(activationLink(change))).status).toBe(200);
    });

    it('counts re-sent links against the registration limit of the address (ten an hour)', async () => {
      const email = `often${++n}@example.com`;
      const input = { email, password: 'a long password', name: 'Dana', phone: '', language: 'en' as const };
      for (let i = 0; i < 10; i++) await register(tc.core, input, '198.51.100.7');
      await expect(register(tc.core, input, '198.51.100.7')).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        details: { retryAfter: expect.any(Number) },
      });
      expect(await mailsTo(email, 10)).toHaveLength(10);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(10);
    });
  });

  describe('sessions and stored secrets', () => {
    it('ends a portal session after its lifetime of 8 hours: 401 SESSION_EXPIRED', async () => {
      const { token } = await active();
      const start = Date.now();
      // Used every 20 minutes, so the idle limit (test/api/session-timeouts.test.ts) never ends it first.
      for (let at = start + 20 * 60_000; at < start + SESSION_TTL_MS.portal - 60_000; at += 20 * 60_000) {
        tc.clock.set(new Date(at));
        expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(200);
      }
      tc.clock.set(new Date(start + SESSION_TTL_MS.portal - 60_000));
      expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(200);
      tc.clock.set(new Date(start + SESSION_TTL_MS.portal + 1_000));
      const expired = await call('GET', '/api/v1/account', undefined, token);
      expect(expired.status).toBe(401);
      expect(expired.json.error.code).toBe('SESSION_EXPIRED');
    });

    it('ends an API token after its lifetime of a year: 401 SESSION_EXPIRED', async () => {
      const { token } = await active();
      const start = Date.now();
      const api = (await call('POST', '/api/v1/account/tokens', { label: 'cron' }, token)).json
        .token as string;
      tc.clock.set(new Date(start + SESSION_TTL_MS.api - 60_000));
      expect((await call('GET', '/api/v1/account', undefined, api)).status).toBe(200);
      tc.clock.set(new Date(start + SESSION_TTL_MS.api + 1_000));
      const expired = await call('GET', '/api/v1/account', undefined, api);
      expect(expired.status).toBe(401);
      expect(expired.json.error.code).toBe('SESSION_EXPIRED');
    });

    it('keeps only the SHA-256 of session tokens and API tokens in the sessions table, never the token itself', async () => {
      const { token } = await active();
      const api = (await call('POST', '/api/v1/account/tokens', { label: 'cron' }, token)).json
        .token as string;
      const rows = await tc.core.store.db.selectFrom('sessions').selectAll().execute();
      expect(rows).toHaveLength(2);
      const dump = JSON.stringify(rows);
      for (const t of [token, api]) {
        expect(dump).not.toContain(t);
        expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(t).digest('hex'));
      }
    });

    it('stores passwords as scrypt hashes with a salt of their own, which the password derives again', async () => {
      await active();
      await active();
      const rows = await tc.core.store.db.selectFrom('users').select('password_hash').execute();
      expect(rows).toHaveLength(2);
      for (const { password_hash } of rows) {
        const m = /^scrypt\$16384\$8\$1\$([A-Za-z0-9+/]{22}==)\$([A-Za-z0-9+/]{43}=)$/.exec(password_hash);
        expect(m, password_hash).not.toBeNull();
        const derived = scryptSync('a long password', Buffer.from(m![1]!, 'base64'), 32, {
          N: 16384,
          r: 8,
          p: 1,
        });
        expect(derived.toString('base64')).toBe(m![2]);
        expect(password_hash).not.toContain('a long password');
      }
      // The same password, two salts, two hashes.
      expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    });

    it('selects the first company of the user at login, and the first one where the user is not locked', async () => {
      const { email, token } = await active();
      const user = await tc.core.store.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      const admin = await createUser(tc.core, {
        email: `admin${++n}@example.com`,
        password: 'a long password',
        name: 'Admin',
        active: true,
      });
      const older = await createCompany(tc.core, admin.id, 'Older company');
      const newer = await createCompany(tc.core, admin.id, 'Newer company');
      // The user joins the newer company first: "first" is the order of the memberships, not of the ids.
      const adminToken = (
        await call('POST', '/api/v1/session', { email: admin.email, password: 'a long password' })
      ).json.token as string;
      expect(
        (await call('PUT', '/api/v1/session/company', { companyId: newer.companyId }, adminToken)).status,
      ).toBe(200);
      expect((await call('POST', '/api/v1/company/users', { email }, adminToken)).status).toBe(201);
      tc.clock.set(new Date(Date.now() + 1_000));
      expect(
        (await call('PUT', '/api/v1/session/company', { companyId: older.companyId }, adminToken)).status,
      ).toBe(200);
      expect((await call('POST', '/api/v1/company/users', { email }, adminToken)).status).toBe(201);
      expect((await call('GET', '/api/v1/account', undefined, token)).json.selectedCompanyId).toBeNull();

      const login = async () => {
        const t = (await call('POST', '/api/v1/session', { email, password: 'a long password' })).json
          .token as string;
        return (await call('GET', '/api/v1/account', undefined, t)).json.selectedCompanyId as number;
      };
      expect(await login()).toBe(newer.companyId);
      expect(
        (await call('PUT', '/api/v1/session/company', { companyId: newer.companyId }, adminToken)).status,
      ).toBe(200);
      expect(
        (await call('PATCH', `/api/v1/company/users/${user.id}`, { locked: true }, adminToken)).status,
      ).toBe(200);
      expect(await login()).toBe(older.companyId);
    });
  });

  it('lists every portal route in /openapi.json', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/accounts',
        '/api/v1/account',
        '/api/v1/account/tokens/{id}',
        '/api/v1/session',
        '/api/v1/history',
        '/api/v1/invalidations',
      ]),
    );
    expect(
      doc.paths['/api/v1/accounts'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['email', 'password', 'name']));
  });
});
