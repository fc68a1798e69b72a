import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrateUpTo, migrationNames } from '../../bridge/db/migrate.js';
import type { DialectName } from '../../bridge/db/store.js';
import { closeTestStores, STORES, testCluster } from '../support/stores.js';

/**
 * The forward-only migrations on both stores: an empty database, and a database left at every earlier
 * schema version, both reach the same latest schema; rows written at the first version (and the
 * user rights that migration 016 moves per company) come through every later migration.
 */

afterAll(closeTestStores);

type AnyDb = Kysely<any>;

describe.each(STORES)('the migrations on %s', (kind) => {
  const dialect: DialectName = kind;
  const open: AnyDb[] = [];

  /** A fresh empty database of this kind: SQLite in memory (the same engine, no disk in the way). */
  async function emptyDb(): Promise<AnyDb> {
    const db: AnyDb =
      kind === 'sqlite'
        ? new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) })
        : new Kysely({
            dialect: new PostgresDialect({
              pool: new pg.Pool({ connectionString: await (await testCluster()).createDatabase(), max: 2 }),
            }),
          });
    open.push(db);
    return db;
  }

  /** Tables and their columns (name and type), migration bookkeeping left out. */
  async function schemaOf(db: AnyDb) {
    const tables = await db.introspection.getTables();
    return tables
      .filter((t) => !t.name.startsWith('kysely_'))
      .map((t) => ({
        table: t.name,
        columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort(),
      }))
      .sort((a, b) => a.table.localeCompare(b.table));
  }

  afterAll(async () => {
    for (const db of open) await db.destroy();
  });

  it('brings an empty database and one at every earlier version to the same latest schema', async () => {
    const names = await migrationNames(dialect);
    expect(names.length).toBeGreaterThanOrEqual(17);
    const fresh = await emptyDb();
    await migrateToLatest(fresh, dialect);
    const latest = await schemaOf(fresh);
    expect(latest.map((t) => t.table)).toEqual(
      expect.arrayContaining(['licenses', 'balances', 'device_search']),
    );
    // Four at a time: each is a database of its own.
    const earlier = names.slice(0, -1);
    const step = async (name: string) => {
      const at = await emptyDb();
      await migrateUpTo(at, dialect, name);
      // At an earlier version by the migrator's own record (a data-only migration such as 022 leaves
      // the tables as they are, so the schema alone cannot tell).
      const done = await at.selectFrom('kysely_migration').select('name').orderBy('name').execute();
      expect(
        done.map((r) => r.name),
        `${name} is an earlier version`,
      ).toEqual(names.slice(0, names.indexOf(name) + 1));
      await migrateToLatest(at, dialect);
      expect(await schemaOf(at), `from ${name}`).toEqual(latest);
    };
    for (let i = 0; i < earlier.length; i += 4) await Promise.all(earlier.slice(i, i + 4).map(step));
  });

  it('keeps the rows of the first version through every later migration, and moves user rights per company', async () => {
    const db = await emptyDb();
    const names = await migrationNames(dialect);
    await migrateUpTo(db, dialect, names[0]!);
    const at = '2026-01-01T00:00:00.000Z';
    await db
      .insertInto('users')
      .values({ email: 'old@example.test', password_hash: 'x', name: 'Old', active: 1, created_at: at })
      .execute();
    await db.insertInto('companies').values({ name: 'Old AG', created_at: at }).execute();
    await db
      .insertInto('memberships')
      .values({ user_id: 1, company_id: 1, is_admin: 1, created_at: at })
      .execute();
    await db.insertInto('projects').values({ company_id: 1, name: 'Default', created_at: at }).execute();
    await db.insertInto('balances').values({ project_id: 1, license_type: 'PBX-Port13', units: 7 }).execute();
    await db
      .insertInto('ledger_entries')
      .values({ project_id: 1, license_type: 'PBX-Port13', delta: 7, reason: 'credit', created_at: at })
      .execute();
    await migrateUpTo(db, dialect, '015-legacy-import');
    await db
      .insertInto('user_rights')
      .values({ user_id: 1, user_right: 'request-certificate', granted_at: at })
      .execute();
    await migrateToLatest(db, dialect);

    expect(await db.selectFrom('users').select(['id', 'email', 'mail_opt_in']).execute()).toEqual([
      { id: 1, email: 'old@example.test', mail_opt_in: 1 },
    ]);
    expect(await db.selectFrom('balances').select(['project_id', 'units']).execute()).toEqual([
      { project_id: 1, units: 7 },
    ]);
    expect(await db.selectFrom('projects').select(['id', 'deleted_at']).execute()).toEqual([
      { id: 1, deleted_at: null },
    ]);
    expect(
      await db.selectFrom('user_rights').select(['user_id', 'company_id', 'user_right']).execute(),
    ).toEqual([{ user_id: 1, company_id: 1, user_right: 'request-certificate' }]);
    // The auto-increment keys go on after the rows that were there.
    await db.insertInto('companies').values({ name: 'New AG', created_at: at }).execute();
    expect((await db.selectFrom('companies').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([
      1, 2,
    ]);
    if (kind === 'postgres') {
      // Device search on PostgreSQL is a trigram GIN index (SQLite: FTS5 trigram).
      const idx = await sql<{
        indexdef: string;
      }>`select indexdef from pg_indexes where indexname = 'device_search_terms'`.execute(db);
      expect(idx.rows[0]?.indexdef).toMatch(/gin \(terms gin_trgm_ops\)/);
    }
  });
});
