import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * The device search index keyed by tenant first (issue 16 item 8): a placement's row id becomes
 * company_id * 2^31 + device_id (it was device_id * 2^31 + company_id), so one company's rows are one
 * range of row ids. A trigram search in a company then reads only that range of each trigram's posting
 * list (FTS5 seeks by rowid; on PostgreSQL the primary key bounds the GIN hits), instead of the whole
 * store's: the cost follows the company, not the portal. Rows are rewritten in place; old row ids are
 * positive, the new ones are first written negated so no two rows ever share an id mid-way.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const low = sql`(rowid % 2147483648)`;
  const high = sql`(rowid / 2147483648)`;
  if (dialect === 'sqlite') {
    // FTS5 keeps its row ids in its own tables: copy out, empty, and insert again with the new ids.
    await sql`create temp table device_search_move as select ${low} * 2147483648 + ${high} as rowid_new, terms, device_id from device_search`.execute(
      db,
    );
    await sql`delete from device_search`.execute(db);
    await sql`insert into device_search (rowid, terms, device_id) select rowid_new, terms, device_id from device_search_move`.execute(
      db,
    );
    await sql`drop table device_search_move`.execute(db);
  } else {
    await sql`update device_search set rowid = -(${low} * 2147483648 + ${high})`.execute(db);
    await sql`update device_search set rowid = -rowid`.execute(db);
  }
}
