import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { activationLink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';

/**
 * A new user, as the seed's First steps describe it, against a real bridge process over TLS: register,
 * receive the activation mail over SMTP, follow the link, log in, make an API token for a script.
 */
describe('registration through a real bridge and a real SMTP sink', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let bridge: BridgeProcess;
  let dispatcher: Agent;

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token?: string) => {
    const res = await request(new URL(path, bridge.url), {
      method,
      dispatcher,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.statusCode, json: (await res.body.json()) as any };
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-reg-');
    smtp = await startSmtpSink();
    bridge = await startBridgeProcess(`${tmp.dir}/data`, {
      MYLIC_SMTP_URL: smtp.url,
      MYLIC_MAIL_FROM: 'noreply@mylic.test',
    });
    dispatcher = new Agent({ connect: { ca: await readFile(bridge.caFile, 'utf8') } });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await bridge?.stop();
    await smtp?.close();
    await tmp?.cleanup();
  });

  it('registers, activates by the mailed link, logs in and uses an API token', async () => {
    const reg = await call('POST', '/api/v1/accounts', {
      email: 'fay@example.com',
      password: 'fay has a long password',
      name: 'Fay',
      language: 'it',
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const mail = await smtp.mailTo('fay@example.com');
    expect(mail.from).toBe('noreply@mylic.test');
    expect(mail.subject).toBe('Attiva il tuo account mylic');
    expect(
      (
        await call('POST', '/api/v1/session', {
          email: 'fay@example.com',
          password: 'fay has a long password',
        })
      ).json.error.code,
    ).toBe('ACCOUNT_NOT_ACTIVATED');

    // The bridge was started with PORT=0: the link names the port it bound, and is followed as it is.
    const link = activationLink(mail);
    expect(link.origin).toBe(`https://localhost:${bridge.port}`);
    // The link opens the portal's activation page (a button: a mail scanner fetching it activates
    // nothing); the token it carries also activates through the API, as a script would.
    expect(link.pathname).toBe('/activate');
    const landing = await request(link, {
      dispatcher,
      headers: { accept: 'text/html', 'accept-language': 'it' },
    });
    expect(landing.statusCode).toBe(200);
    expect(await landing.body.text()).toContain('Attiva il mio account');
    expect(
      (await call('GET', `/api/v1/account/activate?token=${link.searchParams.get('token')}`)).json,
    ).toEqual({ activated: true, email: 'fay@example.com' });

    const login = await call('POST', '/api/v1/session', {
      email: 'fay@example.com',
      password: 'fay has a long password',
    });
    expect(login.status).toBe(201);
    const token = await call('POST', '/api/v1/account/tokens', { label: 'provisioning' }, login.json.token);
    expect(token.status).toBe(201);
    const me = await call('GET', '/api/v1/account', undefined, token.json.token);
    expect(me.json).toMatchObject({ email: 'fay@example.com', language: 'it', companies: [] });
  });

  it('limits registrations from one address to ten an hour with 429 and Retry-After', async () => {
    // The first test registered one account from this address already.
    for (let i = 2; i <= 10; i++) {
      const r = await call('POST', '/api/v1/accounts', {
        email: `flood${i}@example.com`,
        password: 'a long enough password',
        name: 'F',
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
    }
    const res = await request(new URL('/api/v1/accounts', bridge.url), {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'flood11@example.com', password: 'a long enough password', name: 'F' }),
    });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(smtp.mails.some((m) => m.to.includes('flood11@example.com'))).toBe(false);
  });

  it('serves the OpenAPI document of the portal API', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.paths['/api/v1/accounts'].post.summary).toMatch(/Register/);
  });

  // Last: it leaves this client address busy for a quarter of an hour.
  it('after twenty failed logins from one address over several accounts, refuses those accounts from it (429, Retry-After, limit address-account) but lets an account it did not fail on log in', async () => {
    // Four failures on each of five accounts: no account reaches its own limit of five.
    for (let account = 1; account <= 5; account++) {
      for (let i = 0; i < 4; i++) {
        const r = await call('POST', '/api/v1/session', {
          email: `flood${account + 1}@example.com`,
          password: `wrong password ${i}`,
        });
        expect(r.status, JSON.stringify(r.json)).toBe(401);
      }
    }
    // Fay, behind the same address, had no failure: her password works.
    expect(
      (
        await call('POST', '/api/v1/session', {
          email: 'fay@example.com',
          password: 'fay has a long password',
        })
      ).status,
    ).toBe(201);
    const res = await request(new URL('/api/v1/session', bridge.url), {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'flood2@example.com', password: 'a long enough password' }),
    });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const error = (
      (await res.body.json()) as { error: { code: string; message: string; details: { limit: string } } }
    ).error;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details.limit).toBe('address-account');
    expect(error.message).toMatch(/try again in \d+ seconds/);
  });
});
