import { createHash, randomBytes } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import type { User } from '../../db/schema.js';
import { type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from './login-limiter.js';
import { oneGuessAtATime } from './password-checks.js';
import { sessionQuery } from '../../db/device-path-queries.js';

/** Accounts and sessions (seed: First steps, Account). Tokens are opaque; only their hash is stored. */
export const SESSION_TTL_MS = { portal: 8 * 3600_000, device: 3600_000, api: 365 * 24 * 3600_000 } as const;
export type SessionKind = keyof typeof SESSION_TTL_MS;
/**
 * Issue 13 §2, "an idle and an absolute session timeout": besides its lifetime (SESSION_TTL_MS, from the
 * log-in), a portal session ends after this long without a request. API tokens and device sessions have
 * only their lifetime.
 */
export const PORTAL_IDLE_MS = 30 * 60_000;
/**
 * A session's last use (sessions.last_used_at) is written at most this often, so a page view is not a
 * write each time; the idle limit is therefore kept to within this much (30 to 31 minutes).
 */
export const LAST_USED_WRITE_MS = 60_000;

const normaliseEmail = (email: string) => email.trim().toLowerCase();
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewUser {
  email: string;
  password: string;
  name: string;
  language?: string;
  /** Operator-created accounts are active at once; self-registered ones wait for the activation mail. */
  active: boolean;
}

export async function createUser(core: Core, input: NewUser): Promise<{ id: number; email: string }> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  return core.store.write(async (tx) => {
    const existing = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw new MylicError('EMAIL_TAKEN');
    const row = await tx
      .insertInto('users')
      .values({
        email,
        password_hash: passwordHash,
        name: input.name,
        language: input.language ?? 'en',
        active: input.active ? 1 : 0,
        created_at: isoNow(core),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordHistory(tx, isoNow(core), { event: 'user.created', userId: row.id, detail: { email } });
    return { id: row.id, email };
  });
}

export async function findUserByEmail(tx: Tx, email: string): Promise<User | undefined> {
  return tx.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
}

/** Checks e-mail and password; the same error for an unknown e-mail and a wrong password. */
export async function authenticate(core: Core, email: string, password: string): Promise<User> {
  const user = await findUserByEmail(core.store.db, email);
  if (!user) {
    await verifyAgainstNothing(password);
    throw new MylicError('LOGIN_FAILED');
  }
  if (!(await verifyPassword(password, user.password_hash))) throw new MylicError('LOGIN_FAILED');
  if (!user.active) throw new MylicError('ACCOUNT_NOT_ACTIVATED');
  return user;
}

export async function openSession(
  core: Core,
  tx: Tx,
  userId: number,
  kind: SessionKind,
  deviceId: number | null = null,
  opts: { companyId?: number | null; label?: string; scopes?: readonly string[] } = {},
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(core.clock.now().getTime() + SESSION_TTL_MS[kind]).toISOString();
  // Seed (Company selection): "If you login, the first found company is selected for your user."
  const first = await tx
    .selectFrom('memberships')
    .select('company_id')
    .where('user_id', '=', userId)
    .where('is_locked', '=', 0)
    .orderBy('created_at')
    .orderBy('company_id')
    .executeTakeFirst();
  await tx
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      kind,
      device_id: deviceId,
      expires_at: expiresAt,
      created_at: isoNow(core),
      company_id: opts.companyId !== undefined ? opts.companyId : (first?.company_id ?? null),
      project_id: null,
      label: opts.label ?? null,
      last_used_at: null,
      scopes: kind === 'api' ? (opts.scopes ?? []).join(' ') : null,
    })
    .execute();
  return { token, expiresAt };
}

export interface SessionInfo {
  userId: number;
  kind: SessionKind;
  deviceId: number | null;
  companyId: number | null;
  projectId: number | null;
  tokenHash: string;
  /** API tokens: what they may do (protocol/account-api.ts API_SCOPES); empty for other sessions. */
  scopes: readonly string[];
}

// Every authenticated request asks this (access.ts, precompiled); nothing of the answer is kept.

