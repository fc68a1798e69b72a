import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bridge/config.js';
import { createUser } from '../../bridge/core/accounts/index.js';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { createOwnKey } from '../../bridge/core/keys/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { createCompany, operatorCredit, DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { searchDeviceKeys, searchTuning } from '../../bridge/core/devices/index.js';
import { dbCopy } from '../../bridge/db-copy.js';
import { openPostgresStore } from '../../bridge/db/postgres/postgres-store.js';
import { MylicError } from '../../protocol/errors.js';
import { bridgeCli } from '../support/cli.js';
import { makeTestCore } from '../support/core.js';
import { closeTestStores, freshPostgresDatabase, testCluster } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { addKnownDevice } from '../support/vendor-devices.js';

/**
 * `mylic-bridge db copy --to postgres://…`: a SQLite portal with companies, balances, bound licenses,
 * an own key and searchable devices goes into an empty PostgreSQL database whole; the copy is checked
 * (row counts, conservation) and the portal then works on PostgreSQL (new ids after the copied ones,
 * search, binds). A database that is not empty is refused, and a copy that lost rows fails the check.
 */

const TYPE = 'PBX-Port13';
let root: { dir: string; cleanup: () => Promise<void> };
let companyIds: number[] = [];

beforeAll(async () => {
  root = await tempDir('mylic-db-copy-');
  const tc = await makeTestCore(root.dir);
  const core = tc.core;
  companyIds = [];
  for (const name of ['Ada', 'Bert']) {
    const user = await createUser(core, {
      email: `${name.toLowerCase()}@example.test`,
      password: 'copy-secret-1',
      name,
      active: true,
    });
    const { companyId, defaultProjectId } = await createCompany(core, user.id, `${name} AG`);
    companyIds.push(companyId);
    await operatorCredit(core, companyId, DEFAULT_PROJECT, TYPE, 20, `copy-${name}`);
    const actor = { userId: user.id, companyId, projectId: defaultProjectId };
    for (const [i, mac] of (name === 'Ada' ? ['0C0101', '0C0102'] : ['0C0201']).entries()) {
      await addKnownDevice(core, actor, defaultProjectId, mac, 'IP811');
      await bindFromBalance(core, actor, {
        projectId: defaultProjectId,
        hardwareId: mac,
        licenseType: TYPE,
        units: i + 2,
      });
    }
    await createOwnKey(core, actor, { licenses: [{ type: TYPE, units: 3 }], comment: `key of ${name}` });
  }
  await tc.close();
});
afterAll(async () => {
  await closeTestStores();
  await root?.cleanup();
});

const config = () => loadConfig({ MYLIC_DATA: root.dir, MYLIC_SQLITE: `${root.dir}/test.sqlite` });

describe('db copy --to postgres://…', () => {
  it('copies every table, checks row counts and conservation, and the portal goes on on PostgreSQL', async () => {
    const url = await freshPostgresDatabase();
    const r = await dbCopy(config(), url);
    expect(r.json.companies).toBe(2);
    for (const t of r.json.tables) expect(t.target, t.table).toBe(t.source);
    const byName = Object.fromEntries(r.json.tables.map((t) => [t.table, t.target]));
    expect(byName).toMatchObject({ companies: 2, licenses: 3, activation_keys: 2, device_search: 3 });

    const pg = await openPostgresStore(url);
    try {
      for (const id of companyIds) {
        const counts = await companyCounts(pg.db, id);
        const port = counts.find((c) => c.type === TYPE)!;
        expect(port.activated).toBe(20);
        expect(port.balance + port.bound + port.free + port.inKeys).toBe(20);
        expect(port.inKeys).toBe(3);
      }
      // The sequences go on after the copied ids.
      const maxCompany = Math.max(...companyIds);
      const made = await pg.write((tx) =>
        tx
          .insertInto('companies')
          .values({ name: 'After the copy', created_at: new Date().toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      expect(made.id).toBe(maxCompany + 1);
      // The search index came along: the trigram index finds a copied device.
      const scanLimit = searchTuning.scanLimit;
      searchTuning.scanLimit = 0;
      try {
        const found = await searchDeviceKeys(pg.db, { companyId: companyIds[0]!, external: [] }, '0c-01-02');
        expect(found.path).toBe('index');
        expect(found.keys.map((k) => k.companyId)).toEqual([companyIds[0]]);
      } finally {
        searchTuning.scanLimit = scanLimit;
      }
    } finally {
      await pg.close();
    }
  });

  it('refuses a PostgreSQL database that holds rows already, and leaves it as it was', async () => {
    const url = await freshPostgresDatabase();
    await dbCopy(config(), url);
    const err = await dbCopy(config(), url).catch((e) => e);
    expect(err).toBeInstanceOf(MylicError);
    expect((err as MylicError).code).toBe('DB_COPY_TARGET_NOT_EMPTY');
    expect((err as MylicError).message).toMatch(/companies/);
  });

  it('fails with DB_COPY_MISMATCH, naming the table, when the target did not keep every row', async () => {
    const url = await freshPostgresDatabase();
    // A rule on the server that drops the history's rows: the copy "succeeds" and must not pass the check.
    const name = new URL(url).pathname.slice(1);
    const c = await testCluster();
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: c.urlOf(name) });
    await client.connect();
    await client.query('create rule drop_history as on insert to history do instead nothing');
    await client.end();
    const err = await dbCopy(config(), url).catch((e) => e);
    expect(err).toBeInstanceOf(MylicError);
    expect((err as MylicError).code).toBe('DB_COPY_MISMATCH');
    expect((err as MylicError).message).toMatch(/table history: \d+ rows in SQLite, 0 in PostgreSQL/);
  });

  it('runs as `mylic-bridge db copy --to …` and answers with the counts in --json', async () => {
    const url = await freshPostgresDatabase();
    const r = await bridgeCli(['db', 'copy', '--to', url, '--json'], {
      MYLIC_DATA: root.dir,
      MYLIC_SQLITE: `${root.dir}/test.sqlite`,
    });
    expect(r.code, r.stderr).toBe(0);
    const result = r.json.result as {
      companies: number;
      tables: { table: string; source: number; target: number }[];
    };
    expect(result.companies).toBe(2);
    expect(result.tables.find((t) => t.table === 'licenses')).toEqual({
      table: 'licenses',
      source: 3,
      target: 3,
    });
    const refused = await bridgeCli(['db', 'copy', '--to', url], {
      MYLIC_DATA: root.dir,
      MYLIC_SQLITE: `${root.dir}/test.sqlite`,
    });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/DB_COPY_TARGET_NOT_EMPTY/);
  });
});
