import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueVendorKey, LOOKUP_MAX_FAILURES } from '../../bridge/core/keys/index.js';
import { EXIT } from '../../protocol/errors.js';
import { normaliseKeyCode } from '../../protocol/keys-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { closeTestStores, openTestStore, STORES } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { bridgeInProcess } from '../support/bridge-in-process.js';
import { expectError } from '../bridge/fixtures.js';
import {
  addMember,
  balanceUnits,
  call,
  counts,
  expectConservation,
  grantRights,
  GW,
  KEY_FORMAT,
  keyCompany,
  ok,
  PORT,
  rowCount,
  selectProject,
} from './keys-fixtures.js';

/**
 * Balance and activation keys through /api/v1 (seed: Balance, Activations, Own Activations, License
 * certificate): what each request answers and what it does to balances, keys, the ledger and history.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-keys-');
  tc = await makeTestCore(root.dir);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

const vendorKey = async (
  licenses: { type: string; units: number }[],
  order = { orderNumber: 'SO-1', orderReference: 'CUST-1' },
) => issueVendorKey(tc.core, { licenses, ...order });

const historyEvents = async (event: string) =>
  tc.core.store.db.selectFrom('history').selectAll().where('event', '=', event).orderBy('id').execute();

describe('balance', () => {
  it('shows the sum over all projects of the company when no project is selected, and the selected project alone when one is', async () => {
    const a = await keyCompany(tc, 'bal', {
      extraProjects: ['Branch'],
      credit: [
        { type: PORT, units: 10 },
        { project: 'Branch', type: PORT, units: 3 },
        { project: 'Branch', type: GW, units: 2 },
      ],
    });
    const [dflt, branch] = a.projects;
    const all = await ok(call(tc.app, 'GET', '/balance', a.token));
    expect(all).toMatchObject({
      scope: 'all',
      companyId: a.companyId,
      total: [
        { type: GW, units: 2 },
        { type: PORT, units: 13 },
      ],
    });
    expect(all.projects).toEqual(
      expect.arrayContaining([
        {
          projectId: dflt!.id,
          projectName: 'DEFAULT',
          companyId: a.companyId,
          external: false,
          licenses: [{ type: PORT, units: 10 }],
        },
        {
          projectId: branch!.id,
          projectName: 'Branch',
          companyId: a.companyId,
          external: false,
          licenses: [
            { type: GW, units: 2 },
            { type: PORT, units: 3 },
          ],
        },
      ]),
    );

    await selectProject(tc, a.token, branch!.id);
    const selected = await ok(call(tc.app, 'GET', '/balance', a.token));
    expect(selected).toMatchObject({
      scope: 'project',
      total: [
        { type: GW, units: 2 },
        { type: PORT, units: 3 },
      ],
    });
    expect(selected.projects).toHaveLength(1);
    // scope=all ignores the selection.
    expect(await ok(call(tc.app, 'GET', '/balance?scope=all', a.token))).toMatchObject({
      scope: 'all',
      total: [
        { type: GW, units: 2 },
        { type: PORT, units: 13 },
      ],
    });
    expect(await ok(call(tc.app, 'GET', `/projects/${dflt!.id}/balance`, a.token))).toEqual({
      projectId: dflt!.id,
      projectName: 'DEFAULT',
      companyId: a.companyId,
      external: false,
      licenses: [{ type: PORT, units: 10 }],
    });
  });

  it('never sums a project the company only has rights on into "all projects", but shows it as external on its own', async () => {
    const owner = await keyCompany(tc, 'owner', { credit: [{ type: PORT, units: 7 }] });
    const partner = await keyCompany(tc, 'partner', { credit: [{ type: GW, units: 1 }] });
    await grantRights(tc, owner.projects[0]!.id, partner.companyId);

    const all = await ok(call(tc.app, 'GET', '/balance', partner.token));
    expect(all.total).toEqual([{ type: GW, units: 1 }]);
    expect(all.projects.map((p: { projectId: number }) => p.projectId)).toEqual([partner.projects[0]!.id]);
    const external = await ok(
      call(tc.app, 'GET', `/projects/${owner.projects[0]!.id}/balance`, partner.token),
    );
    expect(external).toMatchObject({
      external: true,
      companyId: owner.companyId,
      licenses: [{ type: PORT, units: 7 }],
    });
  });
});

describe('vendor keys and redeeming', () => {
  /** Runs `mylic-bridge …` in-process against the test database; returns the exit code and what it printed. */
  const cli = (args: string[]) => bridgeInProcess(root.dir, `${root.dir}/test.sqlite`, args);

  it('the operator issues a key with several licenses from the command line; it is shown grouped and stored without dashes', async () => {
    const r = await cli([
      'ops',
      'key',
      'issue',
      '--type',
      PORT,
      '--units',
      '5',
      '--type',
      GW,
      '--units',
      '2',
      '--order',
      'SO-4711',
      '--reference',
      'Mueller AG',
      '--json',
    ]);
    expect(r.code).toBe(EXIT.OK);
    const { result } = JSON.parse(r.out);
    expect(result.key).toMatch(KEY_FORMAT);
    expect(result).toMatchObject({
      licenses: [
        { type: PORT, units: 5 },
        { type: GW, units: 2 },
      ],
      orderNumber: 'SO-4711',
      orderReference: 'Mueller AG',
    });
    const row = await tc.core.store.db
      .selectFrom('activation_keys')
      .selectAll()
      .where('id', '=', result.keyId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      code: result.key.replaceAll('-', ''),
      kind: 'vendor',
      company_id: null,
      order_number: 'SO-4711',
      order_reference: 'Mueller AG',
      redeemed_at: null,
    });
    expect((await historyEvents('key.issued')).some((e) => JSON.parse(e.detail).keyId === result.keyId)).toBe(
      true,
    );

    const text = await cli(['ops', 'key', 'issue', '--type', 'SSC', '--units', '100']);
    expect(text.code).toBe(EXIT.OK);
    expect(text.out).toMatch(/^activation key [2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){4}\n\s+100 SSC$/);
  });

  it('the operator command refuses --type without a matching --units, and unknown license types, creating nothing', async () => {
    const before = await rowCount(tc, 'activation_keys');
    const unmatched = await cli([
      'ops',
      'key',
      'issue',
      '--type',
      PORT,
      '--units',
      '5',
      '--type',
      GW,
      '--json',
    ]);
    expect(unmatched.code).toBe(EXIT.USAGE);
    expect(JSON.parse(unmatched.out)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const unknown = await cli(['ops', 'key', 'issue', '--type', 'PBX-Port99', '--units', '1', '--json']);
    expect(JSON.parse(unknown.out)).toMatchObject({ ok: false, error: { code: 'LICENSE_TYPE_UNKNOWN' } });
    expect(await rowCount(tc, 'activation_keys')).toBe(before);
  });

  it('other commands still take --type once: ops balance add with two --type is a usage error', async () => {
    const r = await cli([
      'ops',
      'balance',
      'add',
      '--company',
      '1',
      '--type',
      PORT,
      '--type',
      GW,
      '--units',
      '1',
      '--json',
    ]);
    expect(r.code).toBe(EXIT.USAGE);
  });

  it('previews a key without redeeming it, then redeems it into the selected project once; typed in lower case with spaces', async () => {
    const a = await keyCompany(tc, 'redeemer', { credit: [{ type: PORT, units: 1 }] });
    const issued = await vendorKey([
      { type: PORT, units: 5 },
      { type: GW, units: 2 },
    ]);
    const typed = issued.key.toLowerCase().replaceAll('-', ' ');
    await selectProject(tc, a.token, a.projects[0]!.id);

    const preview = await ok(call(tc.app, 'POST', '/activation-keys/preview', a.token, { key: typed }));
    expect(preview).toEqual({
      key: issued.key,
      licenses: [
        { type: GW, units: 2 },
        { type: PORT, units: 5 },
      ],
      projectId: a.projects[0]!.id,
      projectName: 'DEFAULT',
    });
    expect(await balanceUnits(tc, a.projects[0]!.id, PORT)).toBe(1);

    const redeemed = await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', a.token, { key: typed, comment: 'first order' }),
      201,
    );
    expect(redeemed).toMatchObject({
      keyId: issued.keyId,
      key: issued.key,
      projectId: a.projects[0]!.id,
      balance: [
        { type: GW, units: 2 },
        { type: PORT, units: 6 },
      ],
    });
    expect(await counts(tc, a.companyId)).toEqual({
      [GW]: { type: GW, activated: 2, balance: 2, bound: 0, free: 0, inKeys: 0 },
      [PORT]: { type: PORT, activated: 6, balance: 6, bound: 0, free: 0, inKeys: 0 },
    });
    const events = (await historyEvents('key.redeemed')).filter((e) => e.company_id === a.companyId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ project_id: a.projects[0]!.id, user_id: a.user.id });
    expect(JSON.parse(events[0]!.detail)).toMatchObject({ keyId: issued.keyId, comment: 'first order' });

    const list = await ok(call(tc.app, 'GET', '/activation-keys', a.token));
    expect(list).toMatchObject({
      scope: 'project',
      keys: [
        {
          keyId: issued.keyId,
          key: issued.key,
          kind: 'vendor',
          comment: 'first order',
          orderNumber: 'SO-1',
          orderReference: 'CUST-1',
        },
      ],
    });

    const entries = await rowCount(tc, 'ledger_entries');
    const again = await call(tc.app, 'POST', '/activation-keys/redeem', a.token, { key: issued.key });
    await expectError(again, 409, 'KEY_ALREADY_REDEEMED');
    await expectError(
      await call(tc.app, 'POST', '/activation-keys/preview', a.token, { key: issued.key }),
      409,
      'KEY_ALREADY_REDEEMED',
    );
    expect(await rowCount(tc, 'ledger_entries')).toBe(entries);
    expect(await balanceUnits(tc, a.projects[0]!.id, PORT)).toBe(6);
  });

  it('a key redeemed by one company is redeemed for everyone: another company also gets 409 KEY_ALREADY_REDEEMED', async () => {
    const first = await keyCompany(tc, 'first');
    const second = await keyCompany(tc, 'second');
    const issued = await vendorKey([{ type: PORT, units: 1 }]);
    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', first.token, {
        key: issued.key,
        projectId: first.projects[0]!.id,
      }),
      201,
    );
    const res = await call(tc.app, 'POST', '/activation-keys/redeem', second.token, {
      key: issued.key,
      projectId: second.projects[0]!.id,
    });
    const err = await expectError(res, 409, 'KEY_ALREADY_REDEEMED');
    // Nothing about who has it.
    expect(JSON.stringify(err)).not.toContain(String(first.projects[0]!.id));
    expect(await counts(tc, second.companyId)).toEqual({});
  });

  it('asks for a project when none is selected or named (400 PROJECT_NOT_SELECTED)', async () => {
    const a = await keyCompany(tc, 'noselect');
    const issued = await vendorKey([{ type: PORT, units: 1 }]);
    await expectError(
      await call(tc.app, 'POST', '/activation-keys/redeem', a.token, { key: issued.key }),
      400,
      'PROJECT_NOT_SELECTED',
    );
    await expectError(
      await call(tc.app, 'POST', '/activation-keys/preview', a.token, { key: issued.key }),
      400,
      'PROJECT_NOT_SELECTED',
    );
  });

  it(`answers an unknown key with 404 KEY_NOT_FOUND, and after ${LOOKUP_MAX_FAILURES} wrong keys answers 429 with Retry-After, even for a right key; other users are not slowed`, async () => {
    const prober = await keyCompany(tc, 'prober');
    const other = await keyCompany(tc, 'honest');
    const real = await vendorKey([{ type: PORT, units: 1 }]);
    const projectId = prober.projects[0]!.id;
    for (let i = 0; i < LOOKUP_MAX_FAILURES; i++) {
      const wrong = i % 2 === 0 ? `ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ${String((i % 8) + 2)}` : 'not a key';
      await expectError(
        await call(tc.app, 'POST', '/activation-keys/redeem', prober.token, { key: wrong, projectId }),
        404,
        'KEY_NOT_FOUND',
      );
    }
    const limited = await call(tc.app, 'POST', '/activation-keys/preview', prober.token, {
      key: real.key,
      projectId,
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectError(limited, 429, 'RATE_LIMITED');
    expect(await counts(tc, prober.companyId)).toEqual({});

    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', other.token, {
        key: real.key,
        projectId: other.projects[0]!.id,
      }),
      201,
    );

    // The window passes.
    tc.clock.set(new Date(Date.now() + 16 * 60_000));
    try {
      await expectError(
        await call(tc.app, 'POST', '/activation-keys/preview', prober.token, { key: real.key, projectId }),
        409,
        'KEY_ALREADY_REDEEMED',
      );
    } finally {
      tc.clock.set(null);
    }
  });

  it('a user whose company has rights on a project redeems a key into that project: the owner company gains the licenses', async () => {
    const owner = await keyCompany(tc, 'rights-owner');
    const partner = await keyCompany(tc, 'rights-partner');
    await grantRights(tc, owner.projects[0]!.id, partner.companyId);
    const issued = await vendorKey([{ type: PORT, units: 4 }]);
    await selectProject(tc, partner.token, owner.projects[0]!.id);
    const r = await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', partner.token, { key: issued.key }),
      201,
    );
    expect(r).toMatchObject({ projectId: owner.projects[0]!.id, balance: [{ type: PORT, units: 4 }] });
    expect((await counts(tc, owner.companyId))[PORT]).toMatchObject({ activated: 4, balance: 4 });
    expect(await counts(tc, partner.companyId)).toEqual({});
  });
});

