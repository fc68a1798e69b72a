import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { searchRowId, tenantRange } from '../../bridge/core/devices/index.js';
import { migrateToLatest, migrateUpTo } from '../../bridge/db/migrate.js';
import { closeTestStores, STORES, testCluster } from '../support/stores.js';

/**
 * Migration 022 on both stores: the device search index keyed by tenant first. Rows written under the
 * old key (device_id * 2^31 + company_id) come out under company_id * 2^31 + device_id with their terms,
 * so each company's rows are one range of row ids (tenantRange), and a search in that range finds them.
 */
afterAll(closeTestStores);

type AnyDb = Kysely<any>;
const oldKey = (deviceId: number, companyId: number) => (BigInt(deviceId) << 31n) + BigInt(companyId);

describe.each(STORES)('the device search key on %s', (kind) => {
  const open: AnyDb[] = [];
  afterAll(async () => {
    for (const db of open) await db.destroy();
  });

  it('moves every index row from the device-first key to the company-first key, terms kept', async () => {
    const db: AnyDb =
      kind === 'sqlite'
        ? new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) })
        : new Kysely({
            dialect: new PostgresDialect({
              pool: new pg.Pool({ connectionString: await (await testCluster()).createDatabase(), max: 2 }),
            }),
          });
    open.push(db);
    await migrateUpTo(db, kind, '018-shared-process-state');
    // Device 7 placed by companies 1 and 3, device 2^20 by company 2: keys that would collide if the
    // rewrite ran row by row without care (old key of one = new key of another is impossible here, but
    // the order of the update is not ours to choose).
    const rows = [
      { deviceId: 7, companyId: 1, terms: 'lobby\n\n009033000007' },
      { deviceId: 7, companyId: 3, terms: 'empfang\n\n009033000007' },
      { deviceId: 2 ** 20, companyId: 2, terms: 'cellar\nkeller\n0090330fffff' },
    ];
    for (const r of rows)
      await db
        .insertInto('device_search')
        .values({ rowid: oldKey(r.deviceId, r.companyId), terms: r.terms, device_id: r.deviceId })
        .execute();
    await migrateToLatest(db, kind);

    const after = await db
      .selectFrom('device_search')
      .select(['rowid', 'terms', 'device_id'])
      .orderBy('rowid')
      .execute();
    const expected = rows
      .map((r) => ({ rowid: searchRowId(r.deviceId, r.companyId), terms: r.terms, device_id: r.deviceId }))
      .sort((a, b) => (a.rowid < b.rowid ? -1 : 1));
    expect(after.map((r) => ({ ...r, rowid: BigInt(r.rowid) }))).toEqual(expected);
    // Company 3's range holds its row only, and the trigram search within it finds it.
    const [first, last] = tenantRange(3);
    const inThree = await db
      .selectFrom('device_search')
      .select('device_id')
      .where('terms', 'like', '%empf%')
      .where('rowid', '>=', first)
      .where('rowid', '<=', last)
      .execute();
    expect(inThree).toEqual([{ device_id: 7 }]);
    const [first1, last1] = tenantRange(1);
    expect(
      await db
        .selectFrom('device_search')
        .select('device_id')
        .where('terms', 'like', '%empf%')
        .where('rowid', '>=', first1)
        .where('rowid', '<=', last1)
        .execute(),
    ).toEqual([]);
  });
});
