import { randomBytes } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import type { Language } from '../../i18n/languages.js';
import { fill, PASSWORD_RESET_MAIL } from '../../i18n/mail-texts.js';
import { findUserByEmail, hashToken } from './index.js';
import { type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { errorText, eventLog } from '../../ops/event-log.js';
import { assertResetAllowed, clearLoginFailures, recordResetRequest } from './index.js';
import { hashPassword } from './index.js';

/**
 * Password reset by mail (issue 11). A request mails a one-time code to the account's address; only its
 * SHA-256 is stored (`account_tokens`, purpose `reset`, like activation links), it is valid for an hour,
 * works once, and a newer request or a confirmed e-mail change makes it void. Setting the new password
 * ends every session and API token of the user, clears the account's failed logins, and — the code
 * having reached the address — activates an account whose registration was never activated.
 *
 * The request answers the same whether the address has an account or not: same body, same status, the
 * same rate limit (3 an hour per address asked for, 10 an hour per client address, counted for unknown
 * addresses too), and no waiting for the mail relay: the code is made and mailed after the answer, so
 * neither the time taken nor a relay failure (only logged) tells whether the address exists.
 */
export const RESET_TTL_MS = 60 * 60_000;

export async function requestPasswordReset(
  core: Core,
  email: string,
  address: string | null,
): Promise<{ mailSent: true }> {
  const e = email.trim().toLowerCase();
  await assertResetAllowed(core, e, address);
  await recordResetRequest(core, e, address);
  void mailResetCode(core, e).catch((err) =>
    eventLog().error('mail.password_reset_failed', { error: errorText(err) }),
  );
  return { mailSent: true };
}

async function mailResetCode(core: Core, email: string) {
  const user = await findUserByEmail(core.store.db, email);
  if (!user) return;
  const token = randomBytes(32).toString('base64url');
  await core.store.write(async (tx) => {
    const at = isoNow(core);
    await tx
      .deleteFrom('account_tokens')
      .where('user_id', '=', user.id)
      .where('purpose', '=', 'reset')
      .where('used_at', 'is', null)
      .execute();
    await tx
      .insertInto('account_tokens')
      .values({
        token_hash: hashToken(token),
        user_id: user.id,
        purpose: 'reset',
        email: user.email,
        expires_at: new Date(core.clock.now().getTime() + RESET_TTL_MS).toISOString(),
        used_at: null,
        created_at: at,
      })
      .execute();
    await recordHistory(tx, at, {
      event: 'user.password_reset_requested',
      userId: user.id,
      detail: { email: user.email },
    });
  });
  const t = PASSWORD_RESET_MAIL[user.language as Language] ?? PASSWORD_RESET_MAIL.en;
  const text = fill(t.text, {
    name: user.name,
    token,
    link: `${core.mail.publicUrl}/password-reset/confirm?code=${token}`,
    minutes: String(RESET_TTL_MS / 60_000),
  });
  await core.mail.mailer.send({ to: user.email, subject: t.subject, text });
}

export async function confirmPasswordReset(
  core: Core,
  token: string,
  password: string,
): Promise<{ reset: true; email: string }> {
  const passwordHash = await hashPassword(password);
  const email = await core.store.write(async (tx) => {
    const at = isoNow(core);
    const row = await tx
      .selectFrom('account_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .where('purpose', '=', 'reset')
      .executeTakeFirst();
    const user =
      row &&
      (await tx.selectFrom('users').select(['id', 'email']).where('id', '=', row.user_id).executeTakeFirst());
    // A code sent to an address the account no longer has is void like a used or expired one.
    if (!row || !user || row.used_at || row.expires_at <= at || user.email !== row.email)
      throw new MylicError(
        'NOT_FOUND',
        'This password reset code is unknown, used or expired: ask for a new one.',
      );
    // One use: the conditional update succeeds for exactly one confirmation.
    const used = await tx
      .updateTable('account_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', row.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1)
      throw new MylicError(
        'NOT_FOUND',
        'This password reset code is unknown, used or expired: ask for a new one.',
      );
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, active: 1 })
      .where('id', '=', user.id)
      .execute();
    // Whoever knew the old password (or holds a session or token made with it) is out.
    await tx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await tx
      .deleteFrom('account_tokens')
      .where('user_id', '=', user.id)
      .where('purpose', '=', 'reset')
      .where('used_at', 'is', null)
      .execute();
    await recordHistory(tx, at, {
      event: 'user.password_reset',
      userId: user.id,
      detail: { email: user.email },
    });
    return user.email;
  });
  await clearLoginFailures(core, email);
  return { reset: true, email };
}
