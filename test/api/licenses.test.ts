import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmaArrived } from '../../bridge/core/devices/index.js';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, invalidationDocument, postXml } from '../bridge/fixtures.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { catalog } from '../../bridge/core/catalog.js';
import { call, grantRights, keyCompany, ok, type KeyCompany } from './keys-fixtures.js';
import {
  addLicenses,
  balanceOf,
  boundOf,
  certify,
  credit,
  expectConserved,
  grant,
  historyOf,
  placeDevice,
  snapshot,
} from './licenses-fixtures.js';
import { expected } from './ssa-fixtures.js';

/**
 * Licenses on a device through /api/v1 (seed: Devices → Licenses): the catalog, the offer and the
 * selection from balance (packs, summate, other projects, credit), the V7 floating license, warranty
 * extensions, downloads with their rules, and moving licenses. Each rule is broken once and answers its
 * own code with nothing changed.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-licenses-');
  tc = await makeTestCore(root.dir);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

const get = (path: string, token: string) => ok(call(tc.app, 'GET', path, token));
/** A calendar date n days from now (the test core runs on the real clock). */
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('the catalog', () => {
  it('is served with versions, device types and the V8+ pack sub-types', async () => {
    const a = await keyCompany(tc, 'cat');
    const c = await get('/catalog', a.token);
    expect(c.versions.map((v: { version: number }) => v.version)).toEqual([
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
    expect(c.deviceTypes.find((d: { name: string }) => d.name === 'IP6000').maxima).toMatchObject({
      'relay-pri': 4,
      floating: 1,
      warranty: 4,
    });
    expect(c.deviceTypes.find((d: { name: string }) => d.name === 'DECT-Handset')).toMatchObject({
      identity: 'ipei',
      firmware: null,
      maxima: { warranty: 4 },
    });
    const packs = c.licenseTypes.filter(
      (t: { series: string | null; version: number }) => t.version === 14 && t.series?.startsWith('pbx-port'),
    );
    expect(packs.map((t: { name: string; packSize: number }) => [t.name, t.packSize])).toEqual([
      ['PBX-Port14', 1],
      ['PBX-Port14*5', 5],
      ['PBX-Port14*20', 20],
    ]);
    expect(c.licenseTypes.find((t: { name: string }) => t.name === 'PORT8*20')).toMatchObject({
      version: 8,
      packSize: 20,
      sscPerUnitYear: 54,
    });
    expect(c.warranty).toEqual({ earlyWindowDays: 90, maxExtensionYears: 4 });
  });
});

describe('add licenses from balance', () => {
  let a: KeyCompany;
  beforeAll(async () => {
    a = await keyCompany(tc, 'sel', { extraProjects: ['Stock'] });
  });

  it('offers only what the device type takes in the version, with balances, installed amount and maximum', async () => {
    const dev = await placeDevice(tc, a, 'IP6000');
    await credit(tc, a, 'PBX-Port14', 30);
    await credit(tc, a, 'PBX-Port14*5', 2, 'Stock');
    await credit(tc, a, 'Relay-PRI', 3);
    const o = await get(`/devices/${dev.deviceId}/licenses/offer?version=14`, a.token);
    const names = o.licenses.map((l: { type: string }) => l.type);
    expect(names).toEqual(
      expect.arrayContaining([
        'PBX-Port14',
        'PBX-Port14*5',
        'PBX-Port14*20',
        'PBX-Voicemail14',
        'PBX-Standby14',
        'PBX-Registration14',
        'PBX-Upgrade14',
        'GW-Channel',
        'Relay-PRI',
      ]),
    );
    // Not: other versions, warranty (own page), floating (own page), SSC (never bound), DECT (IP1200 only).
    for (const n of ['PBX-Port13', 'Warranty-1Y', 'PBX7-Floating', 'SSC', 'Dect-Multicell-Ari'])
      expect(names).not.toContain(n);
    const port = o.licenses.find((l: { type: string }) => l.type === 'PBX-Port14');
    expect(port).toMatchObject({
      projectBalance: 30,
      allProjectsBalance: 30,
      installedUnits: 0,
      otherProjects: [],
    });
    const five = o.licenses.find((l: { type: string }) => l.type === 'PBX-Port14*5');
    expect(five).toMatchObject({
      projectBalance: 0,
      allProjectsBalance: 2,
      otherProjects: [{ projectName: 'Stock', units: 2 }],
    });
    expect(o.kinds).toEqual(
      expect.arrayContaining([
        { kind: 'relay-pri', installed: 0, maximum: 4 },
        { kind: 'pbx-port', installed: 0, maximum: 10000 },
      ]),
    );
    expect(o.packPlan).toBeNull();
  });

  it('pre-fills the cheapest pack combination for a wished amount of V8+ ports, from the chosen projects', async () => {
    const dev = await placeDevice(tc, a, 'IP6000');
    await credit(tc, a, 'PBX-Port14*20', 1);
    // DEFAULT: 30 singles + 1×20; Stock: 2×5.
    const plan = (q: string) =>
      get(`/devices/${dev.deviceId}/licenses/offer?version=14&${q}`, a.token).then((o) => o.packPlan);
    expect(await plan('ports=25')).toMatchObject({
      ports: 25,
      choice: [
        { type: 'PBX-Port14*20', units: 1 },
        { type: 'PBX-Port14', units: 5 },
      ],
      companyChoice: null,
    });
    const stock = a.projects[1]!.id;
    expect(await plan(`ports=30&drawFrom=${stock}`)).toMatchObject({
      choice: [
        { type: 'PBX-Port14*20', units: 1 },
        { type: 'PBX-Port14*5', units: 2 },
      ],
      fromProjects: [a.projects[0]!.id, stock],
    });
    // 60 ports: DEFAULT alone cannot (50), the company together can.
    expect(await plan('ports=60')).toMatchObject({
      choice: null,
      companyChoice: [
        { type: 'PBX-Port14*20', units: 1 },
        { type: 'PBX-Port14*5', units: 2 },
        { type: 'PBX-Port14', units: 30 },
      ],
    });
  });

  it('binds the whole selection in one transaction: packs, dependent amounts, one history event, conservation', async () => {
    const dev = await placeDevice(tc, a, 'IP6000');
    await credit(tc, a, 'PBX-Voicemail14', 25);
    await credit(tc, a, 'PBX-Port14*5', 1);
    const before = await balanceOf(tc, a.projects[0]!.id, 'PBX-Port14*20');
    const events = (await historyOf(tc, 'licenses.added')).length;
    const r = await addLicenses(tc, a.token, dev.deviceId, {
      version: 14,
      lines: [
        { type: 'PBX-Port14*20', units: 1 },
        { type: 'PBX-Port14*5', units: 1 },
        { type: 'PBX-Voicemail14', units: 25 },
      ],
    });
    expect(r.licenses.map((l: { type: string; units: number }) => [l.type, l.units])).toEqual([
      ['PBX-Port14*20', 1],
      ['PBX-Port14*5', 1],
      ['PBX-Voicemail14', 25],
    ]);
    expect(await balanceOf(tc, a.projects[0]!.id, 'PBX-Port14*20')).toBe(before - 1);
    expect((await boundOf(tc, dev.deviceId)).map((l) => [l.license_type, l.version, l.returnable])).toEqual([
      ['PBX-Port14*20', 14, 1],
      ['PBX-Port14*5', 14, 1],
      ['PBX-Voicemail14', 14, 1],
    ]);
    expect(await historyOf(tc, 'licenses.added')).toHaveLength(events + 1);
    const offer = await get(`/devices/${dev.deviceId}/licenses/offer?version=14`, a.token);
    expect(offer.pbxInstalled).toBe(25);
    await expectConserved(tc, a.companyId);
  });

  it('counts older licenses as the selected version only when summating', async () => {
    const dev = await placeDevice(tc, a, 'IP811');
    await credit(tc, a, 'PBX-Port13', 10);
    await credit(tc, a, 'PBX-Voicemail14', 10);
    await addLicenses(tc, a.token, dev.deviceId, { version: 13, lines: [{ type: 'PBX-Port13', units: 10 }] });
    expect(
      (await get(`/devices/${dev.deviceId}/licenses/offer?version=14&summate=false`, a.token)).pbxInstalled,
    ).toBe(0);
    expect((await get(`/devices/${dev.deviceId}/licenses/offer?version=14`, a.token)).pbxInstalled).toBe(10);
    // Without summate there are no V14 PBX ports for the voicemail to follow.
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, a.token, {
        version: 14,
        summate: false,
        lines: [{ type: 'PBX-Voicemail14', units: 10 }],
      }),
      409,
      'LICENSE_AMOUNT_NOT_EQUAL_PBX',
    );
    await addLicenses(tc, a.token, dev.deviceId, {
      version: 14,
      summate: true,
      lines: [{ type: 'PBX-Voicemail14', units: 10 }],
    });
  });

  it('draws what the project lacks from the own projects named, and lists them when none are named', async () => {
    const b = await keyCompany(tc, 'draw', { extraProjects: ['North', 'South'] });
    const dev = await placeDevice(tc, b, 'IP811');
    await credit(tc, b, 'GW-Channel', 2);
    await credit(tc, b, 'GW-Channel', 3, 'North');
    await credit(tc, b, 'GW-Channel', 5, 'South');
    const before = await snapshot(tc);
    const err = await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, {
        version: 14,
        lines: [{ type: 'GW-Channel', units: 6 }],
      }),
      409,
      'BALANCE_INSUFFICIENT',
    );
    expect(err.details).toMatchObject({
      missing: [
        {
          type: 'GW-Channel',
          needed: 6,
          available: 2,
          missing: 4,
          projects: [
            { projectName: 'North', units: 3 },
            { projectName: 'South', units: 5 },
          ],
        },
      ],
    });
    expect(await snapshot(tc)).toEqual(before);
    const [, north, south] = b.projects;
    const r = await addLicenses(tc, b.token, dev.deviceId, {
      version: 14,
      lines: [{ type: 'GW-Channel', units: 6 }],
      drawFrom: [south!.id, north!.id],
    });
    expect(r.drawn).toEqual([
      { projectId: b.projects[0]!.id, type: 'GW-Channel', units: 2 },
      { projectId: south!.id, type: 'GW-Channel', units: 4 },
    ]);
    expect(r.licenses.map((l: { projectId: number; units: number }) => [l.projectId, l.units])).toEqual([
      [b.projects[0]!.id, 2],
      [south!.id, 4],
    ]);
    expect(await balanceOf(tc, south!.id, 'GW-Channel')).toBe(1);
    expect(await balanceOf(tc, north!.id, 'GW-Channel')).toBe(3);
    await expectConserved(tc, b.companyId);
  });

  it('buys what is missing on credit with an order number, only with the right', async () => {
    const b = await keyCompany(tc, 'credit');
    const dev = await placeDevice(tc, b, 'IP6000');
    await credit(tc, b, 'Relay-PRI', 1);
    const body = {
      version: 14,
      lines: [{ type: 'Relay-PRI', units: 3 }],
      onCredit: { orderNumber: 'SO-77' },
    };
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, body),
      403,
      'FORBIDDEN',
    );
    expect(await snapshot(tc)).toEqual(before);
    await grant(tc, b.user.id, 'buy-on-credit');
    const r = await addLicenses(tc, b.token, dev.deviceId, body);
    expect(r.onCredit).toEqual({ orderNumber: 'SO-77', lines: [{ type: 'Relay-PRI', units: 2 }] });
    expect(r.licenses.map((l: { units: number; onCredit: boolean }) => [l.units, l.onCredit])).toEqual([
      [1, false],
      [2, true],
    ]);
    const ledger = await tc.core.store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('reason', '=', 'license.on-credit')
      .where('project_id', '=', b.projects[0]!.id)
      .execute();
    expect(ledger).toMatchObject([{ license_type: 'Relay-PRI', delta: 2, ref: 'on-credit:SO-77' }]);
    expect(
      await tc.core.store.db
        .selectFrom('credit_purchases')
        .selectAll()
        .where('project_id', '=', b.projects[0]!.id)
        .execute(),
    ).toMatchObject([{ license_type: 'Relay-PRI', units: 2, order_number: 'SO-77', user_id: b.user.id }]);
    await expectConserved(tc, b.companyId);
  });

  it('asks for the SSC summary in a project under SSA and puts the new licenses under its SSA when confirmed', async () => {
    const b = await keyCompany(tc, 'ssa-new');
    const end = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: end })
      .where('id', '=', b.projects[0]!.id)
      .execute();
    const dev = await placeDevice(tc, b, 'IP811');
    await credit(tc, b, 'PBX-Port14', 10);
    await credit(tc, b, 'SSC', 100);
    const body = { version: 14, lines: [{ type: 'PBX-Port14', units: 10 }] };
    const before = await snapshot(tc);
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, body),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const total = (asked.details as { summary: { total: number } }).summary.total;
    expect(total).toBeGreaterThan(0);
    expect(await snapshot(tc)).toEqual(before);
    const r = await addLicenses(tc, b.token, dev.deviceId, { ...body, ssa: { expectedTotal: total } });
    expect(r.ssa).toMatchObject({ endDate: end, total });
    const row = (await boundOf(tc, dev.deviceId))[0]!;
    expect(row).toMatchObject({ ssa_end: end });
    // Independently of the 409's figure: the calculator on the row as it was bound (no SSA yet), today to the end.
    const want = expected([{ ...row, ssa_end: null }], row.bind_date, end);
    expect(want.total).toBeGreaterThan(0);
    expect(total).toBe(want.total);
    expect(await balanceOf(tc, b.projects[0]!.id, 'SSC')).toBe(100 - want.total);
    await expectConserved(tc, b.companyId);
  });

  it('puts the new licenses under SSA to another end date when one is chosen, and charges for that date', async () => {
    const b = await keyCompany(tc, 'ssa-date');
    const projectEnd = inDays(200);
    const chosen = inDays(500);
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: projectEnd })
      .where('id', '=', b.projects[0]!.id)
      .execute();
    const dev = await placeDevice(tc, b, 'IP811');
    await credit(tc, b, 'PBX-Port14', 4);
    await credit(tc, b, 'SSC', 100);
    const body = { version: 14, lines: [{ type: 'PBX-Port14', units: 4 }] };
    const preview = await ok(
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`, b.token, {
        ...body,
        ssa: { endDate: chosen },
      }),
    );
    expect(preview.summary).toMatchObject({
      endDate: chosen,
      lines: [{ type: 'PBX-Port14', line: 0, newSsaEnd: chosen }],
    });
    const r = await addLicenses(tc, b.token, dev.deviceId, {
      ...body,
      ssa: { endDate: chosen, expectedTotal: preview.summary.total },
    });
    const row = (await boundOf(tc, dev.deviceId))[0]!;
    expect(row.ssa_end).toBe(chosen);
    const want = expected([{ ...row, ssa_end: null }], row.bind_date, chosen);
    // More days than to the project's end, so more SSC: the chosen date is what is paid for.
    expect(want.total).toBeGreaterThan(
      expected([{ ...row, ssa_end: null }], row.bind_date, projectEnd).total,
    );
    expect(r.ssa).toMatchObject({
      endDate: chosen,
      total: want.total,
      licenses: [{ serial: row.serial, ssaEnd: chosen }],
    });
    expect(await balanceOf(tc, b.projects[0]!.id, 'SSC')).toBe(100 - want.total);
    await expectConserved(tc, b.companyId);
  });

  it('opts single lines of the selection out of SSA: that license gets no SSA end, and SSC is paid only for the others', async () => {
    const b = await keyCompany(tc, 'ssa-optout');
    const end = inDays(365);
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: end })
      .where('id', '=', b.projects[0]!.id)
      .execute();
    const dev = await placeDevice(tc, b, 'IP6000');
    await credit(tc, b, 'PBX-Port14', 10);
    await credit(tc, b, 'Relay-PRI', 1);
    await credit(tc, b, 'SSC', 200);
    const body = {
      version: 14,
      lines: [
        { type: 'PBX-Port14', units: 10 },
        { type: 'Relay-PRI', units: 1 },
      ],
    };
    const before = await snapshot(tc);
    // The summary the selection asks to confirm names each license's request line.
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, body),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const lines = (asked.details as { summary: { lines: { type: string; line: number; ssc: number }[] } })
      .summary.lines;
    expect(lines.map((l) => [l.type, l.line]).sort()).toEqual([
      ['PBX-Port14', 0],
      ['Relay-PRI', 1],
    ]);
    // Serials of licenses not bound yet cannot be named; lines that do not exist neither.
    const serials = (asked.details as { summary: { lines: { serial: string }[] } }).summary.lines.map(
      (l) => l.serial,
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, {
        ...body,
        ssa: { optOut: [serials[1]] },
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, b.token, {
        ...body,
        ssa: { optOutLines: [2] },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await snapshot(tc)).toEqual(before);

    // The preview with line 1 opted out, for today and (not confirmable) for another calculation date.
    const preview = await ok(
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`, b.token, {
        ...body,
        ssa: { optOutLines: [1] },
      }),
    );
    expect(preview).toMatchObject({
      target: { projectId: b.projects[0]!.id, ssaEnd: end },
      confirmationRequired: true,
    });
    expect(
      preview.summary.lines.map((l: { type: string; line: number; optedOut: boolean }) => [
        l.type,
        l.line,
        l.optedOut,
      ]),
    ).toEqual([
      ['PBX-Port14', 0, false],
      ['Relay-PRI', 1, true],
    ]);
    const later = await ok(
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`, b.token, {
        ...body,
        ssa: { optOutLines: [1], calculationDate: inDays(30) },
      }),
    );
    expect(later.summary.calculationDate).toBe(inDays(30));
    expect(later.summary.total).not.toBe(preview.summary.total);
    // Bad input is refused by the schema or the selection rules, and previews nothing.
    const previewOf = (b2: unknown) =>
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`, b.token, b2);
    await expectError(
      await previewOf({ ...body, ssa: { optOutLines: ['first'] } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await previewOf({ ...body, ssa: { optOutLines: [7] } }), 400, 'VALIDATION_FAILED');
    await expectError(
      await previewOf({ ...body, ssa: { calculationDate: 'tomorrow' } }),
      400,
      'VALIDATION_FAILED',
    );
    // Another company's device is not there for the preview either.
    const stranger = await keyCompany(tc, 'ssa-stranger');
    await expectError(
      await call(
        tc.app,
        'POST',
        `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`,
        stranger.token,
        body,
      ),
      404,
      'DEVICE_NOT_FOUND',
    );
    expect({ ...(await snapshot(tc)), history: before.history }).toEqual(before);

    const r = await addLicenses(tc, b.token, dev.deviceId, {
      ...body,
      ssa: { optOutLines: [1], expectedTotal: preview.summary.total },
    });
    const port = (await boundOf(tc, dev.deviceId)).find((l) => l.license_type === 'PBX-Port14')!;
    const relay = (await boundOf(tc, dev.deviceId)).find((l) => l.license_type === 'Relay-PRI')!;
    expect(port.ssa_end).toBe(end);
    expect(relay.ssa_end).toBeNull();
    const want = expected([{ ...port, ssa_end: null }], port.bind_date, end);
    expect(want.total).toBeGreaterThan(0);
    expect(preview.summary.total).toBe(want.total);
    expect(r.ssa).toMatchObject({
      total: want.total,
      optedOut: [relay.serial],
      licenses: [{ serial: port.serial, ssaEnd: end }],
    });
    expect(await balanceOf(tc, b.projects[0]!.id, 'SSC')).toBe(200 - want.total);
    // The preview for another day matches the calculator for that day.
    expect(later.summary.total).toBe(expected([{ ...port, ssa_end: null }], inDays(30), end).total);
    expect(
      (await ok(call(tc.app, 'GET', `/projects/${b.projects[0]!.id}/ssa`, b.token))).licenses.notCovered,
    ).toEqual([relay.serial]);
    await expectConserved(tc, b.companyId);
  });

  it('never shares balance into a project reached through rights', async () => {
    const owner = await keyCompany(tc, 'own-x', { extraProjects: ['Other'] });
    const partner = await keyCompany(tc, 'partner-x');
    await grantRights(tc, owner.projects[0]!.id, partner.companyId);
    const dev = await placeDevice(tc, owner, 'IP811');
    await credit(tc, owner, 'GW-Channel', 1);
    const offer = await get(`/devices/${dev.deviceId}/licenses/offer?version=14`, partner.token);
    expect(offer).toMatchObject({ external: true });
    expect(offer.licenses.find((l: { type: string }) => l.type === 'GW-Channel')).toMatchObject({
      projectBalance: 1,
      allProjectsBalance: null,
      otherProjects: [],
    });
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, partner.token, {
        version: 14,
        lines: [{ type: 'GW-Channel', units: 1 }],
        drawFrom: [owner.projects[1]!.id],
      }),
      403,
      'FORBIDDEN',
    );
    // Its own project's balance it may use (seed: Rights, "can add devices, licenses …").
    await addLicenses(tc, partner.token, dev.deviceId, {
      version: 14,
      lines: [{ type: 'GW-Channel', units: 1 }],
    });
  });
});

