import { randomBytes } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import { ACTIVATION_MAIL, fill, REGISTRATION_ATTEMPT_MAIL } from '../../i18n/mail-texts.js';
import type { Language } from '../../i18n/languages.js';
import type { Tx } from '../../db/store.js';
import { hashToken } from './accounts.js';
import { type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { errorText, eventLog } from '../../ops/event-log.js';
import { hashPassword, verifyPassword } from './passwords.js';
import {
  assertLoginAllowed,
  assertRegistrationAllowed,
  recordLoginFailure,
  recordRegistration,
} from './login-limiter.js';
import { oneGuessAtATime } from './password-checks.js';

/**
 * Self-registration and activation (seed: First steps, "You will receive a registration email with an
 * activation link"; Account, "If you change your email address, you'll have to activate your account
 * again"). The link carries a one-time token; only its hash is stored; it is valid for 48 hours.
 */
export const ACTIVATION_TTL_MS = 48 * 3600_000;

export interface Registration {
  email: string;
  password: string;
  name: string;
  phone: string;
  language: Language;
}

/**
 * Registers a new account and mails its activation link. The user row is committed before the mail goes
 * out, so a relay failure leaves an account without a link: registering the same address again while
 * the registration is still pending (never activated) sends a fresh link and invalidates the earlier
 * ones. The account keeps the data of the first registration — a second registrant cannot set the
 * password of an account someone else will activate. Re-sending counts against the registration limit
 * of the client address like a registration.
 *
 * An address that already has an account gets the same answer as a new one (status, body, and the same
 * MAIL_UNAVAILABLE if the relay refuses), so registration cannot be used to find out who has an
 * account; the owner is mailed instead: someone tried to register with your address, log in or reset
 * the password. Nothing of the account changes.
 */
export async function register(core: Core, input: Registration, address: string | null = null) {
  await assertRegistrationAllowed(core, address);
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const { user, token } = await core.store.write(async (tx) => {
    const at = isoNow(core);
    const existing = await tx
      .selectFrom('users')
      .select(['id', 'name', 'language', 'active'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing) {
      if (!(await registrationPending(tx, existing, email))) {
        await recordHistory(tx, at, {
          event: 'user.registration_attempted',
          userId: existing.id,
          detail: { email },
        });
        return { user: existing, token: null };
      }
      await tx
        .deleteFrom('account_tokens')
        .where('user_id', '=', existing.id)
        .where('purpose', '=', 'activate')
        .where('used_at', 'is', null)
        .execute();
      const token = await newActivationToken(core, tx, existing.id, email);
      await recordHistory(tx, at, {
        event: 'user.activation_resent',
        userId: existing.id,
        detail: { email },
      });
      return { user: existing, token };
    }
    const user = await tx
      .insertInto('users')
      .values({
        email,
        password_hash: passwordHash,
        name: input.name,
        phone: input.phone,
        language: input.language,
        active: 0,
        created_at: at,
      })
      .returning(['id', 'name', 'language'])
      .executeTakeFirstOrThrow();
    const token = await newActivationToken(core, tx, user.id, email);
    await recordHistory(tx, at, { event: 'user.registered', userId: user.id, detail: { email } });
    return { user, token };
  });
  await recordRegistration(core, address);
  const whatNow = 'The registration is kept: register again with the same address later to get a new link.';
  if (token === null) {
    const t = REGISTRATION_ATTEMPT_MAIL[user.language as Language] ?? REGISTRATION_ATTEMPT_MAIL.en;
    const text = fill(t.text, { name: user.name, link: `${core.mail.publicUrl}/password-reset` });
    await sendAccountMail(
      core,
      email,
      { subject: t.subject, text },
      'mail.registration_attempt_failed',
      activationUnavailable(email, whatNow),
    );
  } else {
    await sendActivationMail(core, email, user.name, user.language as Language, token, whatNow);
  }
  return { email };
}

/**
 * A self-registration still waiting for its activation: the account is not active, it has activation
 * links, every one of them for its own address and none used. An account created by the operator is
 * not a pending registration (an e-mail change no longer deactivates the account either).
 */
async function registrationPending(
  tx: Tx,
  user: { id: number; active: number },
  email: string,
): Promise<boolean> {
  if (user.active) return false;
  const tokens = await tx
    .selectFrom('account_tokens')
    .select(['email', 'used_at'])
    .where('user_id', '=', user.id)
    .where('purpose', '=', 'activate')
    .execute();
  return tokens.length > 0 && tokens.every((t) => t.email === email && t.used_at === null);
}

export async function newActivationToken(core: Core, tx: Tx, userId: number, email: string) {
  const token = randomBytes(32).toString('base64url');
  await tx
    .insertInto('account_tokens')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      purpose: 'activate',
      email,
      expires_at: new Date(core.clock.now().getTime() + ACTIVATION_TTL_MS).toISOString(),
      used_at: null,
      created_at: isoNow(core),
    })
    .execute();
  return token;
}

