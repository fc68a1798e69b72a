import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrate.js';

/**
 * The embedded default: one SQLite file in WAL mode with foreign keys on.
 *
 * Write transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two processes
 * (the server and an operator command) never both read a balance and then both spend it. Within one
 * process Kysely's SQLite driver already serialises use of its single connection.
 */
export async function openSqliteStore(file: string): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  await migrateToLatest(db, 'sqlite');

  return {
    dialect: 'sqlite',
    db,
    write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (e) {
          await sql`ROLLBACK`.execute(conn);
          throw e;
        }
      });
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; the benchmark profile showed `prepare` taking an
 * eighth of a license download. Statements are kept by their SQL text (bounded, oldest dropped first).
 * Reuse is safe because the driver runs one query at a time on its single connection.
 */
const STATEMENT_CACHE_SIZE = 500;

function withStatementCache(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
