import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../context.js';

/**
 * Login rate limits (portal, API and device logins, and the current password of account changes).
 * Failed attempts are rows, so the limits hold across restarts and across processes sharing the
 * database. Every limit looks at a window of 15 minutes; past one, the answer is 429 RATE_LIMITED with
 * Retry-After and `details.limit` naming which limit it is (the message says it too, with the wait):
 *
 * - `account`: 5 failures for one account, from anywhere. Refuses even the right password (else the
 *   limit would tell a guesser which password is right), until the oldest failure ages out.
 * - `address-account`: once one client address has 20 failures (over any accounts), that address is
 *   refused for every account it failed on within the window. Accounts the address did not fail on are
 *   not touched: behind a company NAT one attacked account (or one attacker guessing a few) no longer
 *   locks out the colleagues who type their own password. From a busy address a guesser gets one
 *   guess per account and window instead of five.
 * - `address`: 200 failures from one address, for any accounts — a failed login every 4.5 seconds for
 *   a quarter of an hour, which people typing passwords behind a NAT never reach but a script trying
 *   one password on many accounts (the guessing the per-account limit cannot see) reaches quickly. Only
 *   then is everybody at that address refused.
 *
 * A correct password of an account clears that account's own failures (not the address's count).
 */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LIMITS = { account: 5, address: 20, addressCeiling: 200 } as const;
export type LoginLimit = 'account' | 'address-account' | 'address';

const norm = (email: string) => email.trim().toLowerCase();
const accountKey = (email: string) => `account:${norm(email)}`;
const addressKey = (address: string) => `address:${address}`;
const pairKey = (address: string, email: string) => `address-account:${address} ${norm(email)}`;

async function failuresSince(core: Core, subject: string, since: string) {
  const rows = await core.store.db
    .selectFrom('login_failures')
    .select('at')
    .where('subject', '=', subject)
    .where('at', '>', since)
    .orderBy('at')
    .execute();
  return rows.map((r) => Date.parse(r.at));
}

/** Seconds until fewer than `max` of these failures (ascending times) are inside the window. */
const secondsUntilBelow = (times: number[], max: number, now: number) =>
  Math.max(1, Math.ceil((times[times.length - max]! + LOGIN_WINDOW_MS - now) / 1000));

function limited(limit: LoginLimit, retryAfter: number): MylicError {
  const wait = `try again in ${retryAfter} seconds, or reset your password (POST /api/v1/password-reset)`;
  const message = {
    account: `Too many failed logins for this account: ${wait}.`,
    'address-account': `Too many failed logins from your network address, some of them for this account: ${wait}. Other accounts can still log in from here.`,
    address: `Too many failed logins from your network address, for many accounts: logins from it are paused; try again in ${retryAfter} seconds.`,
  }[limit];
  return new MylicError('RATE_LIMITED', message, { retryAfter, limit });
}

export async function assertLoginAllowed(core: Core, email: string, address: string | null) {
  const now = core.clock.now().getTime();
  const since = new Date(now - LOGIN_WINDOW_MS).toISOString();
  const account = await failuresSince(core, accountKey(email), since);
  if (account.length >= LIMITS.account)
    throw limited('account', secondsUntilBelow(account, LIMITS.account, now));
  if (!address) return;
  const fromAddress = await failuresSince(core, addressKey(address), since);
  if (fromAddress.length >= LIMITS.addressCeiling)
    throw limited('address', secondsUntilBelow(fromAddress, LIMITS.addressCeiling, now));
  if (fromAddress.length >= LIMITS.address) {
    const pair = await failuresSince(core, pairKey(address, email), since);
    if (pair.length > 0) {
      // Lifted when the address falls below its limit or this account's failures from it age out.
      const untilAddressCalm = secondsUntilBelow(fromAddress, LIMITS.address, now);
      const untilPairGone = secondsUntilBelow(pair, 1, now);
      throw limited('address-account', Math.min(untilAddressCalm, untilPairGone));
    }
  }
}

