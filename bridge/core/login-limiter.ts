import { MylicError } from '../../protocol/errors.js';
import type { Core } from './context.js';

/**
 * Login rate limits (issue: "per account and per address; 429 with Retry-After"). Failed attempts are
 * rows, so the limit holds across restarts and across processes sharing the database. A window of
 * 15 minutes: at most 5 failures per account and 20 per client address; then the answer is 429 until
 * the oldest failure of the window has aged out.
 */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LIMITS = { account: 5, address: 20 } as const;

const subjects = (email: string, address: string | null) => [
  { key: `account:${email.trim().toLowerCase()}`, max: LIMITS.account },
  ...(address ? [{ key: `address:${address}`, max: LIMITS.address }] : []),
];

export async function assertLoginAllowed(core: Core, email: string, address: string | null) {
  const now = core.clock.now().getTime();
  const since = new Date(now - LOGIN_WINDOW_MS).toISOString();
  for (const s of subjects(email, address)) {
    const rows = await core.store.db.selectFrom('login_failures').select('at').where('subject', '=', s.key).where('at', '>', since).orderBy('at').execute();
    if (rows.length >= s.max) {
      const oldest = Date.parse(rows[rows.length - s.max]!.at);
      const retryAfter = Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - now) / 1000));
      throw new MylicError('RATE_LIMITED', `Too many failed logins: try again in ${retryAfter} seconds.`, { retryAfter });
    }
  }
}

export async function recordLoginFailure(core: Core, email: string, address: string | null) {
  const at = core.clock.now().toISOString();
  await core.store.write(async (tx) => {
    // Rows older than the longest window count for nothing any more.
    const keep = Math.max(LOGIN_WINDOW_MS, REGISTRATION_LIMIT.windowMs);
    await tx.deleteFrom('login_failures').where('at', '<', new Date(core.clock.now().getTime() - keep).toISOString()).execute();
    for (const s of subjects(email, address)) await tx.insertInto('login_failures').values({ subject: s.key, at }).execute();
  });
}

/**
 * Registrations per client address: at most 10 an hour, so nobody can flood strangers' mailboxes with
 * activation mails. Same rows, subject `register:<address>`.
 */
export const REGISTRATION_LIMIT = { max: 10, windowMs: 3600_000 } as const;

export async function assertRegistrationAllowed(core: Core, address: string | null) {
  if (!address) return;
  const now = core.clock.now().getTime();
  const since = new Date(now - REGISTRATION_LIMIT.windowMs).toISOString();
  const rows = await core.store.db.selectFrom('login_failures').select('at').where('subject', '=', `register:${address}`).where('at', '>', since).orderBy('at').execute();
  if (rows.length >= REGISTRATION_LIMIT.max) {
    const oldest = Date.parse(rows[rows.length - REGISTRATION_LIMIT.max]!.at);
    const retryAfter = Math.max(1, Math.ceil((oldest + REGISTRATION_LIMIT.windowMs - now) / 1000));
    throw new MylicError('RATE_LIMITED', `Too many registrations from this address: try again in ${retryAfter} seconds.`, { retryAfter });
  }
}

export async function recordRegistration(core: Core, address: string | null) {
  if (!address) return;
  const at = core.clock.now().toISOString();
  await core.store.write((tx) => tx.insertInto('login_failures').values({ subject: `register:${address}`, at }).execute());
}

export async function clearLoginFailures(core: Core, email: string) {
  await core.store.write((tx) => tx.deleteFrom('login_failures').where('subject', '=', `account:${email.trim().toLowerCase()}`).execute());
}