describe('own activation keys', () => {
  it('creates a key from the selected project: the units leave the balance and are "in keys"; conservation holds', async () => {
    const a = await keyCompany(tc, 'own', {
      credit: [
        { type: PORT, units: 10 },
        { type: GW, units: 3 },
      ],
    });
    const p = a.projects[0]!.id;
    await selectProject(tc, a.token, p);
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        licenses: [
          { type: PORT, units: 4 },
          { type: GW, units: 1 },
          { type: PORT, units: 1 },
        ],
        comment: 'for Bob',
        orderNumber: 'PO-7',
        orderReference: 'BOB-1',
      }),
      201,
    );
    expect(key).toMatchObject({
      companyId: a.companyId,
      licenses: [
        { type: GW, units: 1 },
        { type: PORT, units: 5 },
      ],
      sources: [
        { projectId: p, projectName: 'DEFAULT', type: GW, units: 1 },
        { projectId: p, projectName: 'DEFAULT', type: PORT, units: 5 },
      ],
      comment: 'for Bob',
      orderNumber: 'PO-7',
      orderReference: 'BOB-1',
      redeemed: null,
    });
    expect(key.key).toMatch(KEY_FORMAT);
    expect(await counts(tc, a.companyId)).toEqual({
      [GW]: { type: GW, activated: 3, balance: 2, bound: 0, free: 0, inKeys: 1 },
      [PORT]: { type: PORT, activated: 10, balance: 5, bound: 0, free: 0, inKeys: 5 },
    });
    const ledger = await tc.core.store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('project_id', '=', p)
      .where('reason', '=', 'key.created')
      .execute();
    expect(ledger.map((e) => [e.license_type, e.delta]).sort()).toEqual([
      [GW, -1],
      [PORT, -5],
    ]);
    const created = (await historyEvents('key.created')).filter((e) => e.company_id === a.companyId);
    expect(created).toHaveLength(1);
    expect(await ok(call(tc.app, 'GET', `/own-keys/${key.keyId}`, a.token))).toEqual(key);
  });

  it('draws one key from several projects of the company', async () => {
    const a = await keyCompany(tc, 'multi', {
      extraProjects: ['Lab'],
      credit: [
        { type: PORT, units: 2 },
        { project: 'Lab', type: PORT, units: 3 },
      ],
    });
    const [dflt, lab] = a.projects;
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: dflt!.id,
        licenses: [
          { type: PORT, units: 2 },
          { type: PORT, units: 3, projectId: lab!.id },
        ],
      }),
      201,
    );
    expect(key.licenses).toEqual([{ type: PORT, units: 5 }]);
    expect(key.sources).toEqual([
      { projectId: dflt!.id, projectName: 'DEFAULT', type: PORT, units: 2 },
      { projectId: lab!.id, projectName: 'Lab', type: PORT, units: 3 },
    ]);
    expect(await balanceUnits(tc, dflt!.id, PORT)).toBe(0);
    expect(await balanceUnits(tc, lab!.id, PORT)).toBe(0);
    await expectConservation(tc, a.companyId);
  });

  it('refuses a key the balance cannot pay with 409 BALANCE_INSUFFICIENT, taking nothing from any project', async () => {
    const a = await keyCompany(tc, 'poor', {
      extraProjects: ['Lab'],
      credit: [
        { type: PORT, units: 5 },
        { project: 'Lab', type: PORT, units: 1 },
      ],
    });
    const [dflt, lab] = a.projects;
    const keys = await rowCount(tc, 'activation_keys');
    const res = await call(tc.app, 'POST', '/own-keys', a.token, {
      projectId: dflt!.id,
      licenses: [
        { type: PORT, units: 5 },
        { type: PORT, units: 2, projectId: lab!.id },
      ],
    });
    expect((await expectError(res, 409, 'BALANCE_INSUFFICIENT')).details).toMatchObject({
      licenseType: PORT,
      available: 1,
      needed: 2,
    });
    expect(await balanceUnits(tc, dflt!.id, PORT)).toBe(5);
    expect(await balanceUnits(tc, lab!.id, PORT)).toBe(1);
    expect(await rowCount(tc, 'activation_keys')).toBe(keys);
  });

  it('updates an unredeemed key: adds licenses from balance, removes with negative amounts back into the balance, changes comment and order fields', async () => {
    const a = await keyCompany(tc, 'upd', {
      credit: [
        { type: PORT, units: 10 },
        { type: GW, units: 4 },
      ],
    });
    const p = a.projects[0]!.id;
    await selectProject(tc, a.token, p);
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, { licenses: [{ type: PORT, units: 5 }] }),
      201,
    );

    const updated = await ok(
      call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, a.token, {
        licenses: [
          { type: GW, units: 2 },
          { type: PORT, units: -2 },
        ],
        comment: 'changed',
        orderReference: 'REF-2',
      }),
    );
    expect(updated).toMatchObject({
      licenses: [
        { type: GW, units: 2 },
        { type: PORT, units: 3 },
      ],
      comment: 'changed',
      orderNumber: '',
      orderReference: 'REF-2',
    });
    expect(await balanceUnits(tc, p, PORT)).toBe(7);
    expect(await balanceUnits(tc, p, GW)).toBe(2);
    expect((await counts(tc, a.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 10,
      balance: 7,
      bound: 0,
      free: 0,
      inKeys: 3,
    });

    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, a.token, {
        licenses: [{ type: PORT, units: -4 }],
      }),
      409,
      'KEY_LICENSES_INSUFFICIENT',
    );
    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, a.token, {
        licenses: [
          { type: PORT, units: -3 },
          { type: GW, units: -2 },
        ],
      }),
      409,
      'KEY_EMPTY',
    );
    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, a.token, { licenses: [{ type: GW, units: 3 }] }),
      409,
      'BALANCE_INSUFFICIENT',
    );
    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, a.token, {}),
      400,
      'VALIDATION_FAILED',
    );
    // The refused updates changed nothing.
    expect(await ok(call(tc.app, 'GET', `/own-keys/${key.keyId}`, a.token))).toEqual(updated);
    expect(await balanceUnits(tc, p, PORT)).toBe(7);
    expect((await historyEvents('key.updated')).filter((e) => e.company_id === a.companyId)).toHaveLength(1);
    await expectConservation(tc, a.companyId);
  });

  it('deletes an unredeemed key: its licenses go back into the currently selected project, or where they came from when none is selected', async () => {
    const a = await keyCompany(tc, 'del', { extraProjects: ['Lab'], credit: [{ type: PORT, units: 6 }] });
    const [dflt, lab] = a.projects;
    const k1 = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: dflt!.id,
        licenses: [{ type: PORT, units: 2 }],
      }),
      201,
    );
    const k2 = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: dflt!.id,
        licenses: [{ type: PORT, units: 3 }],
      }),
      201,
    );

    await selectProject(tc, a.token, lab!.id);
    expect(await ok(call(tc.app, 'DELETE', `/own-keys/${k1.keyId}`, a.token))).toEqual({
      keyId: k1.keyId,
      returned: [{ projectId: lab!.id, type: PORT, units: 2 }],
    });
    expect(await balanceUnits(tc, lab!.id, PORT)).toBe(2);

    await selectProject(tc, a.token, null);
    expect(await ok(call(tc.app, 'DELETE', `/own-keys/${k2.keyId}`, a.token))).toEqual({
      keyId: k2.keyId,
      returned: [{ projectId: dflt!.id, type: PORT, units: 3 }],
    });
    expect(await balanceUnits(tc, dflt!.id, PORT)).toBe(4);
    expect((await counts(tc, a.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 6,
      balance: 6,
      bound: 0,
      free: 0,
      inKeys: 0,
    });

    // A deleted key is gone for everyone, for good.
    await expectError(await call(tc.app, 'GET', `/own-keys/${k1.keyId}`, a.token), 404, 'KEY_NOT_FOUND');
    await expectError(
      await call(tc.app, 'POST', '/activation-keys/redeem', a.token, { key: k1.key, projectId: dflt!.id }),
      404,
      'KEY_NOT_FOUND',
    );
    expect((await historyEvents('key.deleted')).filter((e) => e.company_id === a.companyId)).toHaveLength(2);
  });

  it('lists the own keys of the selected project, or of all projects when none is selected', async () => {
    const a = await keyCompany(tc, 'list', {
      extraProjects: ['Lab'],
      credit: [
        { type: PORT, units: 3 },
        { project: 'Lab', type: PORT, units: 3 },
      ],
    });
    const [dflt, lab] = a.projects;
    const k1 = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: dflt!.id,
        licenses: [{ type: PORT, units: 1 }],
      }),
      201,
    );
    const k2 = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: lab!.id,
        licenses: [{ type: PORT, units: 1 }],
      }),
      201,
    );
    const all = await ok(call(tc.app, 'GET', '/own-keys', a.token));
    expect(all.scope).toBe('all');
    expect(all.keys.map((k: { keyId: number }) => k.keyId)).toEqual([k2.keyId, k1.keyId]);
    await selectProject(tc, a.token, lab!.id);
    const inLab = await ok(call(tc.app, 'GET', '/own-keys', a.token));
    expect(inLab).toMatchObject({ scope: 'project', keys: [{ keyId: k2.keyId }] });
    expect(inLab.keys).toHaveLength(1);
    expect(
      (await ok(call(tc.app, 'GET', `/own-keys?projectId=${dflt!.id}`, a.token))).keys.map(
        (k: { keyId: number }) => k.keyId,
      ),
    ).toEqual([k1.keyId]);
  });

  it("another company redeems an own key: the units move from the creator's keys to the redeemer's balance, and the key cannot change any more", async () => {
    const seller = await keyCompany(tc, 'seller', { credit: [{ type: PORT, units: 8 }] });
    const buyer = await keyCompany(tc, 'buyer');
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', seller.token, {
        projectId: seller.projects[0]!.id,
        licenses: [{ type: PORT, units: 5 }],
        comment: 'internal note',
        orderNumber: 'PO-9',
      }),
      201,
    );
    // Before redeeming, the key shows its licenses and nothing else of the seller.
    const preview = await ok(
      call(tc.app, 'POST', '/activation-keys/preview', buyer.token, {
        key: key.key,
        projectId: buyer.projects[0]!.id,
      }),
    );
    expect(Object.keys(preview).sort()).toEqual(['key', 'licenses', 'projectId', 'projectName']);
    expect(JSON.stringify(preview)).not.toMatch(/internal note|PO-9|seller/i);

    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', buyer.token, {
        key: key.key,
        projectId: buyer.projects[0]!.id,
      }),
      201,
    );
    expect((await counts(tc, seller.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 3,
      balance: 3,
      bound: 0,
      free: 0,
      inKeys: 0,
    });
    expect((await counts(tc, buyer.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 5,
      balance: 5,
      bound: 0,
      free: 0,
      inKeys: 0,
    });
    await expectConservation(tc, seller.companyId);
    await expectConservation(tc, buyer.companyId);
    // Both sides of the move are recorded: the "in keys" entry of the seller, the ledger entry of the buyer.
    const sides = await tc.core.store.db
      .selectFrom('activation_key_entries')
      .selectAll()
      .where('key_id', '=', key.keyId)
      .orderBy('id')
      .execute();
    expect(sides.map((e) => [e.reason, e.delta])).toEqual([
      ['key.created', 5],
      ['key.redeemed', -5],
    ]);

    const seen = await ok(call(tc.app, 'GET', `/own-keys/${key.keyId}`, seller.token));
    expect(seen.redeemed).toMatchObject({ projectId: null, projectName: null });
    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, seller.token, { comment: 'late' }),
      409,
      'KEY_ALREADY_REDEEMED',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/own-keys/${key.keyId}`, seller.token),
      409,
      'KEY_ALREADY_REDEEMED',
    );
    expect((await counts(tc, seller.companyId))[PORT]!.balance).toBe(3);
  });

  it('an own key redeemed into another project of the same company moves the units between projects without activating anything new', async () => {
    const a = await keyCompany(tc, 'transfer', {
      extraProjects: ['Lab'],
      credit: [{ type: PORT, units: 4 }],
    });
    const [dflt, lab] = a.projects;
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: dflt!.id,
        licenses: [{ type: PORT, units: 4 }],
      }),
      201,
    );
    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', a.token, { key: key.key, projectId: lab!.id }),
      201,
    );
    expect(await balanceUnits(tc, lab!.id, PORT)).toBe(4);
    expect((await counts(tc, a.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 4,
      balance: 4,
      bound: 0,
      free: 0,
      inKeys: 0,
    });
    const seen = await ok(call(tc.app, 'GET', `/own-keys/${key.keyId}`, a.token));
    expect(seen.redeemed).toMatchObject({ projectId: lab!.id, projectName: 'Lab' });
  });

  it('a second member of the company manages the keys the first created', async () => {
    const a = await keyCompany(tc, 'team', { credit: [{ type: PORT, units: 2 }] });
    const colleague = await addMember(tc, a.companyId, 'colleague');
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: a.projects[0]!.id,
        licenses: [{ type: PORT, units: 2 }],
      }),
      201,
    );
    await ok(call(tc.app, 'PATCH', `/own-keys/${key.keyId}`, colleague.token, { orderNumber: 'X-1' }));
    await ok(call(tc.app, 'DELETE', `/own-keys/${key.keyId}`, colleague.token));
    expect(await balanceUnits(tc, a.projects[0]!.id, PORT)).toBe(2);
  });
});

describe('license certificate', () => {
  it('is a print-ready HTML document with the grouped key, its licenses, order number and reference and the issuer, all escaped', async () => {
    const a = await keyCompany(tc, 'cert', { credit: [{ type: PORT, units: 3 }] });
    const key = await ok(
      call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: a.projects[0]!.id,
        licenses: [{ type: PORT, units: 3 }],
        orderNumber: 'PO-<1>',
        orderReference: '<script>alert("x")</script>',
      }),
      201,
    );
    const res = await call(tc.app, 'GET', `/activation-keys/${key.keyId}/certificate`, a.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="license-certificate-${key.key}.html"`,
    );
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(key.key);
    expect(html).toContain('<td>PBX-Port13</td><td class="units">3</td>');
    expect(html).toContain('PO-&lt;1&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Company cert');
    expect(html).toContain('@page');
  });

  it('is there for a key redeemed into your project and for a key your company created; any other key answers 404 KEY_NOT_FOUND', async () => {
    const seller = await keyCompany(tc, 'cert-seller', { credit: [{ type: PORT, units: 1 }] });
    const buyer = await keyCompany(tc, 'cert-buyer');
    const stranger = await keyCompany(tc, 'cert-stranger');
    const own = await ok(
      call(tc.app, 'POST', '/own-keys', seller.token, {
        projectId: seller.projects[0]!.id,
        licenses: [{ type: PORT, units: 1 }],
      }),
      201,
    );
    const vendor = await vendorKey([{ type: GW, units: 1 }], { orderNumber: 'V-1', orderReference: '' });
    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', buyer.token, {
        key: own.key,
        projectId: buyer.projects[0]!.id,
      }),
      201,
    );
    await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', buyer.token, {
        key: vendor.key,
        projectId: buyer.projects[0]!.id,
      }),
      201,
    );

    for (const [token, keyId] of [
      [seller.token, own.keyId],
      [buyer.token, own.keyId],
      [buyer.token, vendor.keyId],
    ] as const) {
      expect((await call(tc.app, 'GET', `/activation-keys/${keyId}/certificate`, token)).status).toBe(200);
    }
    const vendorHtml = await (
      await call(tc.app, 'GET', `/activation-keys/${vendor.keyId}/certificate`, buyer.token)
    ).text();
    expect(vendorHtml).toContain('mylic license portal');
    expect(vendorHtml).toContain('V-1');

    await expectError(
      await call(tc.app, 'GET', `/activation-keys/${own.keyId}/certificate`, stranger.token),
      404,
      'KEY_NOT_FOUND',
    );
    await expectError(
      await call(tc.app, 'GET', `/activation-keys/${vendor.keyId}/certificate`, seller.token),
      404,
      'KEY_NOT_FOUND',
    );
    await expectError(
      await call(tc.app, 'GET', '/activation-keys/99999999/certificate', buyer.token),
      404,
      'KEY_NOT_FOUND',
    );
    // A vendor key nobody redeemed yet has no certificate for customers.
    const unredeemed = await vendorKey([{ type: PORT, units: 1 }]);
    await expectError(
      await call(tc.app, 'GET', `/activation-keys/${unredeemed.keyId}/certificate`, buyer.token),
      404,
      'KEY_NOT_FOUND',
    );
  });
});

