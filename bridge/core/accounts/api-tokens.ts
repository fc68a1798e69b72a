import { API_SCOPES, type ApiScope } from '../../../protocol/account-api.js';
import { MylicError } from '../../../protocol/errors.js';
import { openSession, type SessionInfo } from './accounts.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';

/**
 * API tokens for provisioning scripts: long-lived sessions of kind `api` with a label and scopes
 * (protocol/account-api.ts; the router checks them), bound to the company selected when they were made,
 * listed by an id (a prefix of the token hash) and revocable.
 *
 * Only a session opened with the password makes tokens (the route is closed to tokens, and this checks
 * again), so a leaked token cannot mint successors that outlive its revocation. A user locked in the
 * selected company — or in every company they belong to — gets USER_LOCKED: the lock must not be
 * sidestepped by a token made before someone notices.
 */
export async function createApiToken(
  core: Core,
  actor: Actor,
  session: Pick<SessionInfo, 'kind'>,
  label: string,
  scopes: readonly ApiScope[] = ['read'],
) {
  if (session.kind !== 'portal') throw new MylicError('PASSWORD_SESSION_REQUIRED');
  const wanted = API_SCOPES.filter((s) => scopes.includes(s));
  return core.store.write(async (tx) => {
    const memberships = await tx
      .selectFrom('memberships')
      .select(['company_id', 'is_locked'])
      .where('user_id', '=', actor.userId)
      .execute();
    const selected = actor.companyId ?? null;
    if (selected !== null) {
      const m = memberships.find((r) => r.company_id === selected);
      if (!m)
        throw new MylicError(
          'COMPANY_NOT_FOUND',
          'The selected company is not one of yours any more: select another one first.',
        );
      if (m.is_locked) throw new MylicError('USER_LOCKED');
    } else if (memberships.length > 0 && memberships.every((m) => m.is_locked)) {
      throw new MylicError('USER_LOCKED', 'Your account is locked in every company it belongs to.');
    }
    const s = await openSession(core, tx, actor.userId, 'api', null, {
      companyId: selected,
      label,
      scopes: wanted,
    });
    await recordHistory(tx, isoNow(core), {
      event: 'user.api_token_created',
      userId: actor.userId,
      companyId: selected,
      detail: { label, scopes: wanted },
    });
    return { token: s.token, expiresAt: s.expiresAt, label, scopes: wanted };
  });
}

const ID_LENGTH = 16;

export async function listApiTokens(core: Core, actor: Actor) {
  const rows = await core.store.db
    .selectFrom('sessions')
    .select(['token_hash', 'label', 'scopes', 'created_at', 'expires_at', 'company_id', 'last_used_at'])
    .where('user_id', '=', actor.userId)
    .where('kind', '=', 'api')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.token_hash.slice(0, ID_LENGTH),
    label: r.label ?? '',
    scopes: API_SCOPES.filter((s) => (r.scopes ?? '').split(' ').includes(s)),
    companyId: r.company_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    /** Kept to the minute (accounts.ts, LAST_USED_WRITE_MS); null: never used. */
    lastUsedAt: r.last_used_at,
  }));
}

export async function revokeApiToken(core: Core, actor: Actor, id: string) {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new MylicError('NOT_FOUND', 'There is no such API token.');
  await core.store.write(async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .select('token_hash')
      .where('user_id', '=', actor.userId)
      .where('kind', '=', 'api')
      .where('token_hash', 'like', `${id}%`)
      .executeTakeFirst();
    if (!row) throw new MylicError('NOT_FOUND', 'There is no such API token.');
    await tx.deleteFrom('sessions').where('token_hash', '=', row.token_hash).execute();
    await recordHistory(tx, isoNow(core), {
      event: 'user.api_token_revoked',
      userId: actor.userId,
      detail: { id },
    });
  });
}
