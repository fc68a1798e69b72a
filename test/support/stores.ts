import { openPostgresStore } from '../../bridge/db/postgres/postgres-store.js';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';
import type { Store } from '../../bridge/db/store.js';
import { type PostgresCluster, startPostgres } from './postgres.js';

/**
 * The two stores the contract suites run against (`describe.each(STORES)`): the SQLite file and a real
 * PostgreSQL server. One PostgreSQL cluster per test file, started on first use; each store gets a
 * fresh database cloned from a migrated template, so the migrations run once per file.
 * A test file that uses `openTestStore` calls `afterAll(closeTestStores)`.
 */
export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

const TEMPLATE = 'mylic_migrated';
let cluster: Promise<PostgresCluster> | undefined;
let template: Promise<void> | undefined;

/** The file's PostgreSQL cluster (started on first use). */
export function testCluster(): Promise<PostgresCluster> {
  cluster ??= startPostgres();
  return cluster;
}

/** A fresh, migrated PostgreSQL database of the file's cluster; its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const c = await testCluster();
  template ??= (async () => {
    const url = await c.createDatabase(TEMPLATE);
    const s = await openPostgresStore(url, { poolSize: 1 });
    await s.close();
  })();
  await template;
  return c.cloneDatabase(TEMPLATE);
}

/** A store of the given kind: SQLite in `dir`, or a fresh PostgreSQL database. */
export async function openTestStore(kind: StoreKind, dir: string): Promise<Store> {
  if (kind === 'sqlite') return openSqliteStore(`${dir}/test.sqlite`);
  return openPostgresStore(await freshPostgresDatabase());
}

/** Stops the file's PostgreSQL cluster, if one was started. */
export async function closeTestStores(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  template = undefined;
  if (c) await (await c).stop();
}