export async function recordLoginFailure(core: Core, email: string, address: string | null) {
  const at = core.clock.now().toISOString();
  const subjects = [accountKey(email), ...(address ? [addressKey(address), pairKey(address, email)] : [])];
  await core.store.write(async (tx) => {
    // Rows older than the longest window count for nothing any more.
    const keep = Math.max(LOGIN_WINDOW_MS, REGISTRATION_LIMIT.windowMs, RESET_LIMITS.windowMs);
    await tx
      .deleteFrom('login_failures')
      .where('at', '<', new Date(core.clock.now().getTime() - keep).toISOString())
      .execute();
    for (const subject of subjects) await tx.insertInto('login_failures').values({ subject, at }).execute();
  });
}

/** After a correct password (or a password reset): the account's own failures, from every address. */
export async function clearLoginFailures(core: Core, email: string) {
  const e = norm(email);
  await core.store.write(async (tx) => {
    const pairs = await tx
      .selectFrom('login_failures')
      .select('subject')
      .distinct()
      .where('subject', 'like', 'address-account:%')
      .execute();
    const mine = pairs.map((p) => p.subject).filter((s) => s.endsWith(` ${e}`));
    await tx
      .deleteFrom('login_failures')
      .where('subject', 'in', [accountKey(e), ...mine])
      .execute();
  });
}

/** Counts rows of a subject in a window; past `max`, RATE_LIMITED with the wait and `message(wait)`. */
async function assertBelow(
  core: Core,
  subject: string,
  max: number,
  windowMs: number,
  message: (retryAfter: number) => string,
  limit: string,
) {
  const now = core.clock.now().getTime();
  const since = new Date(now - windowMs).toISOString();
  const rows = await core.store.db
    .selectFrom('login_failures')
    .select('at')
    .where('subject', '=', subject)
    .where('at', '>', since)
    .orderBy('at')
    .execute();
  if (rows.length >= max) {
    const oldest = Date.parse(rows[rows.length - max]!.at);
    const retryAfter = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    throw new MylicError('RATE_LIMITED', message(retryAfter), { retryAfter, limit });
  }
}

/**
 * Registrations per client address: at most 10 an hour, so nobody can flood strangers' mailboxes with
 * activation mails. Same rows, subject `register:<address>`.
 */
export const REGISTRATION_LIMIT = { max: 10, windowMs: 3600_000 } as const;

export async function assertRegistrationAllowed(core: Core, address: string | null) {
  if (!address) return;
  await assertBelow(
    core,
    `register:${address}`,
    REGISTRATION_LIMIT.max,
    REGISTRATION_LIMIT.windowMs,
    (s) => `Too many registrations from this address: try again in ${s} seconds.`,
    'registration',
  );
}

export async function recordRegistration(core: Core, address: string | null) {
  if (!address) return;
  const at = core.clock.now().toISOString();
  await core.store.write((tx) =>
    tx
      .insertInto('login_failures')
      .values({ subject: `register:${address}`, at })
      .execute(),
  );
}

/**
 * Password reset requests: at most 3 an hour for one address (mailbox), whether it has an account or
 * not — so the limit tells nothing either — and 10 an hour from one client address.
 */
export const RESET_LIMITS = { perEmail: 3, perAddress: 10, windowMs: 3600_000 } as const;

export async function assertResetAllowed(core: Core, email: string, address: string | null) {
  const text = (s: number) =>
    `Too many password reset requests: try again in ${s} seconds (a link already sent stays valid for an hour).`;
  await assertBelow(
    core,
    `reset:${norm(email)}`,
    RESET_LIMITS.perEmail,
    RESET_LIMITS.windowMs,
    text,
    'password-reset',
  );
  if (address)
    await assertBelow(
      core,
      `reset-address:${address}`,
      RESET_LIMITS.perAddress,
      RESET_LIMITS.windowMs,
      text,
      'password-reset',
    );
}

export async function recordResetRequest(core: Core, email: string, address: string | null) {
  const at = core.clock.now().toISOString();
  await core.store.write(async (tx) => {
    await tx
      .insertInto('login_failures')
      .values({ subject: `reset:${norm(email)}`, at })
      .execute();
    if (address)
      await tx
        .insertInto('login_failures')
        .values({ subject: `reset-address:${address}`, at })
        .execute();
  });
}