describe('V7 floating license', () => {
  it('is added and deleted, excludes V7 PBX licenses both ways, and keeps the ledger whole', async () => {
    const a = await keyCompany(tc, 'float');
    const slave = await placeDevice(tc, a, 'IP811');
    const r = await ok(call(tc.app, 'POST', `/devices/${slave.deviceId}/licenses/floating`, a.token), 201);
    expect(r).toMatchObject({ type: 'PBX7-Floating', deleted: false });
    await credit(tc, a, 'PBX7#15', 5);
    let before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${slave.deviceId}/licenses/from-balance`, a.token, {
        version: 7,
        lines: [{ type: 'PBX7#15', units: 5 }],
      }),
      409,
      'FLOATING_EXCLUSIVE',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${slave.deviceId}/licenses/floating`, a.token),
      409,
      'LICENSE_MAXIMUM_EXCEEDED',
    );
    expect(await snapshot(tc)).toEqual(before);
    await expectConserved(tc, a.companyId);
    expect(
      await ok(call(tc.app, 'DELETE', `/devices/${slave.deviceId}/licenses/floating`, a.token)),
    ).toMatchObject({ serial: r.serial, deleted: true });
    expect(await boundOf(tc, slave.deviceId)).toEqual([]);
    await expectConserved(tc, a.companyId);

    const master = await placeDevice(tc, a, 'IP811');
    await addLicenses(tc, a.token, master.deviceId, { version: 7, lines: [{ type: 'PBX7#15', units: 5 }] });
    // IP0011 runs V8+ only.
    const small = await placeDevice(tc, a, 'IP0011');
    before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${master.deviceId}/licenses/floating`, a.token),
      409,
      'FLOATING_EXCLUSIVE',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${master.deviceId}/licenses/floating`, a.token),
      404,
      'FLOATING_NOT_FOUND',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${small.deviceId}/licenses/floating`, a.token),
      400,
      'VERSION_NOT_FOR_DEVICE',
    );
    expect(await snapshot(tc)).toEqual(before);
  });
});

describe('warranty extensions', () => {
  it('sells the cheaper type within 90 days of receipt, the dearer one afterwards, four years at most; all devices of a project at once', async () => {
    const a = await keyCompany(tc, 'warranty', { extraProjects: ['Phones'] });
    const phones = a.projects[1]!.id;
    const p1 = await placeDevice(tc, a, 'IP222', phones);
    const p2 = await placeDevice(tc, a, 'IP232', phones);
    const handset = await placeDevice(tc, a, 'IP241', phones);
    await credit(tc, a, 'Warranty-1Y', 10, 'Phones');
    await credit(tc, a, 'Warranty-1Y-Late', 10, 'Phones');

    const preview = await ok(
      call(tc.app, 'POST', `/projects/${phones}/warranty/preview`, a.token, {
        years: 2,
        devices: [{ deviceId: handset.deviceId, years: 0 }],
      }),
    );
    expect(preview).toMatchObject({
      done: false,
      sufficient: true,
      totals: [{ type: 'Warranty-1Y', units: 4, projectBalance: 10 }],
    });
    expect(
      preview.lines.map((l: { deviceId: number; years: number; type: string | null }) => [
        l.deviceId,
        l.years,
        l.type,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [p1.deviceId, 2, 'Warranty-1Y'],
        [p2.deviceId, 2, 'Warranty-1Y'],
        [handset.deviceId, 0, null],
      ]),
    );
    expect(await balanceOf(tc, phones, 'Warranty-1Y')).toBe(10);
    const done = await ok(
      call(tc.app, 'POST', `/projects/${phones}/warranty`, a.token, {
        years: 2,
        devices: [{ deviceId: handset.deviceId, years: 0 }],
      }),
      201,
    );
    expect(done.done).toBe(true);
    expect(await balanceOf(tc, phones, 'Warranty-1Y')).toBe(6);
    expect((await boundOf(tc, p1.deviceId)).map((l) => [l.license_type, l.units, l.returnable])).toEqual([
      ['Warranty-1Y', 2, 0],
    ]);
    expect(await historyOf(tc, 'warranty.extended')).toHaveLength(1);

    // p1 was received 100 days ago: the window is closed (receipt = shipped, else first added).
    const received = new Date(Date.now() - 100 * 86_400_000).toISOString();
    await tc.core.store.db
      .updateTable('devices')
      .set({ created_at: received })
      .where('id', '=', p1.deviceId)
      .execute();
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${p1.deviceId}/warranty`, a.token, { years: 1, type: 'early' }),
      409,
      'WARRANTY_WINDOW_CLOSED',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${p1.deviceId}/warranty`, a.token, { years: 3 }),
      409,
      'WARRANTY_MAXIMUM_EXCEEDED',
    );
    expect(await snapshot(tc)).toEqual(before);
    const late = await ok(
      call(tc.app, 'POST', `/devices/${p1.deviceId}/warranty`, a.token, { years: 2 }),
      201,
    );
    expect(late.lines).toMatchObject([
      {
        deviceId: p1.deviceId,
        receipt: received.slice(0, 10),
        installedYears: 2,
        years: 2,
        type: 'Warranty-1Y-Late',
      },
    ]);
    await expectError(
      await call(tc.app, 'POST', `/devices/${p1.deviceId}/warranty/preview`, a.token, { years: 1 }),
      409,
      'WARRANTY_MAXIMUM_EXCEEDED',
    );
    // A device shipped with an order counts from the shipping day.
    await tc.core.store.db
      .updateTable('devices')
      .set({ shipped_on: received.slice(0, 10) })
      .where('id', '=', p2.deviceId)
      .execute();
    expect(
      (await ok(call(tc.app, 'POST', `/devices/${p2.deviceId}/warranty/preview`, a.token, { years: 1 })))
        .lines[0].type,
    ).toBe('Warranty-1Y-Late');
    const p4 = await placeDevice(tc, a, 'IP222', phones);
    const before2 = await snapshot(tc);
    // 8 early years wanted, 6 in the balance.
    const short = await expectError(
      await call(tc.app, 'POST', `/projects/${phones}/warranty`, a.token, {
        devices: [
          { deviceId: handset.deviceId, years: 4 },
          { deviceId: p4.deviceId, years: 4 },
        ],
      }),
      409,
      'BALANCE_INSUFFICIENT',
    );
    expect(short.details).toMatchObject({
      missing: [{ type: 'Warranty-1Y', needed: 8, available: 6, missing: 2 }],
    });
    expect(await snapshot(tc)).toEqual(before2);
    await expectConserved(tc, a.companyId);
  });
});

describe('downloads', () => {
  it('offers the versions of the licenses within what the device runs, and says which licenses a V5–V7 file makes non-returnable', async () => {
    const a = await keyCompany(tc, 'dl');
    const dev = await placeDevice(tc, a, 'IP811');
    await credit(tc, a, 'PBX-Port13', 4);
    await addLicenses(tc, a.token, dev.deviceId, { version: 13, lines: [{ type: 'PBX-Port13', units: 4 }] });
    const o = await get(`/devices/${dev.deviceId}/license-downloads`, a.token);
    expect(o.versions.map((v: { version: number }) => v.version)).toEqual([13, 12, 11, 10, 9, 8, 7, 6]);
    const serial = (await boundOf(tc, dev.deviceId))[0]!.serial;
    expect(o.versions.find((v: { version: number }) => v.version === 7)).toEqual({
      version: 7,
      encrypted: false,
      licenses: 1,
      makesNonReturnable: [serial],
    });
    expect(o.versions.find((v: { version: number }) => v.version === 13).makesNonReturnable).toEqual([]);

    const before = await snapshot(tc);
    const file = (body: unknown) =>
      call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, a.token, body);
    const refused = await expectError(await file({ version: 7 }), 409, 'NON_RETURNABLE_NOT_ACCEPTED');
    expect(refused.details).toEqual({ version: 7, serials: [serial] });
    await expectError(await file({ version: 13 }), 400, 'CERT_MISSING');
    await expectError(await file({ version: 14 }), 409, 'VERSION_NOT_AVAILABLE');
    await expectError(await file({ version: 5 }), 400, 'VERSION_NOT_FOR_DEVICE');
    expect(await snapshot(tc)).toEqual(before);

    await certify(tc, dev);
    const enc = await call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, a.token, { version: 13 });
    expect(enc.status).toBe(200);
    expect(enc.headers.get('x-mylic-encrypted')).toBe('1');
    const plain = await call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, a.token, {
      version: 7,
      acceptNonReturnable: true,
    });
    expect(plain.status).toBe(200);
    const payload = openLicenseFile(await plain.text(), {
      signerPublicKeyPem: tc.core.keys.licenseAuthorityCertPem,
    });
    expect(payload).toMatchObject({
      version: 7,
      encrypted: false,
      licenses: [{ serial, returnable: false }],
    });
    expect((await boundOf(tc, dev.deviceId))[0]!.downloaded_unencrypted).toBe(1);
    const dev2 = await tc.core.store.db
      .selectFrom('devices')
      .select(['legacy_download_at', 'no_downgrade_at'])
      .where('id', '=', dev.deviceId)
      .executeTakeFirstOrThrow();
    expect(dev2.legacy_download_at).not.toBeNull();
    expect(dev2.no_downgrade_at).toBeNull();
  });

  it('"No downgrade": once V5–V7 licenses were returned from a device, no V5–V7 files any more', async () => {
    const a = await keyCompany(tc, 'nodown');
    const dev = await placeDevice(tc, a, 'IP811');
    const identity = await certify(tc, dev);
    await credit(tc, a, 'PBX7#15', 3);
    await credit(tc, a, 'PBX-Port13', 2);
    await addLicenses(tc, a.token, dev.deviceId, { version: 7, lines: [{ type: 'PBX7#15', units: 3 }] });
    await addLicenses(tc, a.token, dev.deviceId, {
      version: 13,
      summate: false,
      lines: [{ type: 'PBX-Port13', units: 2 }],
    });
    const v7 = (await boundOf(tc, dev.deviceId)).find((l) => l.license_type === 'PBX7#15')!;
    // The device (now on a V8+ bootcode) returns its never-downloaded V7 license, with the
    // user's agreement never to downgrade below V8 (seed L227; without it: invalidation-consent.test.ts).
    const doc = invalidationDocument(identity, {
      serials: [v7.serial],
      counter: 1,
      version: 13,
      acceptNoDowngrade: true,
    });
    const res = await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, a.token);
    expect(res.status).toBe(200);
    expect(
      (
        await tc.core.store.db
          .selectFrom('devices')
          .select('no_downgrade_at')
          .where('id', '=', dev.deviceId)
          .executeTakeFirstOrThrow()
      ).no_downgrade_at,
    ).not.toBeNull();
    const o = await get(`/devices/${dev.deviceId}/license-downloads`, a.token);
    expect(o.noDowngrade).toBe(true);
    expect(o.versions.map((v: { version: number }) => v.version)).toEqual([13, 12, 11, 10, 9, 8]);
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, a.token, {
        version: 7,
        acceptNonReturnable: true,
      }),
      409,
      'DOWNLOAD_NO_DOWNGRADE',
    );
    expect(await snapshot(tc)).toEqual(before);
    expect((await get(`/devices/${dev.deviceId}/licenses`, a.token)).noDowngrade).toBe(true);
  });
});

describe('moving licenses', () => {
  it('moves all licenses to a device without licenses with the right, and the source becomes an RMA device', async () => {
    const a = await keyCompany(tc, 'move');
    const src = await placeDevice(tc, a, 'IP6000');
    const dst = await placeDevice(tc, a, 'IP6000');
    const busy = await placeDevice(tc, a, 'IP6000');
    await credit(tc, a, 'PBX-Port14', 12);
    await credit(tc, a, 'Relay-PRI', 2);
    await addLicenses(tc, a.token, src.deviceId, {
      version: 14,
      lines: [
        { type: 'PBX-Port14', units: 10 },
        { type: 'Relay-PRI', units: 2 },
      ],
    });
    await addLicenses(tc, a.token, busy.deviceId, { version: 14, lines: [{ type: 'PBX-Port14', units: 2 }] });
    const serials = (await boundOf(tc, src.deviceId)).map((l) => l.serial);

    const before = await snapshot(tc);
    const move = (from: number, to: number) =>
      call(tc.app, 'POST', `/devices/${from}/licenses/move`, a.token, { targetDeviceId: to });
    await expectError(await move(src.deviceId, dst.deviceId), 403, 'FORBIDDEN');
    await grant(tc, a.user.id, 'move-licenses');
    await expectError(await move(src.deviceId, busy.deviceId), 409, 'MOVE_TARGET_HAS_LICENSES');
    await expectError(await move(src.deviceId, src.deviceId), 400, 'MOVE_SAME_DEVICE');
    await expectError(await move(dst.deviceId, src.deviceId), 404, 'NO_LICENSES');
    const phone = await placeDevice(tc, a, 'IP222');
    await expectError(await move(src.deviceId, phone.deviceId), 400, 'LICENSE_TYPE_NOT_FOR_DEVICE');
    expect({ ...(await snapshot(tc)), devices: before.devices, history: before.history }).toEqual(before);

    const r = await ok(move(src.deviceId, dst.deviceId));
    expect(r).toMatchObject({
      from: { deviceId: src.deviceId, rma: true },
      to: { deviceId: dst.deviceId },
      serials,
    });
    expect((await boundOf(tc, dst.deviceId)).map((l) => l.serial)).toEqual(serials);
    expect(await boundOf(tc, src.deviceId)).toEqual([]);
    expect((await get(`/devices/${src.deviceId}/licenses`, a.token)).inRma).toBe(true);
    expect(await historyOf(tc, 'licenses.moved')).toHaveLength(1);
    await expectConserved(tc, a.companyId);
  });

  it('moves without the right only once the source has arrived at the vendor: a request alone waives nothing', async () => {
    const a = await keyCompany(tc, 'move-rma');
    const src = await placeDevice(tc, a, 'IP811');
    const dst = await placeDevice(tc, a, 'IP811');
    await credit(tc, a, 'GW-Channel', 2);
    await addLicenses(tc, a.token, src.deviceId, { version: 14, lines: [{ type: 'GW-Channel', units: 2 }] });
    await ok(call(tc.app, 'POST', `/devices/${src.deviceId}/rma`, a.token, { reason: 'broken' }), 201);
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${src.deviceId}/licenses/move`, a.token, {
        targetDeviceId: dst.deviceId,
      }),
      403,
      'FORBIDDEN',
    );
    expect(await snapshot(tc)).toEqual(before);
    const { hardware_id } = await tc.core.store.db
      .selectFrom('devices')
      .select('hardware_id')
      .where('id', '=', src.deviceId)
      .executeTakeFirstOrThrow();
    await rmaArrived(tc.core, hardware_id);
    await ok(
      call(tc.app, 'POST', `/devices/${src.deviceId}/licenses/move`, a.token, {
        targetDeviceId: dst.deviceId,
      }),
    );
    expect((await boundOf(tc, dst.deviceId)).map((l) => l.license_type)).toEqual(['GW-Channel']);
  });
});

