import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { LIMITS, recordLoginFailure } from '../../bridge/core/accounts/index.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { loginRequest, makeTenant } from '../bridge/fixtures.js';

/**
 * The login limits (issue 11): per account, per account from a busy address, and a ceiling per address.
 * Requests carry a client address the way @hono/node-server hands it to the app (the socket in env).
 */
describe('login limits', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let tc: TestCore;
  let n = 0;
  const NAT = '203.0.113.10';
  const ELSEWHERE = '198.51.100.20';
  const PASSWORD = 'a long password';

  const post = async (path: string, body: unknown, ip: string) => {
    const res = await tc.app.request(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      { incoming: { socket: { remoteAddress: ip, remotePort: 40_000, remoteFamily: 'IPv4' } } },
    );
    const text = await res.text();
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      json: text ? JSON.parse(text) : null,
    };
  };
  const login = (email: string, password: string, ip: string) =>
    post('/api/v1/session', { email, password }, ip);
  const user = async () =>
    (await createUser(tc.core, { email: `u${++n}@example.com`, password: PASSWORD, name: 'U', active: true }))
      .email;

  it('holds the per-account limit for guesses sent all at once: five failures, then 429 for the rest', async () => {
    // Review of issue 11: the limit was read before the slow password check and written after it, so
    // forty parallel guesses all passed the same count.
    const email = await user();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(email, `parallel ${i}`, ELSEWHERE)),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((st) => st === 401)).toHaveLength(LIMITS.account);
    expect(statuses.filter((st) => st === 429)).toHaveLength(40 - LIMITS.account);
    expect((await login(email, PASSWORD, ELSEWHERE)).status).toBe(429);
  });

  /** Four wrong passwords on each of five accounts from the NAT: 20 failures, no account at its own limit. */
  async function attackFromNat() {
    const victims: string[] = [];
    for (let a = 0; a < 5; a++) {
      const email = await user();
      victims.push(email);
      for (let i = 0; i < 4; i++) expect((await login(email, `wrong ${i}`, NAT)).status).toBe(401);
    }
    return victims;
  }

  beforeAll(async () => {
    tmp = await tempDir('mylic-login-limit-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
  });
  beforeEach(async () => {
    await tc?.close();
    tc = await makeTestCore(`${tmp.dir}/${++n}`, pki);
  });
  afterAll(async () => {
    await tc?.close();
    await tmp?.cleanup();
  });

  it('lets a colleague behind the same address log in with the right password after twenty failures from it on other accounts', async () => {
    await attackFromNat();
    const colleague = await user();
    const r = await login(colleague, PASSWORD, NAT);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  });

  it('lets a colleague log a device in from the busy address too (device logins share the limits)', async () => {
    await attackFromNat();
    const tenant = await makeTenant(tc, { name: `dev${++n}`, mac: '00-90-33-01-23-45' });
    const attempt = await loginRequest(tc.app, tenant.user, tenant.device);
    const r = await post(`${DEVICE_API}/login`, attempt, NAT);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.token).toEqual(expect.any(String));
  });

  it('refuses an account attacked from the busy address even with the right password, naming the limit with its wait; from elsewhere the account still logs in', async () => {
    const [victim] = await attackFromNat();
    const r = await login(victim!, PASSWORD, NAT);
    expect(r.status).toBe(429);
    expect(r.json.error.code).toBe('RATE_LIMITED');
    expect(r.json.error.details).toMatchObject({ limit: 'address-account', retryAfter: expect.any(Number) });
    expect(Number(r.retryAfter)).toBe(r.json.error.details.retryAfter);
    expect(r.json.error.message).toMatch(/from your network address.*try again in \d+ seconds/);
    expect((await login(victim!, PASSWORD, ELSEWHERE)).status).toBe(201);
  });

  it('gives a guesser at a busy address one guess per further account instead of five', async () => {
    await attackFromNat();
    const next = await user();
    expect((await login(next, 'spray 1', NAT)).status).toBe(401);
    const second = await login(next, 'spray 2', NAT);
    expect(second.status).toBe(429);
    expect(second.json.error.details.limit).toBe('address-account');
  });

  it('names the per-account limit: five failures from anywhere refuse the right password everywhere, 429 limit account with the wait', async () => {
    const email = await user();
    for (let i = 0; i < 5; i++)
      expect((await login(email, `wrong ${i}`, i % 2 ? NAT : ELSEWHERE)).status).toBe(401);
    for (const ip of [NAT, ELSEWHERE, '192.0.2.1']) {
      const r = await login(email, PASSWORD, ip);
      expect(r.status).toBe(429);
      expect(r.json.error.details).toMatchObject({ limit: 'account' });
      expect(r.json.error.message).toMatch(/for this account: try again in \d+ seconds/);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
  });

  it('pauses every login from an address past its ceiling of failures over many accounts, naming the address limit; other addresses are not affected', async () => {
    for (let i = 0; i < LIMITS.addressCeiling; i++)
      await recordLoginFailure(tc.core, `sprayed${i}@example.com`, NAT);
    const colleague = await user();
    const r = await login(colleague, PASSWORD, NAT);
    expect(r.status).toBe(429);
    expect(r.json.error.details).toMatchObject({ limit: 'address' });
    expect(r.json.error.message).toMatch(/for many accounts.*try again in \d+ seconds/);
    expect((await login(colleague, PASSWORD, ELSEWHERE)).status).toBe(201);
  });

  it('lifts the limits after the window of fifteen minutes', async () => {
    const [victim] = await attackFromNat();
    expect((await login(victim!, PASSWORD, NAT)).status).toBe(429);
    tc.clock.set(new Date(Date.now() + 16 * 60_000));
    expect((await login(victim!, PASSWORD, NAT)).status).toBe(201);
  });
});
