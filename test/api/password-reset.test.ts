import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { LANGUAGES } from '../../bridge/i18n/languages.js';
import { PASSWORD_RESET_MAIL } from '../../bridge/i18n/mail-texts.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { smtpMailer } from '../../bridge/mail/mailer.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { activationLink, startSmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';

/** Password reset by mail (issue 11), with the mail over real SMTP to a local sink. */
describe('password reset', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let tc: TestCore;
  let n = 0;

  const call = async (method: string, path: string, body?: unknown, token?: string, ip?: string) => {
    const res = await tc.app.request(
      path,
      {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      ip
        ? { incoming: { socket: { remoteAddress: ip, remotePort: 40_000, remoteFamily: 'IPv4' } } }
        : undefined,
    );
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
  const codeIn = (mail: ReceivedMail) => {
    const m = /code=([A-Za-z0-9_-]{43})\s/.exec(mail.body);
    if (!m) throw new Error(`no reset code in:\n${mail.body}`);
    return m[1]!;
  };
  /** The subject as written: RFC 2047 encoded words (UTF-8, Q or B) decoded. */
  const subjectOf = (mail: ReceivedMail) => {
    const raw = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(mail.raw)?.[1] ?? '';
    return raw
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            ).toString('utf8'),
      )
      .replace(/\r?\n[ \t]/g, ' ');
  };
  const mailsTo = (to: string) => smtp.mails.filter((m) => m.to.includes(to));
  async function nthMailTo(to: string, count: number) {
    const deadline = Date.now() + 10_000;
    while (mailsTo(to).length < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} mails to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return mailsTo(to)[count - 1]!;
  }
  async function user(language: (typeof LANGUAGES)[number] = 'en') {
    const email = `reset${++n}@example.com`;
    const u = await createUser(tc.core, {
      email,
      password: 'the old password',
      name: 'Rita',
      language,
      active: true,
    });
    return { id: u.id, email };
  }
  const login = (email: string, password: string) => call('POST', '/api/v1/session', { email, password });

  beforeAll(async () => {
    tmp = await tempDir('mylic-reset-');
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

  it('resets a forgotten password by a mailed code: the new password works, the old one not, and every session and API token of the account ends', async () => {
    const { email } = await user();
    const session = (await login(email, 'the old password')).json.token as string;
    const api = (await call('POST', '/api/v1/account/tokens', { label: 'cron' }, session)).json
      .token as string;
    const asked = await call('POST', '/api/v1/password-reset', { email });
    expect(asked).toMatchObject({ status: 202, json: { mailSent: true } });
    const mail = await nthMailTo(email, 1);
    expect(mail.subject).toBe('Reset your mylic password');
    // The link opens the portal's page for the new password (bridge/web).
    expect(mail.body).toContain('https://portal.example.test/password-reset/confirm?code=');
    const done = await call('POST', '/api/v1/password-reset/confirm', {
      token: codeIn(mail),
      password: 'a brand new password',
    });
    expect(done).toMatchObject({ status: 200, json: { reset: true, email } });
    expect((await login(email, 'the old password')).status).toBe(401);
    expect((await login(email, 'a brand new password')).status).toBe(201);
    for (const t of [session, api])
      expect((await call('GET', '/api/v1/account', undefined, t)).status).toBe(401);
  });

  it('keeps only the hash of the code, and the code works once', async () => {
    const { email } = await user();
    await call('POST', '/api/v1/password-reset', { email });
    const code = codeIn(await nthMailTo(email, 1));
    const rows = await tc.core.store.db
      .selectFrom('account_tokens')
      .selectAll()
      .where('purpose', '=', 'reset')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: code,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(200);
    const again = await call('POST', '/api/v1/password-reset/confirm', {
      token: code,
      password: 'an attacker password',
    });
    expect(again.status).toBe(404);
    expect((await login(email, 'a brand new password')).status).toBe(201);
  });

  it('refuses a code after an hour', async () => {
    const { email } = await user();
    await call('POST', '/api/v1/password-reset', { email });
    const code = codeIn(await nthMailTo(email, 1));
    tc.clock.set(new Date(Date.now() + 61 * 60_000));
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: code,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(404);
    expect((await login(email, 'the old password')).status).toBe(201);
  });

  it('answers an unknown address exactly like a known one, and mails nobody', async () => {
    const { email } = await user();
    const known = await call('POST', '/api/v1/password-reset', { email });
    const unknown = await call('POST', '/api/v1/password-reset', { email: `nobody${n}@example.com` });
    expect(unknown.status).toBe(known.status);
    expect(unknown.json).toEqual(known.json);
    await nthMailTo(email, 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(`nobody${n}@example.com`)).toEqual([]);
  });

  it('limits requests to three an hour per address asked for, alike for known and unknown addresses, and ten per client address', async () => {
    const { email } = await user();
    for (const target of [email, `ghost${n}@example.com`]) {
      for (let i = 0; i < 3; i++)
        expect((await call('POST', '/api/v1/password-reset', { email: target })).status).toBe(202);
      const limited = await call('POST', '/api/v1/password-reset', { email: target });
      expect(limited.status).toBe(429);
      expect(limited.json.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    await nthMailTo(email, 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email)).toHaveLength(3);
    const ip = '203.0.113.77';
    for (let i = 0; i < 10; i++)
      expect(
        (await call('POST', '/api/v1/password-reset', { email: `many${n}-${i}@example.com` }, undefined, ip))
          .status,
      ).toBe(202);
    expect(
      (await call('POST', '/api/v1/password-reset', { email: `many${n}-x@example.com` }, undefined, ip))
        .status,
    ).toBe(429);
  });

  it('writes the reset mail in the language of the account, in each of the five languages', async () => {
    for (const language of LANGUAGES) {
      const { email } = await user(language);
      await call('POST', '/api/v1/password-reset', { email });
      const mail = await nthMailTo(email, 1);
      expect(subjectOf(mail)).toBe(PASSWORD_RESET_MAIL[language].subject);
      expect(codeIn(mail)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(new Set(LANGUAGES.map((l) => PASSWORD_RESET_MAIL[l].subject)).size).toBe(5);
  });

  it('voids the earlier code when a newer one is asked for', async () => {
    const { email } = await user();
    await call('POST', '/api/v1/password-reset', { email });
    const first = codeIn(await nthMailTo(email, 1));
    await call('POST', '/api/v1/password-reset', { email });
    const second = codeIn(await nthMailTo(email, 2));
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: first,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: second,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(200);
  });

  it('does not take a reset code for an activation link, nor an activation link for a reset code', async () => {
    const email = `fresh${++n}@example.com`;
    expect(
      (await call('POST', '/api/v1/accounts', { email, password: 'the old password', name: 'Fay' })).status,
    ).toBe(201);
    const activation = activationLink(await nthMailTo(email, 1)).searchParams.get('token')!;
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: activation,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(404);
    const { email: other } = await user();
    await call('POST', '/api/v1/password-reset', { email: other });
    const code = codeIn(await nthMailTo(other, 1));
    expect((await call('GET', `/api/v1/account/activate?token=${code}`)).status).toBe(404);
  });

  it('clears the login limit of the account: after a reset its owner logs in at once', async () => {
    const { email } = await user();
    for (let i = 0; i < 5; i++) expect((await login(email, `guess ${i}`)).status).toBe(401);
    expect((await login(email, 'the old password')).json.error.details.limit).toBe('account');
    await call('POST', '/api/v1/password-reset', { email });
    const code = codeIn(await nthMailTo(email, 1));
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: code,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(200);
    expect((await login(email, 'a brand new password')).status).toBe(201);
  });

  it('voids a code sent to the old address once a new address is confirmed', async () => {
    const { email } = await user();
    const session = (await login(email, 'the old password')).json.token as string;
    await call('POST', '/api/v1/password-reset', { email });
    const code = codeIn(await nthMailTo(email, 1));
    expect(
      (
        await call(
          'POST',
          '/api/v1/account/email',
          { currentPassword: 'the old password', newEmail: `new${n}@example.com` },
          session,
        )
      ).status,
    ).toBe(202);
    // The confirmation link's token, through the API (the link itself opens the activation page).
    expect(
      (
        await call(
          'GET',
          `/api/v1/account/activate${activationLink(await nthMailTo(`new${n}@example.com`, 1)).search}`,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call('POST', '/api/v1/password-reset/confirm', {
          token: code,
          password: 'a brand new password',
        })
      ).status,
    ).toBe(404);
  });

  it('answers 202 even when the relay refuses the reset mail (the failure is only logged)', async () => {
    const { email } = await user();
    const mailer = tc.core.mail.mailer;
    const failed = new Promise<void>((resolve) => {
      tc.core.mail.mailer = {
        send: async () => {
          resolve();
          throw new Error('SMTP relay refused the message');
        },
      };
    });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await call('POST', '/api/v1/password-reset', { email })).status).toBe(202);
      await failed;
      await new Promise((r) => setTimeout(r, 50));
      expect(quiet).toHaveBeenCalledWith(expect.stringContaining('event=mail.password_reset_failed'));
    } finally {
      quiet.mockRestore();
      tc.core.mail.mailer = mailer;
    }
  });
});
