import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';

/**
 * What myplay, the sandbox portal (bridge/core/play), needs of SQLite: a copy of the live database made
 * with SQLite's online backup API (a consistent snapshot while the live server keeps writing), and a
 * reader of the live database that cannot write (`query_only`), for the device sync. Nothing here runs
 * migrations on the live file: the sandbox never changes it.
 */

/** Copies the live database file to `target` (through a temporary file, renamed when complete). */
export async function copySqliteDatabase(source: string, target: string): Promise<void> {
  if (!existsSync(source)) throw new Error(`There is no live database at ${source}.`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.copy-${process.pid}`;
  const live = new BetterSqlite3(source, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 5000');
    live.pragma('query_only = ON');
    await live.backup(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    live.close();
  }
  renameSync(tmp, target);
}

/** The live database for reading only (query_only: any write fails). */
export function openSqliteReader(file: string): { db: Kysely<Database>; close: () => Promise<void> } {
  const raw = new BetterSqlite3(file, { fileMustExist: true });
  raw.pragma('busy_timeout = 5000');
  raw.pragma('query_only = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, close: () => db.destroy() };
}
