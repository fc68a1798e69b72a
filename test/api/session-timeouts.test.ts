import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashToken,
  LAST_USED_WRITE_MS,
  openSession,
  PORTAL_IDLE_MS,
  resolveSession,
  SESSION_TTL_MS,
} from '../../bridge/core/accounts/index.js';
import { MylicError } from '../../protocol/errors.js';
import { call, ok } from '../support/api-client.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { loginPortal, makeUser, type FixtureUser } from '../bridge/fixtures.js';

/**
 * Issue 13 §2, "an idle and an absolute session timeout": a portal session ends 30 minutes after its
 * last request (and at the latest 8 hours after the log-in); API tokens and device sessions keep only
 * their lifetime. The clock is the test core's, moved by hand.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let user: FixtureUser;
let n = 0;
const MIN = 60_000;

beforeAll(async () => {
  root = await tempDir('mylic-session-timeouts-');
  tc = await makeTestCore(root.dir);
});
afterAll(async () => {
  tc?.clock.set(null);
  await tc?.close();
  await root?.cleanup();
});

/** A fresh user logged in at `start` (the clock stays there). */
async function loggedIn(start: number) {
  tc.clock.set(new Date(start));
  user = await makeUser(tc, `timeout${++n}@example.test`);
  return loginPortal(tc.app, user);
}
const account = (token: string) => call(tc.app, 'GET', '/account', token);
const sessionRow = (token: string) =>
  tc.core.store.db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('portal session idle timeout', () => {
  it('is 30 minutes, inside the 8-hour lifetime', () => {
    expect(PORTAL_IDLE_MS).toBe(30 * MIN);
    expect(PORTAL_IDLE_MS).toBeLessThan(SESSION_TTL_MS.portal);
  });

  it('ends a session not used for 30 minutes: 401 SESSION_EXPIRED, and the session is deleted', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    await ok(account(token));
    tc.clock.set(new Date(start + PORTAL_IDLE_MS + 1_000));
    const res = await account(token);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('SESSION_EXPIRED');
    expect(await sessionRow(token)).toBeUndefined();
    // Gone for good: moving the clock back does not bring it back.
    tc.clock.set(new Date(start + MIN));
    expect((await account(token)).status).toBe(401);
  });

  it('counts from the log-in when the session was never used', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    tc.clock.set(new Date(start + PORTAL_IDLE_MS - MIN));
    await ok(account(token));
    tc.clock.set(new Date(start + PORTAL_IDLE_MS - MIN + PORTAL_IDLE_MS + 1_000));
    expect((await account(token)).status).toBe(401);
  });

  it('keeps a session in use alive well past 30 minutes, each request moving the limit on', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    for (let at = start + 25 * MIN; at <= start + 3 * 3600_000; at += 25 * MIN) {
      tc.clock.set(new Date(at));
      await ok(account(token));
    }
    expect((await sessionRow(token))?.last_used_at).not.toBeNull();
  });

  it('still ends an active session 8 hours after its log-in', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    for (let at = start + 20 * MIN; at < start + SESSION_TTL_MS.portal; at += 20 * MIN) {
      tc.clock.set(new Date(at));
      await ok(account(token));
    }
    tc.clock.set(new Date(start + SESSION_TTL_MS.portal + 1_000));
    const res = await account(token);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('SESSION_EXPIRED');
  });

  it('writes the last use at most once a minute, not at every request', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    tc.clock.set(new Date(start + 5_000));
    await ok(account(token));
    const first = (await sessionRow(token))?.last_used_at;
    expect(first).toBe(new Date(start + 5_000).toISOString());
    tc.clock.set(new Date(start + 5_000 + LAST_USED_WRITE_MS - 1_000));
    await ok(account(token));
    expect((await sessionRow(token))?.last_used_at).toBe(first);
    tc.clock.set(new Date(start + 5_000 + LAST_USED_WRITE_MS));
    await ok(account(token));
    expect((await sessionRow(token))?.last_used_at).toBe(
      new Date(start + 5_000 + LAST_USED_WRITE_MS).toISOString(),
    );
  });

  it('says which limit ended the session (idle or lifetime) in the error details', async () => {
    const start = Date.now();
    const idle = await loggedIn(start);
    tc.clock.set(new Date(start + PORTAL_IDLE_MS + 1_000));
    const e = await resolveSession(tc.core, idle, ['portal']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MylicError);
    expect((e as MylicError).details).toEqual({ reason: 'idle' });
  });
});

describe('API tokens and device sessions keep their own rules', () => {
  it('an API token unused for weeks still works, and its last use is recorded', async () => {
    const start = Date.now();
    const token = await loggedIn(start);
    const api = (await ok(call(tc.app, 'POST', '/account/tokens', token, { label: 'cron' }), 201)).token;
    expect((await sessionRow(api))?.last_used_at).toBeNull();
    tc.clock.set(new Date(start + 30 * 24 * 3600_000));
    await ok(account(api));
    const used = new Date(start + 30 * 24 * 3600_000).toISOString();
    expect((await sessionRow(api))?.last_used_at).toBe(used);
    // The list shows it; the portal session that made the token has idled out meanwhile.
    expect((await account(token)).status).toBe(401);
    const again = await loginPortal(tc.app, user);
    const list = await ok(call(tc.app, 'GET', '/account/tokens', again));
    expect(list).toEqual([expect.objectContaining({ label: 'cron', lastUsedAt: used })]);
  });

  it('a device session unused for 59 minutes still works (its lifetime is one hour)', async () => {
    const start = Date.now();
    tc.clock.set(new Date(start));
    const u = await makeUser(tc, `device${++n}@example.test`);
    const { token } = await tc.core.store.write((tx) => openSession(tc.core, tx, u.id, 'device'));
    tc.clock.set(new Date(start + 59 * MIN));
    await expect(resolveSession(tc.core, token, ['device'])).resolves.toMatchObject({ kind: 'device' });
    tc.clock.set(new Date(start + SESSION_TTL_MS.device + 1_000));
    await expect(resolveSession(tc.core, token, ['device'])).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
    });
  });
});
