import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, invalidationDocument, postXml, type DeviceIdentity } from '../bridge/fixtures.js';
import { call, grantRights, keyCompany, ok, type KeyCompany } from './keys-fixtures.js';
import {
  addLicenses,
  balanceOf,
  boundOf,
  certify,
  credit,
  expectConserved,
  historyOf,
  placeDevice,
  snapshot,
  type PlacedDevice,
} from './licenses-fixtures.js';
import { expected } from './ssa-fixtures.js';

/**
 * Free licenses through /api/v1 (seed: Free licenses; Add licenses from free licenses): licenses
 * returned by a real invalidation wait in the pool with bind date, SSA end and external key; they are
 * listed, assigned to another device after the consistency check, or converted back to balance for one
 * year of SSC per unit (to a later version under SSA).
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: KeyCompany;

beforeAll(async () => {
  root = await tempDir('mylic-free-');
  tc = await makeTestCore(root.dir);
  a = await keyCompany(tc, 'pool', { extraProjects: ['Lab'] });
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

const counters = new Map<string, number>();
/** The device returns these licenses (invalidation uploaded by the user); they go to the free pool. */
async function giveBack(token: string, identity: DeviceIdentity, serials: string[]) {
  const counter = (counters.get(identity.hardwareId) ?? 0) + 1;
  counters.set(identity.hardwareId, counter);
  const doc = invalidationDocument(identity, { serials, counter, version: 14 });
  const res = await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, token);
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A device with licenses bound from balance (credited first), certified so it can sign invalidations. */
async function licensed(
  company: KeyCompany,
  deviceType: string,
  version: number,
  lines: { type: string; units: number }[],
  summate = true,
) {
  const dev = await placeDevice(tc, company, deviceType);
  for (const l of lines) await credit(tc, company, l.type, l.units);
  await addLicenses(tc, company.token, dev.deviceId, { version, summate, lines });
  return { dev, identity: await certify(tc, dev), rows: await boundOf(tc, dev.deviceId) };
}

const serialOf = async (dev: PlacedDevice, type: string) =>
  (await boundOf(tc, dev.deviceId)).find((l) => l.license_type === type)!.serial;

