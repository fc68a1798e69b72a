import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import type { Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrate.js';
import { isRetryable, retryDelayMs, WRITE_ATTEMPTS } from './retry.js';
import { pgTypes } from './types.js';

/**
 * The store on a PostgreSQL server (MYLIC_DATABASE_URL=postgres://…), for a portal that outgrows one
 * SQLite file: Kysely's PostgresDialect over a `pg` Pool.
 *
 * Every write transaction is SERIALIZABLE: PostgreSQL then guarantees that concurrent writers (the
 * requests of this process, other bridge processes, an operator command) give the result of some
 * order one after the other — two binds never both read a balance and both spend it. A transaction
 * that PostgreSQL aborts to keep that promise (SQLSTATE 40001 serialization failure, 40P01 deadlock)
 * is rolled back whole and run again from the start, up to WRITE_ATTEMPTS times with a growing,
 * jittered pause; a rolled-back attempt changed nothing, so a unit is never lost or counted twice.
 * Callbacks given to `write` therefore must not act outside the transaction (no mail, no files):
 * the core sends mails and writes files only after `write` resolved.
 */
export async function openPostgresStore(
  url: string,
  options: { poolSize?: number; migrate?: boolean } = {},
): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    // Clock and dates are ISO strings written by the core; the session's zone only matters to now().
    options: '-c TimeZone=UTC',
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // `mylic-bridge db status` opens without migrating, to show what is pending.
    if (options.migrate !== false) await migrateToLatest(db, 'postgres');
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return {
    dialect: 'postgres',
    db,
    async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel('serializable').execute(fn);
        } catch (e) {
          if (!isRetryable(e) || attempt >= WRITE_ATTEMPTS) throw e;
          await new Promise((r) => setTimeout(r, retryDelayMs(attempt)));
        }
      }
    },
    close: () => db.destroy(),
  };
}