const activationUnavailable = (email: string, whatNow: string) =>
  `The activation mail to ${email} could not be sent right now. ${whatNow}`;

/**
 * Sends an account mail. A relay that refuses or cannot be reached is MAIL_UNAVAILABLE (503) with
 * `message` telling the person what to do; the cause goes to the log, not to the client.
 */
export async function sendAccountMail(
  core: Core,
  to: string,
  mail: { subject: string; text: string },
  event: string,
  message: string,
) {
  try {
    await core.mail.mailer.send({ to, subject: mail.subject, text: mail.text });
  } catch (e) {
    eventLog().error(event, { error: errorText(e) });
    throw new MylicError('MAIL_UNAVAILABLE', message);
  }
}

/** Sends the activation link; MAIL_UNAVAILABLE with `whatNow` telling the person how to get a new link. */
export async function sendActivationMail(
  core: Core,
  email: string,
  name: string,
  language: Language,
  token: string,
  whatNow: string,
) {
  const t = ACTIVATION_MAIL[language] ?? ACTIVATION_MAIL.en;
  // The link opens the portal's page (bridge/web), which activates on a button press (a mail scanner
  // fetching the link activates nothing); scripts use GET /api/v1/account/activate with the token.
  const link = `${core.mail.publicUrl}/activate?token=${token}`;
  await sendAccountMail(
    core,
    email,
    { subject: t.subject, text: fill(t.text, { name, link }) },
    'mail.activation_failed',
    activationUnavailable(email, whatNow),
  );
}

export async function activate(core: Core, token: string) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const row = await tx
      .selectFrom('account_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .where('purpose', '=', 'activate')
      .executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= at)
      throw new MylicError('NOT_FOUND', 'This activation link is unknown, used or expired.');
    const taken = await tx
      .selectFrom('users')
      .select('id')
      .where('email', '=', row.email)
      .where('id', '!=', row.user_id)
      .executeTakeFirst();
    if (taken) throw new MylicError('EMAIL_TAKEN');
    const before = await tx
      .selectFrom('users')
      .select('email')
      .where('id', '=', row.user_id)
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('account_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', row.token_hash)
      .execute();
    // An e-mail change takes effect here, not when it was asked for: until now the old address was the
    // account's. Links still waiting for the old address (password resets) stop working.
    await tx
      .updateTable('users')
      .set({ active: 1, email: row.email })
      .where('id', '=', row.user_id)
      .execute();
    if (before.email !== row.email) {
      await tx
        .deleteFrom('account_tokens')
        .where('user_id', '=', row.user_id)
        .where('used_at', 'is', null)
        .where('email', '!=', row.email)
        .execute();
      await recordHistory(tx, at, {
        event: 'user.email_changed',
        userId: row.user_id,
        detail: { from: before.email, to: row.email },
      });
    }
    await recordHistory(tx, at, {
      event: 'user.activated',
      userId: row.user_id,
      detail: { email: row.email },
    });
    return { activated: true as const, email: row.email };
  });
}

/**
 * Activation from the portal's page (bridge/web): the mail's link alone is not enough, the person also
 * types the password chosen at registration (or the account's, for an e-mail change). Someone who
 * registered another person's address first can then not have that person activate the account
 * without knowing it (review of issue 11); the owner of the address gets in with a password reset,
 * which activates a registration that was never activated. Wrong passwords count like failed log-ins.
 */
export async function activateWithPassword(
  core: Core,
  token: string,
  password: string,
  address: string | null,
) {
  const row = await core.store.db
    .selectFrom('account_tokens')
    .innerJoin('users', 'users.id', 'account_tokens.user_id')
    .select([
      'users.email as userEmail',
      'users.password_hash',
      'account_tokens.used_at',
      'account_tokens.expires_at',
    ])
    .where('account_tokens.token_hash', '=', hashToken(token))
    .where('account_tokens.purpose', '=', 'activate')
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= isoNow(core))
    throw new MylicError('NOT_FOUND', 'This activation link is unknown, used or expired.');
  await oneGuessAtATime(core, row.userEmail, async () => {
    await assertLoginAllowed(core, row.userEmail, address);
    if (!(await verifyPassword(password, row.password_hash))) {
      await recordLoginFailure(core, row.userEmail, address);
      throw new MylicError('LOGIN_FAILED', 'This is not the password of the account.');
    }
  });
  return activate(core, token);
}