describe('the pool', () => {
  let old: Awaited<ReturnType<typeof licensed>>;
  let port11: string;
  let relay: string;

  beforeAll(async () => {
    old = await licensed(a, 'IP6000', 11, [
      { type: 'PBX-Port11', units: 5 },
      { type: 'Relay-PRI', units: 2 },
      { type: 'GW-Channel', units: 2 },
    ]);
    port11 = await serialOf(old.dev, 'PBX-Port11');
    relay = await serialOf(old.dev, 'Relay-PRI');
    // (stands for the project's SSA: the license is covered until 2030)
    await tc.core.store.db
      .updateTable('licenses')
      .set({ ssa_end: '2030-01-01', bind_date: '2015-03-01' })
      .where('serial', '=', port11)
      .execute();
    await giveBack(a.token, old.identity, [port11, relay, await serialOf(old.dev, 'GW-Channel')]);
  });

  it('holds the returned licenses with bind date, SSA end and the type their SSA reaches; gateway licenses stay on the device', async () => {
    const list = await ok(call(tc.app, 'GET', '/free-licenses', a.token));
    expect(list.scope).toBe('all');
    const p = list.licenses.find((l: { serial: string }) => l.serial === port11);
    expect(p).toMatchObject({
      type: 'PBX-Port11',
      typeUnderSsa: 'PBX-Port14',
      units: 5,
      version: 11,
      bindDate: '2015-03-01',
      ssaEnd: '2030-01-01',
      projectName: 'DEFAULT',
    });
    expect(p.versions).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(list.licenses.find((l: { serial: string }) => l.serial === relay)).toMatchObject({
      type: 'Relay-PRI',
      typeUnderSsa: 'Relay-PRI',
    });
    expect((await boundOf(tc, old.dev.deviceId)).map((l) => l.license_type)).toEqual(['GW-Channel']);
    expect(
      (await ok(call(tc.app, 'GET', `/free-licenses?projectId=${a.projects[1]!.id}`, a.token))).licenses,
    ).toEqual([]);
    await expectConserved(tc, a.companyId);
  });

  it('offers what fits the device and version, and checks consistency on assigning: at most 4 Relay-PRI on an IP6000', async () => {
    const full = await licensed(a, 'IP6000', 14, [{ type: 'Relay-PRI', units: 3 }]);
    const offer = await ok(
      call(tc.app, 'GET', `/devices/${full.dev.deviceId}/licenses/free-offer?version=14`, a.token),
    );
    expect(offer.licenses.map((l: { serial: string }) => l.serial).sort()).toEqual([port11, relay].sort());
    const phone = await placeDevice(tc, a, 'IP1060');
    // IP1060 takes PBX ports but no relay.
    expect(
      (
        await ok(call(tc.app, 'GET', `/devices/${phone.deviceId}/licenses/free-offer?version=14`, a.token))
      ).licenses.map((l: { serial: string }) => l.serial),
    ).toEqual([port11]);

    const before = await snapshot(tc);
    const err = await expectError(
      await call(tc.app, 'POST', `/devices/${full.dev.deviceId}/licenses/from-free`, a.token, {
        version: 14,
        serials: [relay],
      }),
      409,
      'LICENSE_MAXIMUM_EXCEEDED',
    );
    expect(err.details).toMatchObject({ kind: 'relay-pri', maximum: 4, installed: 3, amount: 5 });
    expect(await snapshot(tc)).toEqual(before);
  });

  it('assigns free licenses keeping bind date, SSA end and external key', async () => {
    const fresh = await placeDevice(tc, a, 'IP6000');
    const r = await ok(
      call(tc.app, 'POST', `/devices/${fresh.deviceId}/licenses/from-free`, a.token, {
        version: 14,
        serials: [port11, relay],
      }),
      201,
    );
    expect(r.licenses.map((l: { serial: string }) => l.serial).sort()).toEqual([port11, relay].sort());
    const rows = await boundOf(tc, fresh.deviceId);
    expect(rows.find((l) => l.serial === port11)).toMatchObject({
      license_type: 'PBX-Port11',
      bind_date: '2015-03-01',
      ssa_end: '2030-01-01',
      state: 'bound',
    });
    expect(await historyOf(tc, 'licenses.assigned')).toHaveLength(1);
    await expectError(
      await call(tc.app, 'POST', `/devices/${fresh.deviceId}/licenses/from-free`, a.token, {
        version: 14,
        serials: [port11],
      }),
      404,
      'FREE_LICENSE_NOT_FOUND',
    );
    await expectConserved(tc, a.companyId);
  });

  it('keeps a DECT ARI with its license on the way to another IP1200', async () => {
    const base = await licensed(a, 'IP1200', 14, [{ type: 'Dect-Multicell-Ari', units: 1 }]);
    const ari = base.rows[0]!.external_key!;
    expect(ari).toMatch(/^ARI-[0-9A-F]{10}$/);
    await giveBack(a.token, base.identity, [base.rows[0]!.serial]);
    const other = await placeDevice(tc, a, 'IP1200');
    await ok(
      call(tc.app, 'POST', `/devices/${other.deviceId}/licenses/from-free`, a.token, {
        version: 10,
        serials: [base.rows[0]!.serial],
      }),
      201,
    );
    expect((await boundOf(tc, other.deviceId))[0]).toMatchObject({
      license_type: 'Dect-Multicell-Ari',
      external_key: ari,
    });
  });

  it('refuses a license its version and SSA do not reach', async () => {
    const v13 = await licensed(a, 'IP811', 13, [{ type: 'PBX-Port13', units: 2 }]);
    await giveBack(a.token, v13.identity, [v13.rows[0]!.serial]);
    const target = await placeDevice(tc, a, 'IP811');
    expect(
      (
        await ok(call(tc.app, 'GET', `/devices/${target.deviceId}/licenses/free-offer?version=14`, a.token))
      ).licenses.map((l: { serial: string }) => l.serial),
    ).not.toContain(v13.rows[0]!.serial);
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${target.deviceId}/licenses/from-free`, a.token, {
        version: 14,
        serials: [v13.rows[0]!.serial],
      }),
      409,
      'FREE_LICENSE_NOT_FOR_VERSION',
    );
    expect(await snapshot(tc)).toEqual(before);
    // As V13 (or a downgrade) it fits.
    await ok(
      call(tc.app, 'POST', `/devices/${target.deviceId}/licenses/from-free`, a.token, {
        version: 12,
        serials: [v13.rows[0]!.serial],
      }),
      201,
    );
  });
});

describe('assigning free licenses into a project under SSA', () => {
  it('charges a license whose SSA has run out the days since its old end twice, after the summary, as the calculator says', async () => {
    const c = await keyCompany(tc, 'expired', { extraProjects: ['UNDER-SSA'] });
    const [pool, ssaProject] = [c.projects[0]!.id, c.projects[1]!.id];
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const [today, oldEnd, end] = [day(0), day(-100), day(265)];
    const old = await licensed(c, 'IP6000', 14, [{ type: 'PBX-Port14', units: 6 }]);
    const serial = old.rows[0]!.serial;
    // (stands for an SSA bought long ago that ran out 100 days ago)
    await tc.core.store.db
      .updateTable('licenses')
      .set({ ssa_end: oldEnd, bind_date: day(-500) })
      .where('serial', '=', serial)
      .execute();
    await giveBack(c.token, old.identity, [serial]);
    const free = await tc.core.store.db
      .selectFrom('licenses')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirstOrThrow();
    expect(free).toMatchObject({ state: 'free', project_id: pool, ssa_end: oldEnd });

    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: end })
      .where('id', '=', ssaProject)
      .execute();
    const target = await placeDevice(tc, c, 'IP6000', ssaProject);
    await credit(tc, c, 'SSC', 100, 'UNDER-SSA');
    const want = expected([free], today, end);
    // By hand: 100 days since the old end paid twice, 265 days to the new end once: (200 + 265) / 365 =
    // 1.27397… → 1.2740; 6 units × 3 SSC × 1.2740 = 22.932 → 23.
    expect(want.lines[0]).toMatchObject({
      start: oldEnd,
      startReason: 'expired-ssa',
      daysTwice: 100,
      days: 265,
      multiplier: '1.2740',
      ssc: 23,
    });

    const before = await snapshot(tc);
    const body = { version: 14, serials: [serial] };
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${target.deviceId}/licenses/from-free`, c.token, body),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const summary = (
      asked.details as { summary: { total: number; endDate: string; lines: Record<string, unknown>[] } }
    ).summary;
    expect(summary).toMatchObject({ endDate: end, total: want.total });
    expect(summary.lines).toEqual([
      expect.objectContaining({
        serial,
        start: oldEnd,
        startReason: 'expired-ssa',
        daysTwice: 100,
        days: 265,
        multiplier: '1.2740',
        ssc: 23,
        newSsaEnd: end,
      }),
    ]);
    expect(await snapshot(tc)).toEqual(before);

    const r = await ok(
      call(tc.app, 'POST', `/devices/${target.deviceId}/licenses/from-free`, c.token, {
        ...body,
        ssa: { expectedTotal: summary.total },
      }),
      201,
    );
    expect(r.ssa).toMatchObject({
      endDate: end,
      total: want.total,
      paid: [{ projectId: ssaProject, units: want.total }],
      licenses: [{ serial, ssaEnd: end }],
    });
    expect((await boundOf(tc, target.deviceId))[0]).toMatchObject({
      serial,
      state: 'bound',
      bind_date: day(-500),
      ssa_end: end,
    });
    expect(await balanceOf(tc, ssaProject, 'SSC')).toBe(100 - want.total);
    await expectConserved(tc, c.companyId);
  });
});