export async function resolveSession(
  core: Core,
  token: string,
  kinds: readonly SessionKind[],
): Promise<SessionInfo> {
  const row = (await sessionQuery(core.store.db, { tokenHash: hashToken(token) })).rows[0];
  if (!row || !kinds.includes(row.kind)) throw new MylicError('UNAUTHENTICATED');
  const now = core.clock.now();
  if (row.expires_at <= now.toISOString())
    throw new MylicError('SESSION_EXPIRED', undefined, { reason: 'lifetime' });
  if (
    row.kind === 'portal' &&
    Date.parse(row.last_used_at ?? row.created_at) + PORTAL_IDLE_MS <= now.getTime()
  ) {
    await core.store.write((tx) =>
      tx.deleteFrom('sessions').where('token_hash', '=', row.token_hash).execute(),
    );
    throw new MylicError(
      'SESSION_EXPIRED',
      'The session ended after 30 minutes without a request: log in again.',
      {
        reason: 'idle',
      },
    );
  }
  // Seed L269: an API token of a user locked in every company of theirs no longer logs in.
  if (row.kind === 'api') await assertNotLockedEverywhere(core.store.db, row.user_id);
  // The last use, for the idle limit and the API token list ("last used"); devices keep their own rules.
  if (
    row.kind !== 'device' &&
    (row.last_used_at === null || Date.parse(row.last_used_at) + LAST_USED_WRITE_MS <= now.getTime())
  )
    await core.store.write((tx) =>
      tx
        .updateTable('sessions')
        .set({ last_used_at: now.toISOString() })
        .where('token_hash', '=', row.token_hash)
        .execute(),
    );
  return {
    userId: row.user_id,
    kind: row.kind,
    deviceId: row.device_id,
    companyId: row.company_id,
    projectId: row.project_id,
    tokenHash: row.token_hash,
    scopes: row.kind === 'api' && row.scopes ? row.scopes.split(' ') : [],
  };
}

/** Log out: ends this session (or API token) and records it, in the company the session had selected. */
export async function closeSession(core: Core, token: string): Promise<void> {
  await core.store.write(async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .select(['token_hash', 'user_id', 'kind', 'company_id', 'label'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) return;
    await tx.deleteFrom('sessions').where('token_hash', '=', row.token_hash).execute();
    await recordHistory(tx, isoNow(core), {
      event: 'user.logged_out',
      userId: row.user_id,
      companyId: row.company_id,
      detail: { kind: row.kind, ...(row.kind === 'api' ? { label: row.label ?? '' } : {}) },
    });
  });
}

/**
 * Seed L269 "Locked users can't loggin to my.innovaphone.com any more." with L272 (the locked status is
 * per company) and L303 ("the first found company is selected"): a user locked in every company they
 * belong to cannot log in (portal log-in, and an API token answers USER_LOCKED); a user locked in only
 * some lands in the first unlocked one (openSession). A user with no company at all may log in (to
 * create or join one).
 */
export async function lockedEverywhere(tx: Tx, userId: number): Promise<boolean> {
  const rows = await tx.selectFrom('memberships').select('is_locked').where('user_id', '=', userId).execute();
  return rows.length > 0 && rows.every((r) => r.is_locked === 1);
}

export async function assertNotLockedEverywhere(tx: Tx, userId: number): Promise<void> {
  if (await lockedEverywhere(tx, userId))
    throw new MylicError('USER_LOCKED', 'Your account is locked in every company you belong to.', {
      everywhere: true,
    });
}

/** authenticate, under the login rate limits (portal and device logins alike). */
export async function authenticateLimited(
  core: Core,
  email: string,
  password: string,
  address: string | null,
): Promise<User> {
  return oneGuessAtATime(core, email, async () => {
    await assertLoginAllowed(core, email, address);
    try {
      const user = await authenticate(core, email, password);
      await clearLoginFailures(core, email);
      return user;
    } catch (e) {
      if (e instanceof MylicError && e.code === 'LOGIN_FAILED')
        await recordLoginFailure(core, email, address);
      throw e;
    }
  });
}

export async function portalLogin(
  core: Core,
  email: string,
  password: string,
  address: string | null = null,
): Promise<{ token: string; expiresAt: string; language: string }> {
  const user = await authenticateLimited(core, email, password, address);
  return core.store.write(async (tx) => {
    await assertNotLockedEverywhere(tx, user.id);
    const s = await openSession(core, tx, user.id, 'portal');
    await recordHistory(tx, isoNow(core), { event: 'user.logged_in', userId: user.id });
    // The account's language: the portal pages use it from the log-in on (bridge/web/accounts/login.tsx).
    return { ...s, language: user.language };
  });
}
