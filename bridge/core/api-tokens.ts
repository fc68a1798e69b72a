import { MylicError } from '../../protocol/errors.js';
import { openSession } from './accounts.js';
import { type Actor, type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * API tokens for provisioning scripts: long-lived sessions of kind `api` with a label, bound to the
 * company selected when they were made, listed by an id (a prefix of the token hash) and revocable.
 */
export async function createApiToken(core: Core, actor: Actor, label: string) {
  return core.store.write(async (tx) => {
    const s = await openSession(core, tx, actor.userId, 'api', null, { companyId: actor.companyId ?? null, label });
    await recordHistory(tx, isoNow(core), { event: 'user.api_token_created', userId: actor.userId, companyId: actor.companyId ?? null, detail: { label } });
    return { token: s.token, expiresAt: s.expiresAt, label };
  });
}

const ID_LENGTH = 16;

export async function listApiTokens(core: Core, actor: Actor) {
  const rows = await core.store.db
    .selectFrom('sessions')
    .select(['token_hash', 'label', 'created_at', 'expires_at', 'company_id'])
    .where('user_id', '=', actor.userId)
    .where('kind', '=', 'api')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.token_hash.slice(0, ID_LENGTH), label: r.label ?? '', companyId: r.company_id, createdAt: r.created_at, expiresAt: r.expires_at }));
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
    await recordHistory(tx, isoNow(core), { event: 'user.api_token_revoked', userId: actor.userId, detail: { id } });
  });
}