describe('converting to balance', () => {
  it('charges one year of SSC per unit, drops SSA and external key, and under SSA converts to a later version', async () => {
    const b = await keyCompany(tc, 'convert');
    const dev = await licensed(b, 'IP6000', 11, [{ type: 'PBX-Port11', units: 5 }]);
    await credit(tc, b, 'PBX-Port13', 4);
    await addLicenses(tc, b.token, dev.dev.deviceId, {
      version: 13,
      summate: false,
      lines: [{ type: 'PBX-Port13', units: 4 }],
    });
    const p11 = await serialOf(dev.dev, 'PBX-Port11');
    const p13 = await serialOf(dev.dev, 'PBX-Port13');
    await tc.core.store.db
      .updateTable('licenses')
      .set({ ssa_end: '2030-01-01' })
      .where('serial', '=', p11)
      .execute();
    await giveBack(b.token, dev.identity, [p11, p13]);

    const req = { licenses: [{ serial: p13 }, { serial: p11, version: 14 }] };
    const preview = await ok(call(tc.app, 'POST', '/free-licenses/convert/preview', b.token, req));
    expect(preview).toMatchObject({ ssc: 27, done: false });
    expect(preview.lines).toEqual(
      expect.arrayContaining([
        {
          serial: p13,
          fromType: 'PBX-Port13',
          toType: 'PBX-Port13',
          units: 4,
          projectId: b.projects[0]!.id,
          ssc: 12,
        },
        {
          serial: p11,
          fromType: 'PBX-Port11',
          toType: 'PBX-Port14',
          units: 5,
          projectId: b.projects[0]!.id,
          ssc: 15,
        },
      ]),
    );

    let before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', b.token, req),
      409,
      'BALANCE_INSUFFICIENT',
    );
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', b.token, {
        licenses: [{ serial: p13, version: 14 }],
      }),
      400,
      'CONVERT_VERSION_INVALID',
    );
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', b.token, {
        licenses: [{ serial: p11, version: 9 }],
      }),
      400,
      'CONVERT_VERSION_INVALID',
    );
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', b.token, {
        licenses: [{ serial: 'L-0000000000000000' }],
      }),
      404,
      'FREE_LICENSE_NOT_FOUND',
    );
    expect(await snapshot(tc)).toEqual(before);

    await credit(tc, b, 'SSC', 30);
    const port13Before = await balanceOf(tc, b.projects[0]!.id, 'PBX-Port13');
    const done = await ok(call(tc.app, 'POST', '/free-licenses/convert', b.token, req));
    expect(done).toMatchObject({
      ssc: 27,
      done: true,
      paid: [{ projectId: b.projects[0]!.id, units: 27 }],
      onCredit: null,
    });
    expect(await balanceOf(tc, b.projects[0]!.id, 'SSC')).toBe(3);
    expect(await balanceOf(tc, b.projects[0]!.id, 'PBX-Port13')).toBe(port13Before + 4);
    expect(await balanceOf(tc, b.projects[0]!.id, 'PBX-Port14')).toBe(5);
    expect(await balanceOf(tc, b.projects[0]!.id, 'PBX-Port11')).toBe(0);
    expect(
      await tc.core.store.db.selectFrom('licenses').select('id').where('serial', 'in', [p11, p13]).execute(),
    ).toEqual([]);
    expect(await historyOf(tc, 'licenses.converted')).toHaveLength(1);
    await expectConserved(tc, b.companyId);

    // An ARI license loses its key; it costs one year of its SSC like any license under SSA.
    const base = await licensed(b, 'IP1200', 14, [{ type: 'Dect-Multicell-Ari', units: 1 }]);
    await giveBack(b.token, base.identity, [base.rows[0]!.serial]);
    await credit(tc, b, 'SSC', 12);
    before = await snapshot(tc);
    const ari = await ok(
      call(tc.app, 'POST', '/free-licenses/convert', b.token, {
        licenses: [{ serial: base.rows[0]!.serial }],
      }),
    );
    // By hand: 1 unit × 15 SSC (the catalog's Dect-Multicell-Ari) × 1.0000 = 15.
    expect(ari.ssc).toBe(15);
    expect(await balanceOf(tc, b.projects[0]!.id, 'SSC')).toBe(0);
    expect((await historyOf(tc, 'licenses.converted')).at(-1)!.detail.droppedExternalKeys).toEqual([
      base.rows[0]!.serial,
    ]);
    expect(await balanceOf(tc, b.projects[0]!.id, 'Dect-Multicell-Ari')).toBe(1);
    await expectConserved(tc, b.companyId);
  });

  it("lets a company with rights on a project see and use that project's pool, not another company's", async () => {
    const owner = await keyCompany(tc, 'pool-owner');
    const partner = await keyCompany(tc, 'pool-partner');
    const stranger = await keyCompany(tc, 'pool-stranger');
    await grantRights(tc, owner.projects[0]!.id, partner.companyId);
    const dev = await licensed(owner, 'IP811', 14, [{ type: 'PBX-Port14', units: 2 }]);
    await giveBack(owner.token, dev.identity, [dev.rows[0]!.serial]);
    const seen = await ok(call(tc.app, 'GET', '/free-licenses', partner.token));
    expect(seen.licenses.map((l: { serial: string }) => l.serial)).toEqual([dev.rows[0]!.serial]);
    expect((await ok(call(tc.app, 'GET', '/free-licenses', stranger.token))).licenses).toEqual([]);
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', stranger.token, {
        licenses: [{ serial: dev.rows[0]!.serial }],
      }),
      404,
      'FREE_LICENSE_NOT_FOUND',
    );
    expect(await snapshot(tc)).toEqual(before);
    const target = await placeDevice(tc, owner, 'IP811');
    await ok(
      call(tc.app, 'POST', `/devices/${target.deviceId}/licenses/from-free`, partner.token, {
        version: 14,
        serials: [dev.rows[0]!.serial],
      }),
      201,
    );
    await expectConserved(tc, owner.companyId);
  });
});
