import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Accounts hardening (issue 11, section 2). API tokens get scopes: `sessions.scopes` holds a token's
 * scopes separated by spaces (null for portal and device sessions, which are not limited by scopes).
 * Tokens made before this migration could call every route; they keep every scope that exists now, so
 * no script breaks (their owners can revoke them and make narrower ones). Password reset links are
 * rows of `account_tokens` with purpose 'reset' (no schema change). Portable SQL.
 */
export const SCOPES_AT_013 = 'read devices licenses keys invalidations ssa organisation';

export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('scopes', 'text').execute();
  // biome-ignore lint/suspicious/noExplicitAny: a migration reads rows of the schema as it stands at this step
  const d = db as Kysely<any>;
  await d.updateTable('sessions').set({ scopes: SCOPES_AT_013 }).where('kind', '=', 'api').execute();
  await db.schema
    .createIndex('account_tokens_user')
    .on('account_tokens')
    .columns(['user_id', 'purpose'])
    .execute();
}
