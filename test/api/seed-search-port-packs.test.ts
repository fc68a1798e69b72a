import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../bridge/core/catalog.js';
import {
  licenseDevices,
  licenseDevicesQuery,
  licenseQuery,
  searchTuning,
} from '../../bridge/core/devices/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { tempDir } from '../support/tmp.js';
import { addFixtureDevice, bind1, loginPortal, makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * Issue 15 item 7, seed L41: "Search for license types. Enter e.g. "PBX-Port8" to find all devices with
 * Port8 licenses or enter "PBX-Port8=100" to find all devices with Port8 licenses >= 100."
 * `PBX-Port8` is the user's name for the catalog's PORT8, PORT8*5 and PORT8*20 (and `PBX-PortN` for
 * every version, `PBX-PBX7#15` for PBX7#15); `=N` compares the ports summed over the packs (units ×
 * pack size).
 *
 * Company A (ann): device 1 with 5 × PORT8*20 (100 ports); device 2 with 1 × PORT8 + 2 × PORT8*5
 * (11 ports) and 15 × PBX7#15. Company B (bob): a device with 5 × PORT8*20 too, never in A's answers.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant & { token: string };
let bob: Tenant & { token: string };
let dev2: string;
const tuning = { ...searchTuning };

const search = (token: string, q: string) =>
  ok(apiCall(tc.app, 'GET', `/search?q=${encodeURIComponent(q)}`, token));
const found = async (token: string, q: string) =>
  ((await search(token, q)).licenses?.devices ?? []).map((x: { hardwareId: string; units: number }) => [
    x.hardwareId,
    x.units,
  ]);

beforeAll(async () => {
  root = await tempDir('mylic-seed-search-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  const tenant = async (name: string, mac: string) => {
    const t = await makeTenant(tc, { name, mac });
    return { ...t, token: await loginPortal(tc.app, t.user) };
  };
  ann = await tenant('ann', '00-90-33-7A-00-01');
  bob = await tenant('bob', '00-90-33-7B-00-01');
  const credit = (t: Tenant, type: string, units: number) =>
    operatorCredit(tc.core, t.companyId, 'DEFAULT', type, units, 'fixture');
  await credit(ann, 'PORT8*20', 5);
  await bind1(tc, ann.actor, ann.projectId, '0090337A0001', 'PORT8*20', 5);
  dev2 = (await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-7A-00-02')).hardwareId;
  await credit(ann, 'PORT8', 1);
  await credit(ann, 'PORT8*5', 2);
  await credit(ann, 'PBX7#15', 15);
  await bind1(tc, ann.actor, ann.projectId, dev2, 'PORT8', 1);
  await bind1(tc, ann.actor, ann.projectId, dev2, 'PORT8*5', 2);
  await bind1(tc, ann.actor, ann.projectId, dev2, 'PBX7#15', 15);
  await credit(bob, 'PORT8*20', 5);
  await bind1(tc, bob.actor, bob.projectId, '0090337B0001', 'PORT8*20', 5);
});
afterEach(() => {
  Object.assign(searchTuning, tuning);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('L41: license-type search with the user’s names and ports summed over packs', () => {
  it('L41: "PBX-Port8=100" finds the device with 5 × PORT8*20, "=101" does not', async () => {
    expect(await found(ann.token, 'PBX-Port8=100')).toEqual([['0090337A0001', 100]]);
    expect(await found(ann.token, 'PBX-Port8=101')).toEqual([]);
    const r = await search(ann.token, 'PBX-Port8=100');
    expect(r.licenses).toMatchObject({ type: 'PBX-Port8', minUnits: 100, truncated: false });
  });

  it('L41: "PBX-Port8" finds every device with Port8 licenses of any pack, ports summed per device', async () => {
    expect(await found(ann.token, 'PBX-Port8')).toEqual([
      ['0090337A0001', 100],
      [dev2, 11],
    ]);
    expect(await found(ann.token, 'pbx-port8=11')).toEqual([
      ['0090337A0001', 100],
      [dev2, 11],
    ]);
    expect(await found(ann.token, 'PBX-Port8 = 12')).toEqual([['0090337A0001', 100]]);
  });

  it('L41: "PBX-PBX7#15" and "PBX-Port7" name the catalog’s PBX7#15', async () => {
    expect(await found(ann.token, 'PBX-PBX7#15')).toEqual([[dev2, 15]]);
    expect(await found(ann.token, 'PBX-PBX7#15=15')).toEqual([[dev2, 15]]);
    expect(await found(ann.token, 'PBX-PBX7#15=16')).toEqual([]);
    expect(await found(ann.token, 'PBX-Port7=15')).toEqual([[dev2, 15]]);
  });

  it('L41: a catalog name still means that type only: "PORT8*20=100" is 5 packs of 20, "PORT8" the single ports', async () => {
    expect(await found(ann.token, 'PORT8*20=100')).toEqual([['0090337A0001', 100]]);
    expect(await found(ann.token, 'PORT8')).toEqual([[dev2, 1]]);
  });

  it('L41: only the selected company’s devices: bob’s 5 × PORT8*20 never shows for ann, and his own search finds it', async () => {
    expect((await found(ann.token, 'PBX-Port8')).map((x: unknown[]) => x[0])).not.toContain('0090337B0001');
    expect(await found(bob.token, 'PBX-Port8=100')).toEqual([['0090337B0001', 100]]);
  });

  it('L41: the user’s names for every version: PBX-PortN stands for all port licenses of version N', () => {
    for (const v of catalog.versions.map((x) => x.version)) {
      const r = catalog.searchTypes(`PBX-Port${v}`);
      expect(r?.name).toBe(`PBX-Port${v}`);
      expect(r!.types.length).toBeGreaterThan(0);
      expect(r!.types.every((t) => t.kind === 'pbx-port' && t.version === v)).toBe(true);
    }
    expect(catalog.searchTypes('PBX-Port8')!.types.map((t) => t.name)).toEqual([
      'PORT8',
      'PORT8*5',
      'PORT8*20',
    ]);
    expect(licenseQuery('PBX-Port8=100')).toEqual({ type: 'PBX-Port8', minUnits: 100 });
    expect(licenseQuery('PBX-PBX7#15')).toEqual({ type: 'PBX7#15', minUnits: 1 });
    expect(licenseQuery('PBX-Port99')).toBeNull();
  });

  it('L41: both shapes of the license search (scope first, licenses first) give the same ports', async () => {
    const s = { companyId: ann.companyId, external: [] };
    for (const [type, min] of [
      ['PBX-Port8', 1],
      ['PBX-Port8', 100],
      ['PBX-Port8', 101],
      ['PBX7#15', 15],
    ] as const) {
      const scan = await licenseDevicesQuery(tc.core.store.db, s, type, min, 'scan').execute();
      const index = await licenseDevicesQuery(tc.core.store.db, s, type, min, 'index').execute();
      expect(index.map((r) => [r.device_id, Number(r.units)])).toEqual(
        scan.map((r) => [r.device_id, Number(r.units)]),
      );
    }
    searchTuning.licenseScanBudget = 1;
    const turned = await licenseDevices(tc.core.store.db, s, 'PBX-Port8', 100);
    expect(turned.rows.map((r) => Number(r.units))).toEqual([100]);
  });
});
