import { MylicError } from '../../../protocol/errors.js';
import type { Language } from '../../i18n/languages.js';
import { hashToken } from './accounts.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from './login-limiter.js';
import { oneGuessAtATime } from './password-checks.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { newActivationToken, sendActivationMail } from './registration.js';

/**
 * Account (seed: "Here you can change your personal data, password etc. You always have to enter your
 * current password to change your data. If you change your email address, you'll have to activate
 * your account again."). The activation of a new address is its confirmation link; until it is followed
 * the account stays active under its old address (issue 11: a mistyped address must not lock anyone out).
 */
export async function getProfile(core: Core, actor: Actor) {
  const user = await core.store.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  const companies = await core.store.db
    .selectFrom('memberships')
    .innerJoin('companies', 'companies.id', 'memberships.company_id')
    .select(['companies.id', 'companies.name', 'memberships.is_admin', 'memberships.is_locked'])
    .where('memberships.user_id', '=', actor.userId)
    .orderBy('memberships.created_at')
    .execute();
  const pending = await core.store.db
    .selectFrom('account_tokens')
    .select('email')
    .where('user_id', '=', actor.userId)
    .where('purpose', '=', 'activate')
    .where('used_at', 'is', null)
    .where('expires_at', '>', isoNow(core))
    .where('email', '!=', user.email)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return {
    id: user.id,
    email: user.email,
    pendingEmail: pending?.email ?? null,
    name: user.name,
    phone: user.phone,
    language: user.language as Language,
    mailOptIn: user.mail_opt_in === 1,
    selectedCompanyId: actor.companyId ?? null,
    selectedProjectId: actor.projectId ?? null,
    companies: companies.map((c) => ({
      id: c.id,
      name: c.name,
      admin: c.is_admin === 1,
      locked: c.is_locked === 1,
    })),
  };
}

/**
 * The current password, under the same limits as a login (bridge/core/login-limiter.ts): failures count
 * for the account (and the client address) together with failed logins, so a stolen session cannot
 * guess the password without limit; past the limit the answer is 429 with Retry-After, even for the
 * right password.
 */
export async function assertCurrentPassword(
  core: Core,
  userId: number,
  password: string,
  address: string | null,
) {
  const user = await core.store.db
    .selectFrom('users')
    .select(['email', 'password_hash'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  await oneGuessAtATime(core, user.email, async () => {
    await assertLoginAllowed(core, user.email, address);
    if (!(await verifyPassword(password, user.password_hash))) {
      await recordLoginFailure(core, user.email, address);
      throw new MylicError('LOGIN_FAILED', 'The current password is wrong.');
    }
    await clearLoginFailures(core, user.email);
  });
}

export interface ProfileChange {
  currentPassword: string;
  name?: string;
  phone?: string;
  language?: Language;
  mailOptIn?: boolean;
  newPassword?: string;
}

export async function updateProfile(
  core: Core,
  actor: Actor,
  change: ProfileChange,
  address: string | null = null,
) {
  await assertCurrentPassword(core, actor.userId, change.currentPassword, address);
  const passwordHash = change.newPassword ? await hashPassword(change.newPassword) : undefined;
  await core.store.write(async (tx) => {
    const at = isoNow(core);
    await tx
      .updateTable('users')
      .set({
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.phone !== undefined ? { phone: change.phone } : {}),
        ...(change.language !== undefined ? { language: change.language } : {}),
        ...(change.mailOptIn !== undefined ? { mail_opt_in: change.mailOptIn ? 1 : 0 } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
      })
      .where('id', '=', actor.userId)
      .execute();
    if (passwordHash) {
      // A new password ends every other session: whoever knew the old one is out.
      await tx
        .deleteFrom('sessions')
        .where('user_id', '=', actor.userId)
        .where('token_hash', '!=', actor.sessionHash ?? '')
        .execute();
    }
    const fields = Object.keys(change).filter((k) => k !== 'currentPassword' && k !== 'newPassword');
    await recordHistory(tx, at, {
      event: 'user.updated',
      userId: actor.userId,
      companyId: actor.companyId ?? null,
      detail: { fields, passwordChanged: !!passwordHash },
    });
  });
  return getProfile(core, actor);
}

export async function changeEmail(
  core: Core,
  actor: Actor,
  currentPassword: string,
  newEmail: string,
  address: string | null = null,
) {
  await assertCurrentPassword(core, actor.userId, currentPassword, address);
  const email = newEmail.trim().toLowerCase();
  const { token, user } = await core.store.write(async (tx) => {
    const at = isoNow(core);
    if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())
      throw new MylicError('EMAIL_TAKEN');
    const user = await tx
      .selectFrom('users')
      .select(['name', 'language', 'email'])
      .where('id', '=', actor.userId)
      .executeTakeFirstOrThrow();
    // The account stays active under its current address, sessions included, until the new address is
    // confirmed (registration.ts, activate). Only the newest change counts: earlier links stop working.
    await tx
      .deleteFrom('account_tokens')
      .where('user_id', '=', actor.userId)
      .where('purpose', '=', 'activate')
      .where('used_at', 'is', null)
      .where('email', '!=', user.email)
      .execute();
    const token = await newActivationToken(core, tx, actor.userId, email);
    await recordHistory(tx, at, {
      event: 'user.email_change_requested',
      userId: actor.userId,
      detail: { from: user.email, to: email },
    });
    return { token, user };
  });
  try {
    await sendActivationMail(
      core,
      email,
      user.name,
      user.language as Language,
      token,
      'Your address is unchanged and your account stays as it is: retry later.',
    );
  } catch (e) {
    // Without the mail nobody could ever confirm the new address: the change is taken back.
    await core.store.write(async (tx) => {
      await tx.deleteFrom('account_tokens').where('token_hash', '=', hashToken(token)).execute();
      await recordHistory(tx, isoNow(core), {
        event: 'user.email_change_failed',
        userId: actor.userId,
        detail: { from: user.email, to: email },
      });
    });
    throw e;
  }
  return { email, activationSent: true };
}
