import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectName } from './store.js';
import * as m001 from './migrations/001-foundation.js';
import * as m002 from './migrations/002-rights-and-tests.js';

/** Migrations are compiled in (the bridge is bundled), listed here in order. */
function provider(dialect: DialectName): MigrationProvider {
  const list: Record<string, Migration> = {
    '001-foundation': { up: (db) => m001.up(db, dialect) },
    '002-rights-and-tests': { up: (db) => m002.up(db, dialect) },
  };
  return { getMigrations: async () => list };
}

export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
