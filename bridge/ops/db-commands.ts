import { resolve } from 'node:path';
import { MylicError } from '../../protocol/errors.js';
import type { BridgeConfig } from '../config.js';
import { migrateToLatest, migrationStatus } from '../db/migrate.js';
import { openStore } from '../db/open-store.js';

/**
 * `mylic-bridge db migrate | status | backup FILE` (issue 16 item 5). `serve` migrates at start too;
 * `db migrate` does it on purpose (before starting a new version, say) and names what ran; `db status`
 * opens the database without migrating and shows the schema version and what is pending; `db backup`
 * makes an online copy of a SQLite portal while it serves (PostgreSQL: `pg_dump`).
 */
export const DB_USAGE = `  db status                                           schema version of the database and the migrations pending
  db migrate                                          run the pending migrations (serve also does at start)
  db backup FILE                                      online backup of a SQLite portal into a new FILE while it
                                                      serves (PostgreSQL: pg_dump, README "Operations")`;

const where = (config: BridgeConfig) =>
  config.databaseUrl ? 'the PostgreSQL database (MYLIC_DATABASE_URL)' : config.sqliteFile;

export function isDbCommand(positionals: string[]): boolean {
  return positionals[0] === 'db' && ['status', 'migrate', 'backup'].includes(positionals[1] ?? '');
}

export async function dbCommand(config: BridgeConfig, positionals: string[]) {
  const [, sub, file, ...extra] = positionals;
  if (extra.length || (sub !== 'backup' && file !== undefined))
    throw new MylicError(
      'USAGE',
      `Unexpected "${[file, ...extra].filter(Boolean).join(' ')}" after db ${sub}.`,
    );
  const store = await openStore(config, { migrate: false });
  try {
    if (sub === 'status') {
      const list = await migrationStatus(store.db, store.dialect);
      const done = list.filter((m) => m.executedAt !== null);
      const pending = list.filter((m) => m.executedAt === null).map((m) => m.name);
      const version = done.at(-1)?.name ?? null;
      return {
        text: [
          `database: ${where(config)} (${store.dialect})`,
          `schema version: ${version ?? 'none (empty database)'}`,
          pending.length ? `pending migrations: ${pending.join(', ')}` : 'pending migrations: none',
        ].join('\n'),
        json: { dialect: store.dialect, version, applied: done.length, pending },
      };
    }
    if (sub === 'migrate') {
      const ran = await migrateToLatest(store.db, store.dialect);
      const list = await migrationStatus(store.db, store.dialect);
      const version = list.filter((m) => m.executedAt !== null).at(-1)?.name ?? null;
      return {
        text: ran.length
          ? `migrated ${where(config)}: ${ran.join(', ')}; schema version ${version}`
          : `${where(config)} is up to date: schema version ${version}`,
        json: { dialect: store.dialect, ran, version },
      };
    }
    // backup
    if (!file) throw new MylicError('USAGE', 'db backup needs the FILE to write (a new file).');
    if (!store.backup)
      throw new MylicError(
        'USAGE',
        'This portal runs on PostgreSQL: back it up with its own tool, pg_dump, e.g. pg_dump --format=custom --file=FILE "$MYLIC_DATABASE_URL" (restore: pg_restore; README "Operations").',
      );
    const target = resolve(file);
    const r = await store.backup(target).catch((e: unknown) => {
      throw new MylicError('USAGE', String((e as Error)?.message ?? e));
    });
    return {
      text: `backup of ${config.sqliteFile} written to ${target} (${r.pages} pages, checked); keep the PKI folder (${config.pkiDir}) with it`,
      json: { file: target, pages: r.pages, source: config.sqliteFile },
    };
  } finally {
    await store.close();
  }
}