afterAll(closeTestStores);

// The contention tests run on both stores, each on a store of its own (this `tc` hides the file's).
describe.each(STORES)('concurrency, on %s', (kind) => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let tc: TestCore;
  beforeAll(async () => {
    root = await tempDir('mylic-keys-race-');
    tc = await makeTestCore(root.dir, undefined, undefined, await openTestStore(kind, root.dir));
  });
  afterAll(async () => {
    await tc?.close();
    await root?.cleanup();
  });
  const vendorKey = async (licenses: { type: string; units: number }[]) =>
    issueVendorKey(tc.core, { licenses, orderNumber: 'SO-1', orderReference: 'CUST-1' });
  const historyEvents = async (event: string) =>
    tc.core.store.db.selectFrom('history').selectAll().where('event', '=', event).orderBy('id').execute();

  it('50 parallel requests creating 1-unit keys from a balance of 30 never overspend: exactly 30 keys, 20 answers 409 BALANCE_INSUFFICIENT', async () => {
    const a = await keyCompany(tc, 'rush', { credit: [{ type: PORT, units: 30 }] });
    const p = a.projects[0]!.id;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(tc.app, 'POST', '/own-keys', a.token, {
          projectId: p,
          licenses: [{ type: PORT, units: 1 }],
          comment: `rush ${i}`,
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    for (const r of answers.filter((x) => x.status === 409))
      await expectError(r, 409, 'BALANCE_INSUFFICIENT');
    const keys = await Promise.all(
      answers.filter((r) => r.status === 201).map((r) => r.json() as Promise<{ key: string }>),
    );
    expect(new Set(keys.map((k) => k.key)).size).toBe(30);
    expect(await balanceUnits(tc, p, PORT)).toBe(0);
    expect((await counts(tc, a.companyId))[PORT]).toEqual({
      type: PORT,
      activated: 30,
      balance: 0,
      bound: 0,
      free: 0,
      inKeys: 30,
    });
    expect((await historyEvents('key.created')).filter((e) => e.company_id === a.companyId)).toHaveLength(30);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('50 parallel redeems of one key credit it exactly once', async () => {
    const a = await keyCompany(tc, 'race');
    const issued = await vendorKey([{ type: PORT, units: 7 }]);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        call(tc.app, 'POST', '/activation-keys/redeem', a.token, {
          key: issued.key,
          projectId: a.projects[0]!.id,
        }),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(49);
    expect(await balanceUnits(tc, a.projects[0]!.id, PORT)).toBe(7);
  });
});

describe('openapi', () => {
  it('lists every balance and key route', async () => {
    const doc = await ok(tc.app.request('/openapi.json'));
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/balance',
        'GET /api/v1/projects/{projectId}/balance',
        'POST /api/v1/activation-keys/preview',
        'POST /api/v1/activation-keys/redeem',
        'GET /api/v1/activation-keys',
        'GET /api/v1/activation-keys/{keyId}/certificate',
        'GET /api/v1/own-keys',
        'POST /api/v1/own-keys',
        'GET /api/v1/own-keys/{keyId}',
        'PATCH /api/v1/own-keys/{keyId}',
        'DELETE /api/v1/own-keys/{keyId}',
      ]),
    );
  });

  it('normalises keys typed with dashes, spaces or lower case, and rejects look-alike characters', () => {
    expect(normaliseKeyCode('abcde-fghjk lmnpq-rstuv-wxyz2')).toBe('ABCDEFGHJKLMNPQRSTUVWXYZ2');
    expect(normaliseKeyCode('ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ0')).toBeNull();
    // Only ASCII letters count: a ligature that upper-cases to FF is no F (issue 11).
    expect(normaliseKeyCode('ABCDE-\ufb00GHJK-LMNPQ-RSTUV-WXYZ')).toBeNull();
    expect(normaliseKeyCode('ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ')).toBeNull();
  });
});
