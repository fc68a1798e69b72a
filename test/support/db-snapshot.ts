import type { Kysely } from 'kysely';
import type { TestCore } from './core.js';

export type DbSnapshot = Record<string, string[]>;

/**
 * Every row of every table, for "a refused request changed nothing" assertions. Failed-login records
 * are left out (a wrong password is meant to leave one), and sessions' last-use time is ignored.
 */
export async function snapshotDatabase(tc: TestCore): Promise<DbSnapshot> {
  const db = tc.core.store.db as unknown as Kysely<any>;
  const out: DbSnapshot = {};
  for (const t of await tc.core.store.db.introspection.getTables()) {
    if (t.isView || t.name === 'login_failures') continue;
    const rows = (await db.selectFrom(t.name).selectAll().execute()) as Record<string, unknown>[];
    out[t.name] = rows.map((r) => JSON.stringify({ ...r, last_used_at: undefined })).sort();
  }
  return out;
}
