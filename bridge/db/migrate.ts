import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectName } from './store.js';
import * as m001 from './migrations/001-foundation.js';
import * as m002 from './migrations/002-rights-and-tests.js';
import * as m003 from './migrations/003-session-selection.js';
import * as m004 from './migrations/004-accounts.js';
import * as m005 from './migrations/005-activation-keys.js';
import * as m006 from './migrations/006-organisation.js';
import * as m007 from './migrations/007-devices.js';
import * as m008 from './migrations/008-device-licenses.js';
import * as m009 from './migrations/009-ssa.js';
import * as m010 from './migrations/010-license-device-state-index.js';
import * as m011 from './migrations/011-ssa-mail-weeks.js';
import * as m012 from './migrations/012-rma-requests.js';
import * as m013 from './migrations/013-accounts-hardening.js';
import * as m014 from './migrations/014-certificate-documents.js';
import * as m015 from './migrations/015-legacy-import.js';
import * as m016 from './migrations/016-user-rights-per-company.js';
import * as m017 from './migrations/017-project-tombstones.js';
import * as m018 from './migrations/018-shared-process-state.js';
import * as m022 from './migrations/022-device-search-tenant-key.js';

/** Migrations are compiled in (the bridge is bundled), listed here in order. */
function provider(dialect: DialectName): MigrationProvider {
  const list: Record<string, Migration> = {
    '001-foundation': { up: (db) => m001.up(db, dialect) },
    '002-rights-and-tests': { up: (db) => m002.up(db, dialect) },
    '003-session-selection': { up: (db) => m003.up(db) },
    '004-accounts': { up: (db) => m004.up(db, dialect) },
    '005-activation-keys': { up: (db) => m005.up(db, dialect) },
    '006-organisation': { up: (db) => m006.up(db, dialect) },
    '007-devices': { up: (db) => m007.up(db, dialect) },
    '008-device-licenses': { up: (db) => m008.up(db, dialect) },
    '009-ssa': { up: (db) => m009.up(db, dialect) },
    '010-license-device-state-index': { up: (db) => m010.up(db) },
    '011-ssa-mail-weeks': { up: (db) => m011.up(db, dialect) },
    '012-rma-requests': { up: (db) => m012.up(db, dialect) },
    '013-accounts-hardening': { up: (db) => m013.up(db, dialect) },
    '014-certificate-documents': { up: (db) => m014.up(db, dialect) },
    '015-legacy-import': { up: (db) => m015.up(db, dialect) },
    '016-user-rights-per-company': { up: (db) => m016.up(db, dialect) },
    '017-project-tombstones': { up: (db) => m017.up(db, dialect) },
    '018-shared-process-state': { up: (db) => m018.up(db, dialect) },
    '022-device-search-tenant-key': { up: (db) => m022.up(db, dialect) },
  };
  return { getMigrations: async () => list };
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every migration in order, with when it ran on this database (null: pending); `mylic-bridge db status`. */
// biome-ignore lint/suspicious/noExplicitAny: read before the schema may be complete
export async function migrationStatus(db: Kysely<any>, dialect: DialectName) {
  const list = await new Migrator({ db, provider: provider(dialect) }).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt?.toISOString() ?? null }));
}

/** The migrations' names, in order. */
export async function migrationNames(dialect: DialectName): Promise<string[]> {
  return Object.keys(await provider(dialect).getMigrations());
}

/** Migrates up to and including `name` (tests: a database at an earlier schema version). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
export async function migrateUpTo(db: Kysely<any>, dialect: DialectName, name: string): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: provider(dialect) }).migrateTo(name);
  if (error || results?.some((r) => r.status === 'Error'))
    throw new Error(`database migration up to ${name} failed: ${String(error)}`);
}
