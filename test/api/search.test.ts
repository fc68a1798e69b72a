import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { searchRowId } from '../../bridge/core/devices/index.js';
import {
  indexQuery,
  licenseDevices,
  licenseDevicesQuery,
  searchDeviceKeys,
  searchTuning,
} from '../../bridge/core/devices/index.js';
import { deviceMatch } from '../../bridge/core/devices/index.js';
import { createOwnKey } from '../../bridge/core/keys/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { tempDir } from '../support/tmp.js';
import { bind1, expectError, loginPortal, makeTenant, PORT_TYPE, type Tenant } from '../bridge/fixtures.js';
import { known } from '../support/vendor-devices.js';

/**
 * The search field (seed: Search): devices, projects and own activation keys of the selected company
 * (and the projects granted to it), license-type queries, the minimum lengths, and the two ways the
 * device search runs (reading a small company whole, or the trigram index first), with their plans.
 *
 * Company A (alice): DEFAULT with her fixture device and a range, project "Vienna Office" (described),
 * project "Shared" granted to company C, with a device named "Lobby phone". Company B (dave) has devices
 * with the same names. Company C (erin) reaches A's "Shared".
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: Tenant & { token: string };
let d: Tenant & { token: string };
let e: Tenant & { token: string };
let shared: number;
let vienna: number;
let key: { keyId: number; key: string };
const tuning = { ...searchTuning };

const call = (method: string, path: string, token?: string, body?: unknown) =>
  apiCall(tc.app, method, path, token, body);
const search = (token: string, q: string) => ok(call('GET', `/search?q=${encodeURIComponent(q)}`, token));
const ids = (r: { devices: { hardwareId: string }[] }) => r.devices.map((x) => x.hardwareId);

beforeAll(async () => {
  root = await tempDir('mylic-search-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  const tenant = async (name: string, mac: string) => {
    const t = await makeTenant(tc, { name, mac, credit: { port: 20 } });
    return { ...t, token: await loginPortal(tc.app, t.user) };
  };
  a = await tenant('alice', '00-90-33-0A-00-01');
  d = await tenant('dave', '00-90-33-0D-00-01');
  e = await tenant('erin', '00-90-33-0E-00-01');
  vienna = (
    await ok(
      call('POST', '/projects', a.token, { name: 'Vienna Office', description: 'Branch on the Ringstrasse' }),
      201,
    )
  ).id;
  shared = (await ok(call('POST', '/projects', a.token, { name: 'Shared' }), 201)).id;
  await ok(call('POST', `/projects/${shared}/rights`, a.token, { companyId: e.companyId }), 201);
  await ok(
    call(
      'POST',
      '/devices/range',
      a.token,
      await known(tc.core, {
        from: '00-90-33-08-20-10',
        to: '00-90-33-08-20-19',
        type: 'IP222',
        projectId: a.projectId,
      }),
    ),
  );
  const lobby = await ok(
    call(
      'POST',
      '/devices',
      a.token,
      await known(tc.core, { device: '00-90-33-0A-00-02', type: 'IP811', projectId: shared }),
    ),
    201,
  );
  await ok(
    call('PATCH', `/devices/${lobby.deviceId}`, a.token, {
      name: 'Lobby phone',
      comment: 'next to the 50% discount sign',
    }),
  );
  const idOf = async (hw: string) =>
    (
      await tc.core.store.db
        .selectFrom('devices')
        .select('id')
        .where('hardware_id', '=', hw)
        .executeTakeFirstOrThrow()
    ).id;
  await ok(
    call('PATCH', `/devices/${await idOf('009033082013')}`, a.token, {
      name: 'Reception',
      comment: 'ground floor',
    }),
  );
  await ok(
    call('PATCH', `/devices/${await idOf('009033082014')}`, a.token, { comment: 'Floor 2 near_the lift' }),
  );
  await ok(call('PATCH', `/devices/${await idOf('009033082016')}`, a.token, { name: 'Ärger Büro' }));
  await ok(
    call(
      'POST',
      '/devices',
      a.token,
      await known(tc.core, { device: '00077 0123456 5', type: 'DECT-Handset', projectId: vienna }),
    ),
    201,
  );
  // dave: same names, and alice's MAC range in his own company too.
  await ok(
    call('PATCH', `/devices/${d.device.deviceId}`, d.token, { name: 'Reception', comment: 'Lobby phone' }),
  );
  await ok(call('POST', '/projects', d.token, { name: 'Vienna Office' }), 201);
  // More PBX ports on alice's fixture device: 4 + 3 = 7 units of PBX-Port13 in two licenses.
  await bind1(tc, a.actor, a.projectId, '0090330A0001', PORT_TYPE, 3);
  await operatorCredit(tc.core, a.companyId, 'Shared', PORT_TYPE, 5, 'fixture');
  await bind1(tc, a.actor, shared, '0090330A0002', PORT_TYPE, 1);
  await bind1(tc, d.actor, d.projectId, '0090330D0001', PORT_TYPE, 9);
  key = await createOwnKey(
    tc.core,
    { userId: a.user.id, companyId: a.companyId },
    { projectId: a.projectId, licenses: [{ type: PORT_TYPE, units: 1 }], comment: 'for the Graz reseller' },
  );
  await createOwnKey(
    tc.core,
    { userId: d.user.id, companyId: d.companyId },
    { projectId: d.projectId, licenses: [{ type: PORT_TYPE, units: 1 }], comment: 'for the Graz reseller' },
  );
});
afterEach(() => {
  Object.assign(searchTuning, tuning);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('search', () => {
  it('needs at least 3 characters, and 5 before activation keys are searched', async () => {
    for (const q of ['', 'ab', '  ab  ', 'a '])
      await expectError(
        await call('GET', `/search?q=${encodeURIComponent(q)}`, a.token),
        400,
        'SEARCH_TOO_SHORT',
      );
    await expectError(await call('GET', '/search', a.token), 400, 'VALIDATION_FAILED');
    const three = await search(a.token, 'Rec');
    expect(ids(three)).toEqual(['009033082013']);
    expect(three.keys).toBeNull();
    expect((await search(a.token, 'Graz')).keys).toBeNull();
    expect((await search(a.token, 'Graz ')).keys).toBeNull();
    expect((await search(a.token, 'Graz r')).keys).toEqual([
      { keyId: key.keyId, key: key.key, comment: 'for the Graz reseller', orderNumber: '', redeemed: false },
    ]);
  });

  it('finds devices by part of name, comment or MAC/IPEI in any form, only in the selected company', async () => {
    expect(ids(await search(a.token, 'reception'))).toEqual(['009033082013']);
    expect(ids(await search(d.token, 'reception'))).toEqual(['0090330D0001']);
    expect(ids(await search(a.token, 'FLOOR'))).toEqual(['009033082013', '009033082014']);
    expect(ids(await search(a.token, '08-20-1'))).toHaveLength(10);
    expect(ids(await search(a.token, '08:20:15'))).toEqual(['009033082015']);
    expect(ids(await search(a.token, '082016'))).toEqual(['009033082016']);
    expect(ids(await search(a.token, '00077 01234'))).toEqual(['0007701234565']);
    // alice's "Lobby phone" is a name; dave's is a comment: each sees only their own.
    expect(ids(await search(a.token, 'lobby'))).toEqual(['0090330A0002']);
    expect(ids(await search(d.token, 'lobby'))).toEqual(['0090330D0001']);
    // % and _ are characters, not wildcards.
    expect(ids(await search(a.token, '50%'))).toEqual(['0090330A0002']);
    expect(ids(await search(a.token, 'near_the'))).toEqual(['009033082014']);
    expect(ids(await search(a.token, 'near-the'))).toEqual([]);
    // Case is folded for A–Z (what SQLite's lower() does); other letters match as typed.
    expect(ids(await search(a.token, 'Ärger'))).toEqual(['009033082016']);
    expect(ids(await search(a.token, 'ÄRGER büro'))).toEqual(['009033082016']);
    expect(ids(await search(a.token, 'BÜRO'))).toEqual([]);
    const hit = (await search(a.token, 'Reception')).devices[0];
    expect(hit).toMatchObject({
      name: 'Reception',
      comment: 'ground floor',
      projectId: a.projectId,
      projectName: 'DEFAULT',
      external: false,
      display: '00-90-33-08-20-13',
    });
  });

  it('finds projects by name or description, and own activation keys by part of the key or comment', async () => {
    expect((await search(a.token, 'vienna')).projects).toEqual([
      {
        id: vienna,
        name: 'Vienna Office',
        description: 'Branch on the Ringstrasse',
        companyId: a.companyId,
        external: false,
      },
    ]);
    expect((await search(a.token, 'ringstr')).projects.map((p: { id: number }) => p.id)).toEqual([vienna]);
    expect((await search(d.token, 'vienna')).projects.map((p: { companyId: number }) => p.companyId)).toEqual(
      [d.companyId],
    );
    const part = key.key.replace(/-/g, '').slice(3, 9);
    expect((await search(a.token, part.toLowerCase())).keys!.map((k: { keyId: number }) => k.keyId)).toEqual([
      key.keyId,
    ]);
    // With the dashes as shown.
    expect(
      (await search(a.token, key.key.slice(0, 11))).keys!.map((k: { keyId: number }) => k.keyId),
    ).toEqual([key.keyId]);
    expect((await search(d.token, part)).keys).toEqual([]);
  });

  it('reaches the projects granted to the selected company, and only those', async () => {
    const r = await search(e.token, 'lobby');
    expect(
      r.devices.map((x: { hardwareId: string; external: boolean; companyId: number }) => [
        x.hardwareId,
        x.external,
        x.companyId,
      ]),
    ).toEqual([['0090330A0002', true, a.companyId]]);
    expect(ids(await search(e.token, 'reception'))).toEqual([]);
    expect((await search(e.token, 'shared')).projects).toEqual([
      { id: shared, name: 'Shared', description: '', companyId: a.companyId, external: true },
    ]);
    expect((await search(e.token, 'vienna')).projects).toEqual([]);
  });

  it('finds devices with licenses of a type, and with at least N units summed per device', async () => {
    const r = await search(a.token, 'PBX-Port13');
    expect(r.licenses).toMatchObject({ type: 'PBX-Port13', minUnits: 1, truncated: false });
    expect(
      r.licenses.devices.map((x: { hardwareId: string; units: number }) => [x.hardwareId, x.units]),
    ).toEqual([
      ['0090330A0001', 7],
      ['0090330A0002', 1],
    ]);
    expect(
      (await search(a.token, 'pbx-port13=7')).licenses.devices.map(
        (x: { hardwareId: string }) => x.hardwareId,
      ),
    ).toEqual(['0090330A0001']);
    expect((await search(a.token, 'PBX-Port13=8')).licenses.devices).toEqual([]);
    expect(
      (await search(d.token, 'PBX-Port13=9')).licenses.devices.map(
        (x: { hardwareId: string }) => x.hardwareId,
      ),
    ).toEqual(['0090330D0001']);
    // erin's own device and the one in A's project granted to her company.
    expect(
      (await search(e.token, 'PBX-Port13')).licenses.devices.map(
        (x: { hardwareId: string; external: boolean }) => [x.hardwareId, x.external],
      ),
    ).toEqual([
      ['0090330E0001', false],
      ['0090330A0002', true],
    ]);
    expect((await search(a.token, 'PBX-Port14')).licenses).toEqual({
      type: 'PBX-Port14',
      minUnits: 1,
      devices: [],
      truncated: false,
    });
    expect((await search(a.token, 'Reception')).licenses).toBeNull();
  });

  it('shows at most 50 hits and says there were more', async () => {
    const many = await ok(
      call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-09-00-00',
          to: '00-90-33-09-00-31',
          type: 'IP222',
          projectId: vienna,
        }),
      ),
    );
    expect(many.added).toBe(50);
    await ok(
      call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '00-90-33-09-00-32', type: 'IP222', projectId: vienna }),
      ),
      201,
    );
    const r = await search(a.token, '09-00-');
    expect([r.devices.length, r.devicesTruncated]).toEqual([50, true]);
    expect(r.devices[0].hardwareId).toBe('009033090000');
    const exact = await search(a.token, '09-00-3');
    expect([r.devices.length, exact.devices.length, exact.devicesTruncated]).toEqual([50, 3, false]);
    searchTuning.scanLimit = 0;
    const viaIndex = await search(a.token, '09-00-');
    expect([viaIndex.devices.length, viaIndex.devicesTruncated]).toEqual([50, true]);
  });
});

describe('the two ways of the device search', () => {
  const queries = [
    'reception',
    'floor',
    '08-20-1',
    '08:20:15',
    '082016',
    '00077 01234',
    'lobby',
    '50%',
    'near_the',
    'rec',
    'zzz',
    '0A-00-0',
    '09-00-2',
    'Ärger',
    'rger bü',
  ];
  const scopes = () => [
    { companyId: a.companyId, external: [] },
    { companyId: d.companyId, external: [] },
    { companyId: e.companyId, external: [shared] },
  ];

  it('reading the company and asking the trigram index first give the same devices', async () => {
    for (const s of scopes()) {
      for (const q of queries) {
        searchTuning.scanLimit = 1_000_000;
        const scan = await searchDeviceKeys(tc.core.store.db, s, q);
        searchTuning.scanLimit = 0;
        const index = await searchDeviceKeys(tc.core.store.db, s, q);
        expect([scan.path, index.path]).toEqual(['scan', 'index']);
        expect(index.keys, `${q} in company ${s.companyId}`).toEqual(scan.keys);
      }
    }
  });

  it('the device list gives the same devices and totals both ways', async () => {
    for (const [token, filters] of [
      [
        a.token,
        ['reception', 'floor', '08-20-1', '08:20:15', '0A-00-0', '09-00-2', 'near_the', '00077 01234', ''],
      ],
      [e.token, ['lobby', '0A-00-0', 'nothing']],
    ] as const) {
      for (const f of filters) {
        const path = `/devices?limit=7&offset=1&filter=${encodeURIComponent(f)}`;
        searchTuning.scanLimit = 1_000_000;
        const scan = await ok(call('GET', path, token));
        searchTuning.scanLimit = 0;
        const index = await ok(call('GET', path, token));
        expect(index, f).toEqual(scan);
      }
    }
  });

  it('the two shapes of the license search give the same devices', async () => {
    for (const s of scopes()) {
      for (const [type, min] of [
        [PORT_TYPE, 1],
        [PORT_TYPE, 7],
        ['GW-Channel', 2],
        ['PBX-Port14', 1],
      ] as const) {
        const scan = await licenseDevicesQuery(tc.core.store.db, s, type, min, 'scan').execute();
        const index = await licenseDevicesQuery(tc.core.store.db, s, type, min, 'index').execute();
        expect(index.map((r) => [r.device_id, r.company_id, Number(r.units)])).toEqual(
          scan.map((r) => [r.device_id, r.company_id, Number(r.units)]),
        );
      }
    }
  });

  it('a license search that finds little in the first placements turns to the licenses of the type, with the same answer', async () => {
    for (const s of scopes()) {
      for (const [type, min] of [
        [PORT_TYPE, 1],
        [PORT_TYPE, 7],
        ['GW-Channel', 3],
      ] as const) {
        searchTuning.licenseScanBudget = 1_000_000;
        const whole = await licenseDevices(tc.core.store.db, s, type, min);
        searchTuning.licenseScanBudget = 1;
        const turned = await licenseDevices(tc.core.store.db, s, type, min);
        expect(whole.path).toBe('scan');
        expect(turned.rows.map((r) => [r.device_id, r.company_id, Number(r.units)])).toEqual(
          whole.rows.map((r) => [r.device_id, r.company_id, Number(r.units)]),
        );
      }
    }
    searchTuning.licenseScanBudget = 1;
    expect(
      (await licenseDevices(tc.core.store.db, { companyId: a.companyId, external: [] }, PORT_TYPE, 7)).path,
    ).toBe('index');
  });

  it('never shows a device because of a stale index row', async () => {
    // Index rows with words nobody's device has: under a key of alice's company for dave's device, and
    // under alice's own device (as a company join leaves them behind).
    const stale = [searchRowId(d.device.deviceId, a.companyId), searchRowId(a.device.deviceId, d.companyId)];
    await tc.core.store.db
      .insertInto('device_search')
      .values({ rowid: stale[0]!, terms: 'stale secret words', device_id: d.device.deviceId })
      .execute();
    await tc.core.store.db
      .insertInto('device_search')
      .values({ rowid: stale[1]!, terms: 'stale secret words', device_id: a.device.deviceId })
      .execute();
    try {
      searchTuning.scanLimit = 0;
      for (const s of [
        { companyId: a.companyId, external: [] },
        { companyId: d.companyId, external: [] },
      ]) {
        expect(await searchDeviceKeys(tc.core.store.db, s, 'secret')).toMatchObject({
          path: 'index',
          keys: [],
        });
      }
      expect(ids(await search(a.token, 'secret'))).toEqual([]);
      expect(ids(await search(d.token, 'secret'))).toEqual([]);
    } finally {
      await tc.core.store.db.deleteFrom('device_search').where('rowid', 'in', stale).execute();
    }
  });

  it('uses the indexes it was built for (EXPLAIN QUERY PLAN)', async () => {
    const plan = async (q: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
      const c = q.compile();
      const r = await tc.core.store.db.executeQuery({ ...c, sql: `explain query plan ${c.sql}` } as never);
      return (r.rows as { detail: string }[]).map((x) => x.detail).join('\n');
    };
    const m = deviceMatch('floor');
    const viaIndex = await plan(
      indexQuery(tc.core.store.db, { companyId: a.companyId, external: [] }, m.indexPatterns[0]!, m).limit(
        51,
      ),
    );
    // FTS5 answers the LIKE from its trigram index (idxStr L…), then each placement by its key.
    expect(viaIndex).toMatch(/SCAN s VIRTUAL TABLE INDEX 0:L/);
    // Within one company, FTS5 also bounds the row ids (>, <: company_id * 2^31 + device_id), so it reads
    // only that company's part of each trigram's posting list (migration 022).
    const inTenant = await plan(
      indexQuery(
        tc.core.store.db,
        { companyId: a.companyId, external: [] },
        m.indexPatterns[0]!,
        m,
        a.companyId,
      ).limit(51),
    );
    expect(inTenant).toMatch(/SCAN s VIRTUAL TABLE INDEX 0:L0></);
    expect(viaIndex).toMatch(
      /SEARCH dp USING INDEX sqlite_autoindex_device_projects_1 \(device_id=\? AND company_id=\?\)/,
    );
    const withExternal = await plan(
      indexQuery(
        tc.core.store.db,
        { companyId: e.companyId, external: [shared] },
        m.indexPatterns[0]!,
        m,
      ).limit(51),
    );
    expect(withExternal).toMatch(/SCAN s VIRTUAL TABLE INDEX 0:L/);
    expect(withExternal).toMatch(/SEARCH dp USING INDEX sqlite_autoindex_device_projects_1 \(device_id=\?\)/);
    expect(viaIndex).toMatch(/SEARCH d USING INTEGER PRIMARY KEY/);
    const scan = await plan(
      tc.core.store.db
        .selectFrom('device_projects as dp')
        .innerJoin('devices as d', 'd.id', 'dp.device_id')
        .select('dp.device_id')
        .where('dp.company_id', '=', a.companyId)
        .orderBy('dp.device_id')
        .limit(51),
    );
    expect(scan).toMatch(
      /SEARCH dp USING (COVERING )?INDEX device_projects_company_device \(company_id=\?\)/,
    );
    expect(scan).not.toMatch(/TEMP B-TREE/);
    const licScan = await plan(
      licenseDevicesQuery(tc.core.store.db, { companyId: a.companyId, external: [] }, PORT_TYPE, 1, 'scan'),
    );
    expect(licScan).toMatch(
      /SEARCH l USING COVERING INDEX licenses_type_device \(license_type=\? AND state=\? AND device_id=\?\)/,
    );
    const licIndex = await plan(
      licenseDevicesQuery(tc.core.store.db, { companyId: a.companyId, external: [] }, PORT_TYPE, 1, 'index'),
    );
    expect(licIndex).toMatch(
      /SEARCH l USING COVERING INDEX licenses_type_device \(license_type=\? AND state=\?\)/,
    );
    const projects = await plan(
      tc.core.store.db
        .selectFrom('projects')
        .select('id')
        .where('company_id', '=', a.companyId)
        .where(sql<boolean>`lower(name) like '%x%'`),
    );
    expect(projects).toMatch(/SEARCH projects USING (COVERING )?INDEX/);
  });
});