describe('every rule broken once, each with its own code and nothing changed', () => {
  it("answers the rule's code for each broken selection", async () => {
    const a = await keyCompany(tc, 'rules');
    const big = await placeDevice(tc, a, 'IP6000');
    const pbxOnly = await placeDevice(tc, a, 'IP1060');
    for (const [type, units] of [
      ['PBX-Port14', 100],
      ['PBX-Port13', 10],
      ['PBX-Voicemail14', 20],
      ['PBX-Registration14', 20],
      ['PBX-Upgrade14', 10],
      ['Relay-PRI', 10],
      ['Warranty-1Y', 1],
      ['SSC', 5],
    ] as const) {
      await credit(tc, a, type, units);
    }
    await addLicenses(tc, a.token, big.deviceId, { version: 14, lines: [{ type: 'Relay-PRI', units: 3 }] });
    const cases: [string, number, unknown, number, string][] = [
      [
        'the device runs the version',
        pbxOnly.deviceId,
        { version: 8, lines: [{ type: 'PORT8', units: 1 }] },
        400,
        'VERSION_NOT_FOR_DEVICE',
      ],
      [
        'the device type takes the type',
        pbxOnly.deviceId,
        { version: 14, lines: [{ type: 'Relay-PRI', units: 1 }] },
        400,
        'LICENSE_TYPE_NOT_FOR_DEVICE',
      ],
      [
        'warranty is not added here',
        big.deviceId,
        { version: 14, lines: [{ type: 'Warranty-1Y', units: 1 }] },
        400,
        'LICENSE_TYPE_NOT_OFFERED',
      ],
      [
        'SSC is never bound',
        big.deviceId,
        { version: 14, lines: [{ type: 'SSC', units: 1 }] },
        400,
        'LICENSE_TYPE_NOT_OFFERED',
      ],
      [
        'the type is of the selected version',
        big.deviceId,
        { version: 14, lines: [{ type: 'PBX-Port13', units: 1 }] },
        400,
        'LICENSE_VERSION_MISMATCH',
      ],
      [
        'at most 4 Relay-PRI on an IP6000 (3 installed)',
        big.deviceId,
        { version: 14, lines: [{ type: 'Relay-PRI', units: 2 }] },
        409,
        'LICENSE_MAXIMUM_EXCEEDED',
      ],
      [
        'at most 300 ports on an IP1060',
        pbxOnly.deviceId,
        { version: 14, lines: [{ type: 'PBX-Port14*20', units: 16 }] },
        409,
        'LICENSE_MAXIMUM_EXCEEDED',
      ],
      [
        'Voicemail equals the PBX amount',
        big.deviceId,
        {
          version: 14,
          lines: [
            { type: 'PBX-Port14', units: 10 },
            { type: 'PBX-Voicemail14', units: 5 },
          ],
        },
        409,
        'LICENSE_AMOUNT_NOT_EQUAL_PBX',
      ],
      [
        'Registrations at most the PBX amount',
        big.deviceId,
        {
          version: 14,
          lines: [
            { type: 'PBX-Port14', units: 10 },
            { type: 'PBX-Registration14', units: 11 },
          ],
        },
        409,
        'LICENSE_AMOUNT_ABOVE_PBX',
      ],
      [
        'an upgrade needs its base',
        big.deviceId,
        { version: 14, summate: false, lines: [{ type: 'PBX-Upgrade14', units: 5 }] },
        409,
        'LICENSE_UPGRADE_WITHOUT_BASE',
      ],
      [
        'the balance holds the units',
        big.deviceId,
        { version: 14, lines: [{ type: 'PBX-Port14', units: 101 }] },
        409,
        'BALANCE_INSUFFICIENT',
      ],
      [
        'the type exists',
        big.deviceId,
        { version: 14, lines: [{ type: 'PBX-Port99', units: 1 }] },
        400,
        'LICENSE_TYPE_UNKNOWN',
      ],
      [
        'amounts are positive',
        big.deviceId,
        { version: 14, lines: [{ type: 'PBX-Port14', units: 0 }] },
        400,
        'VALIDATION_FAILED',
      ],
    ];
    const before = await snapshot(tc);
    for (const [rule, deviceId, body, status, code] of cases) {
      const res = await call(tc.app, 'POST', `/devices/${deviceId}/licenses/from-balance`, a.token, body);
      const err = await expectError(res, status, code as never);
      expect(err.message.length, rule).toBeGreaterThan(10);
    }
    expect(await snapshot(tc)).toEqual(before);
    // The same selections that are right go through.
    await addLicenses(tc, a.token, big.deviceId, {
      version: 14,
      lines: [
        { type: 'PBX-Port14', units: 10 },
        { type: 'PBX-Voicemail14', units: 10 },
        { type: 'PBX-Registration14', units: 10 },
        { type: 'Relay-PRI', units: 1 },
      ],
    });
    await expectConserved(tc, a.companyId);
  });

  it('documents every route in /openapi.json', async () => {
    const doc = (await (await tc.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const p of [
      '/api/v1/catalog',
      '/api/v1/devices/{deviceId}/licenses',
      '/api/v1/devices/{deviceId}/licenses/offer',
      '/api/v1/devices/{deviceId}/licenses/from-balance',
      '/api/v1/devices/{deviceId}/licenses/from-balance/ssa-preview',
      '/api/v1/devices/{deviceId}/licenses/from-free',
      '/api/v1/devices/{deviceId}/licenses/free-offer',
      '/api/v1/devices/{deviceId}/licenses/floating',
      '/api/v1/devices/{deviceId}/licenses/move',
      '/api/v1/devices/{deviceId}/warranty',
      '/api/v1/devices/{deviceId}/warranty/preview',
      '/api/v1/projects/{projectId}/warranty',
      '/api/v1/projects/{projectId}/warranty/preview',
      '/api/v1/devices/{deviceId}/license-downloads',
      '/api/v1/devices/{deviceId}/license-file',
      '/api/v1/free-licenses',
      '/api/v1/free-licenses/convert',
      '/api/v1/free-licenses/convert/preview',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});

describe('license types without SSA in a project under SSA', () => {
  // Its own core: the warranty test above counts every warranty.extended event of its core.
  let ownRoot: { dir: string; cleanup: () => Promise<void> };
  let own: TestCore;
  beforeAll(async () => {
    ownRoot = await tempDir('mylic-licenses-nossa-');
    own = await makeTestCore(ownRoot.dir);
  });
  afterAll(async () => {
    await own?.close();
    await ownRoot?.cleanup();
  });

  it('gives warranty extensions and the V7 floating license no SSA in an SSA project (catalog) and does not list them as not covered', async () => {
    const b = await keyCompany(own, 'ssa-nossa');
    const project = b.projects[0]!.id;
    const end = inDays(300);
    await own.core.store.db.updateTable('projects').set({ ssa_end: end }).where('id', '=', project).execute();
    for (const name of ['Warranty-1Y', 'Warranty-1Y-Late', 'PBX7-Floating', 'SSC'])
      expect(catalog.licenseType(name)).toMatchObject({ ssa: false, sscPerUnitYear: 0 });
    for (const t of catalog.licenseTypes.filter(
      (x) => x.bindable && !['warranty', 'floating'].includes(x.family),
    ))
      expect(t.ssa, t.name).toBe(true);
    const slave = await placeDevice(own, b, 'IP811');
    const master = await placeDevice(own, b, 'IP811');
    await credit(own, b, 'Warranty-1Y', 2);
    await credit(own, b, 'GW-Channel', 2);
    await credit(own, b, 'SSC', 100);
    await ok(call(own.app, 'POST', `/devices/${slave.deviceId}/licenses/floating`, b.token), 201);
    await ok(call(own.app, 'POST', `/projects/${project}/warranty`, b.token, { years: 1 }), 201);
    // A type with SSA goes through the same path and gets the end date (after the summary).
    const asked = await expectError(
      await call(own.app, 'POST', `/devices/${master.deviceId}/licenses/from-balance`, b.token, {
        version: 14,
        lines: [{ type: 'GW-Channel', units: 2 }],
      }),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    await addLicenses(own, b.token, master.deviceId, {
      version: 14,
      lines: [{ type: 'GW-Channel', units: 2 }],
      ssa: { expectedTotal: (asked.details as { summary: { total: number } }).summary.total },
    });
    const rows = [...(await boundOf(own, slave.deviceId)), ...(await boundOf(own, master.deviceId))];
    expect(rows.map((l) => [l.license_type, l.ssa_end]).sort()).toEqual(
      [
        ['GW-Channel', end],
        ['PBX7-Floating', null],
        ['Warranty-1Y', null],
        ['Warranty-1Y', null],
      ].sort(),
    );
    const status = await ok(call(own.app, 'GET', `/projects/${project}/ssa`, b.token));
    expect(status.licenses).toEqual({ total: 1, covered: 1, notCovered: [] });
    await expectConserved(own, b.companyId);
  });
});
