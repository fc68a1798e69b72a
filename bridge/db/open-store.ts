import type { BridgeConfig } from '../config.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The configured store: PostgreSQL when MYLIC_DATABASE_URL is set, otherwise the SQLite file. */
export function openStore(
  config: Pick<BridgeConfig, 'databaseUrl' | 'sqliteFile'>,
  options: { migrate?: boolean } = {},
): Promise<Store> {
  return config.databaseUrl
    ? openPostgresStore(config.databaseUrl, options)
    : openSqliteStore(config.sqliteFile, options);
}
