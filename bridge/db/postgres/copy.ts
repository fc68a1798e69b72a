import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * `mylic-bridge db copy --to postgres://…`, the data part: every table of a SQLite portal into an
 * empty, migrated PostgreSQL database, in foreign-key order, in one transaction (a failure leaves the
 * target as empty as it was), then each auto-increment sequence set past the highest id copied.
 * The table list is the target's (the same migrations made both); the migrations' own bookkeeping is
 * the target's already. `device_search` is read with its rowid (on SQLite an FTS5 table whose key is
 * the rowid, on PostgreSQL a column of that name).
 */

// biome-ignore lint/suspicious/noExplicitAny: tables are copied by name, whatever their row types
type AnyDb = Kysely<any>;

const BOOKKEEPING = /^kysely_/;
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

/** The target's tables in an order where every table comes after the tables it references. */
export async function tablesInForeignKeyOrder(target: AnyDb): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(target)
  ).rows
    .map((r) => r.name)
    .filter((t) => !BOOKKEEPING.test(t))
    .sort();
  const refs = (
    await sql<{ child: string; parent: string }>`select tc.table_name as child, ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu
        on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(target)
  ).rows;
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const r of refs) if (r.child !== r.parent) parents.get(r.child)?.add(r.parent);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const next = tables.find((t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p)));
    if (!next) throw new Error('the foreign keys between the tables form a cycle');
    order.push(next);
    placed.add(next);
  }
  return order;
}

const countOf = async (db: AnyDb, table: string) =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The tables of the target that hold rows (a copy goes only into an empty database). */
export async function nonEmptyTables(target: AnyDb): Promise<string[]> {
  const out: string[] = [];
  for (const t of await tablesInForeignKeyOrder(target)) if ((await countOf(target, t)) > 0) out.push(t);
  return out;
}

/** Copies every table; returns the row counts of both sides, read after the copy committed. */
export async function copyTables(source: Kysely<Database>, target: Kysely<Database>): Promise<TableCount[]> {
  const src = source as AnyDb;
  const dst = target as AnyDb;
  const order = await tablesInForeignKeyOrder(dst);
  await dst.transaction().execute(async (tx) => {
    for (const table of order) {
      const columns = (
        await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(
          tx,
        )
      ).rows.map((r) => r.name);
      // Read in pieces by SQLite's rowid, so a large portal is never held in memory whole.
      const batch = Math.max(1, Math.min(5000, Math.floor(MAX_PARAMETERS / columns.length)));
      for (let after = Number.MIN_SAFE_INTEGER; ; ) {
        const rows = await src
          .selectFrom(table)
          .select([sql<number>`rowid`.as('__rowid'), ...columns])
          .where(sql.ref('rowid'), '>', after)
          .orderBy(sql.ref('rowid'))
          .limit(batch)
          .execute();
        if (!rows.length) break;
        after = rows.at(-1)!.__rowid;
        await tx
          .insertInto(table)
          .values(rows.map(({ __rowid, ...row }) => row))
          .execute();
      }
      const seq = columns.includes('id')
        ? (
            await sql<{ seq: string | null }>`select pg_get_serial_sequence(${table}, 'id') as seq`.execute(
              tx,
            )
          ).rows[0]?.seq
        : null;
      if (seq)
        await sql`select setval(${seq}::regclass, coalesce(max(id), 0) + 1, false) from ${sql.table(table)}`.execute(
          tx,
        );
    }
  });
  const counts: TableCount[] = [];
  for (const table of order)
    counts.push({ table, source: await countOf(src, table), target: await countOf(dst, table) });
  return counts;
}
