import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { balanceOf } from '../../bridge/core/ledger.js';
import { createCompany, DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { MylicError } from '../../protocol/errors.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { closeTestStores, openTestStore, STORES } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

/**
 * The balance ledger under concurrency (ARCHITECTURE §5): concurrent binds never overspend, and
 * activated = balance + bound + free holds afterwards. On both stores (SQLite and PostgreSQL).
 */

const TYPE = 'PBX-Port13';

afterAll(closeTestStores);

describe.each(STORES)('bindFromBalance under concurrency, on %s', (kind) => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let tc: TestCore;

  beforeAll(async () => {
    root = await tempDir('mylic-ledger-');
    tc = await makeTestCore(root.dir, undefined, undefined, await openTestStore(kind, root.dir));
  });
  afterAll(async () => {
    await tc?.close();
    await root?.cleanup();
  });

  it('lets exactly 25 of 40 concurrent one-unit binds through a balance of 25; the rest fail with BALANCE_INSUFFICIENT', async () => {
    const user = await createUser(tc.core, {
      email: 'ledger@example.test',
      password: 'ledger-secret',
      name: 'ledger',
      active: true,
    });
    const { companyId, defaultProjectId } = await createCompany(tc.core, user.id, 'Ledger company');
    await operatorCredit(tc.core, companyId, DEFAULT_PROJECT, TYPE, 25, 'ledger-test');
    const actor = { userId: user.id };
    const devices = ['0C0001', '0C0002', '0C0003', '0C0004'];
    for (const mac of devices) await addKnownDevice(tc.core, actor, defaultProjectId, mac, 'IP811');

    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        bindFromBalance(tc.core, actor, {
          projectId: defaultProjectId,
          hardwareId: devices[i % devices.length]!,
          licenseType: TYPE,
          units: 1,
        }),
      ),
    );

    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(25);
    expect(failed).toHaveLength(15);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(MylicError);
      expect((f.reason as MylicError).code).toBe('BALANCE_INSUFFICIENT');
      expect((f.reason as MylicError).status).toBe(409);
    }
    const serials = ok.map((r) => (r as PromiseFulfilledResult<{ serial: string }>).value.serial);
    expect(new Set(serials).size).toBe(25);

    expect(await balanceOf(tc.core.store.db, defaultProjectId, TYPE)).toBe(0);
    const counts = await companyCounts(tc.core.store.db, companyId);
    expect(counts).toEqual([{ type: TYPE, activated: 25, balance: 0, bound: 25, free: 0, inKeys: 0 }]);
    for (const c of counts) expect(c.balance + c.bound + c.free + c.inKeys).toBe(c.activated);

    // Every unit that left the balance has its ledger entry and its license; failed binds left none.
    const entries = await tc.core.store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('project_id', '=', defaultProjectId)
      .execute();
    expect(entries.filter((e) => e.delta < 0)).toHaveLength(25);
    expect(entries.reduce((sum, e) => sum + e.delta, 0)).toBe(0);
    expect(new Set(entries.filter((e) => e.delta < 0).map((e) => e.ref))).toEqual(new Set(serials));
    const licenses = await tc.core.store.db.selectFrom('licenses').selectAll().execute();
    expect(licenses).toHaveLength(25);
    const history = await tc.core.store.db
      .selectFrom('history')
      .select('event')
      .where('event', '=', 'license.bound')
      .execute();
    expect(history).toHaveLength(25);
  });
});
