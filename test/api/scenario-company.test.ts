import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { issueVendorKey } from '../../bridge/core/keys/index.js';
import { FREED_RMA_PROJECT, rmaArrived } from '../../bridge/core/devices/index.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, invalidationDocument, postXml, type DeviceIdentity } from '../bridge/fixtures.js';
import { call, counts, expectConservation, keyCompany, ok, type KeyCompany } from './keys-fixtures.js';
import { boundOf, certify, snapshot } from './licenses-fixtures.js';
import { known } from '../support/vendor-devices.js';

/**
 * The done-when scenario of issue 5, through /api/v1 on a real SQLite file: a company redeems a vendor
 * key, adds 50 devices by a MAC range, licenses each of them from the balance (every rule checked by
 * the route), returns the licenses of two devices with invalidation documents signed by the devices'
 * keys, converts part of the free pool back to balance (one year of SSC per unit), moves a device to
 * another project, requests RMA for another one, which the operator marks as arrived, and moves its
 * licenses to a fresh device. After every step the company's units are conserved
 * (activated = balance + bound + free + inKeys, ARCHITECTURE §5) and where they are is exactly what the
 * step says.
 */
const PORT = 'PBX-Port14';
const VM = 'PBX-Voicemail14';
const GW = 'GW-Channel';
const SSC = 'SSC';
const TYPE = 'IP811';
const mac = (n: number) => `00-90-33-10-00-${n.toString(16).toUpperCase().padStart(2, '0')}`;

type Where = { activated: number; balance: number; bound: number; free: number; inKeys: number };

let tmp: Awaited<ReturnType<typeof tempDir>>;
let tc: TestCore;
let co: KeyCompany;
let defaultProject: number;
const devices: { deviceId: number; hardwareId: string }[] = [];
/** What the company's units of each type are expected to be now; every step changes it and checks it. */
const now: Record<string, Where> = {};

/** Conservation, and each type exactly where the scenario put it. */
async function expectUnits() {
  await expectConservation(tc, co.companyId);
  const c = await counts(tc, co.companyId);
  for (const [type, want] of Object.entries(now)) expect({ type, ...c[type] }).toEqual({ type, ...want });
}

beforeAll(async () => {
  tmp = await tempDir('mylic-scenario-company-');
  tc = await makeTestCore(tmp.dir, await loadOrCreateDevPki(`${tmp.dir}/pki`));
  co = await keyCompany(tc, 'scenario');
  defaultProject = co.projects[0]!.id;
});
afterAll(async () => {
  await tc?.close();
  await tmp?.cleanup();
});

describe('a company from its first key to an RMA', () => {
  it('redeems a vendor key: the licenses are activated into the project balance', async () => {
    const key = await issueVendorKey(tc.core, {
      licenses: [
        { type: PORT, units: 120 },
        { type: VM, units: 110 },
        { type: GW, units: 60 },
        { type: SSC, units: 40 },
      ],
      orderNumber: 'SO-5000',
    });
    const preview = await ok(
      call(tc.app, 'POST', '/activation-keys/preview', co.token, { key: key.key, projectId: defaultProject }),
    );
    expect(preview.licenses).toHaveLength(4);
    const r = await ok(
      call(tc.app, 'POST', '/activation-keys/redeem', co.token, {
        key: key.key,
        projectId: defaultProject,
        comment: 'first order',
      }),
      201,
    );
    expect(r).toMatchObject({ projectId: defaultProject });
    await expectError(
      await call(tc.app, 'POST', '/activation-keys/redeem', co.token, {
        key: key.key,
        projectId: defaultProject,
      }),
      409,
      'KEY_ALREADY_REDEEMED',
    );
    Object.assign(now, {
      [PORT]: { activated: 120, balance: 120, bound: 0, free: 0, inKeys: 0 },
      [VM]: { activated: 110, balance: 110, bound: 0, free: 0, inKeys: 0 },
      [GW]: { activated: 60, balance: 60, bound: 0, free: 0, inKeys: 0 },
      [SSC]: { activated: 40, balance: 40, bound: 0, free: 0, inKeys: 0 },
    });
    await expectUnits();
  });

  it('adds 50 devices by a MAC range, one outcome per device; a 51st in the range is refused whole', async () => {
    await expectError(
      await call(
        tc.app,
        'POST',
        '/devices/range',
        co.token,
        await known(tc.core, {
          from: mac(0),
          to: mac(0x32),
          type: TYPE,
          projectId: defaultProject,
        }),
      ),
      400,
      'DEVICE_BATCH_TOO_LARGE',
    );
    const r = await ok(
      call(
        tc.app,
        'POST',
        '/devices/range',
        co.token,
        await known(tc.core, {
          from: mac(0),
          to: mac(0x31),
          type: TYPE,
          projectId: defaultProject,
        }),
      ),
    );
    expect(r).toMatchObject({ source: 'range', projectId: defaultProject, added: 50, failed: 0 });
    for (const row of r.rows) devices.push({ deviceId: row.deviceId, hardwareId: row.hardwareId });
    expect(devices[49]!.hardwareId).toBe('009033100031');
    const list = await ok(call(tc.app, 'GET', `/devices?projectId=${defaultProject}&limit=500`, co.token));
    expect(list.total).toBe(50);
    await expectUnits();
  });

  it('licenses every device from the balance through the route, which enforces the rules', async () => {
    const first = devices[0]!.deviceId;
    const before = await snapshot(tc);
    // Voicemail must equal the PBX amount; an IP811 takes at most 30 gateway channels.
    await expectError(
      await call(tc.app, 'POST', `/devices/${first}/licenses/from-balance`, co.token, {
        version: 14,
        lines: [
          { type: PORT, units: 2 },
          { type: VM, units: 3 },
        ],
      }),
      409,
      'LICENSE_AMOUNT_NOT_EQUAL_PBX',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${first}/licenses/from-balance`, co.token, {
        version: 14,
        lines: [{ type: GW, units: 31 }],
      }),
      409,
      'LICENSE_MAXIMUM_EXCEEDED',
    );
    expect(await snapshot(tc)).toEqual(before);

    const offer = await ok(call(tc.app, 'GET', `/devices/${first}/licenses/offer?version=14`, co.token));
    expect(offer.licenses.find((t: { type: string }) => t.type === PORT)).toMatchObject({
      projectBalance: 120,
    });
    for (const d of devices) {
      const r = await ok(
        call(tc.app, 'POST', `/devices/${d.deviceId}/licenses/from-balance`, co.token, {
          version: 14,
          lines: [
            { type: PORT, units: 2 },
            { type: VM, units: 2 },
            { type: GW, units: 1 },
          ],
        }),
        201,
      );
      expect(r.licenses).toHaveLength(3);
    }
    // The balance is short now: 20 ports are left, 30 are asked.
    await expectError(
      await call(tc.app, 'POST', `/devices/${first}/licenses/from-balance`, co.token, {
        version: 14,
        lines: [
          { type: PORT, units: 30 },
          { type: VM, units: 30 },
        ],
      }),
      409,
      'BALANCE_INSUFFICIENT',
    );
    Object.assign(now, {
      [PORT]: { ...now[PORT]!, balance: 20, bound: 100 },
      [VM]: { ...now[VM]!, balance: 10, bound: 100 },
      [GW]: { ...now[GW]!, balance: 10, bound: 50 },
    });
    await expectUnits();
  });

  it('returns the licenses of two devices with invalidations signed by the devices: PBX licenses to the free pool, gateway licenses stay', async () => {
    for (const d of devices.slice(0, 2)) {
      const identity: DeviceIdentity = await certify(tc, d);
      const serials = (await boundOf(tc, d.deviceId)).map((l) => l.serial);
      const doc = invalidationDocument(identity, { serials, counter: 1, version: 14 });
      const res = await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, co.token);
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await boundOf(tc, d.deviceId)).map((l) => l.license_type)).toEqual([GW]);
      // The same document again is answered with the same confirmation and credits nothing twice.
      expect((await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, co.token)).status).toBe(200);
    }
    const pool = await ok(call(tc.app, 'GET', '/free-licenses', co.token));
    expect(pool.licenses.map((l: { type: string; units: number }) => `${l.type}:${l.units}`).sort()).toEqual([
      `${PORT}:2`,
      `${PORT}:2`,
      `${VM}:2`,
      `${VM}:2`,
    ]);
    Object.assign(now, {
      [PORT]: { ...now[PORT]!, bound: 96, free: 4 },
      [VM]: { ...now[VM]!, bound: 96, free: 4 },
    });
    await expectUnits();
  });

  it('converts part of the free pool back to balance for one year of SSC per unit', async () => {
    const pool = (await ok(call(tc.app, 'GET', '/free-licenses', co.token))).licenses as {
      serial: string;
      type: string;
      units: number;
    }[];
    const port = pool.find((l) => l.type === PORT)!;
    const vm = pool.find((l) => l.type === VM)!;
    const req = { licenses: [{ serial: port.serial }, { serial: vm.serial }] };
    // 2 ports × 3 SSC + 2 voicemail × 1 SSC, one year each.
    const preview = await ok(call(tc.app, 'POST', '/free-licenses/convert/preview', co.token, req));
    expect(preview).toMatchObject({ ssc: 8, done: false });
    await expectUnits();
    const done = await ok(call(tc.app, 'POST', '/free-licenses/convert', co.token, req));
    expect(done).toMatchObject({
      ssc: 8,
      done: true,
      paid: [{ projectId: defaultProject, units: 8 }],
      onCredit: null,
    });
    expect((await ok(call(tc.app, 'GET', '/free-licenses', co.token))).licenses).toHaveLength(2);
    Object.assign(now, {
      [PORT]: { ...now[PORT]!, balance: 22, free: 2 },
      [VM]: { ...now[VM]!, balance: 12, free: 2 },
      // Spent SSC left the company.
      [SSC]: { activated: 32, balance: 32, bound: 0, free: 0, inKeys: 0 },
    });
    await expectUnits();
  });

  it('moves a device with its licenses to another project', async () => {
    const branch = await ok(call(tc.app, 'POST', '/projects', co.token, { name: 'Branch' }), 201);
    const d = devices[2]!;
    const r = await ok(
      call(tc.app, 'POST', '/devices/move', co.token, { deviceIds: [d.deviceId], projectId: branch.id }),
    );
    expect(r).toEqual({
      projectId: branch.id,
      moved: [{ deviceId: d.deviceId, fromProjectId: defaultProject, licenses: 3 }],
      unchanged: [],
      ssa: null,
    });
    expect((await ok(call(tc.app, 'GET', `/devices/${d.deviceId}`, co.token))).projectId).toBe(branch.id);
    expect((await boundOf(tc, d.deviceId)).every((l) => l.project_id === branch.id)).toBe(true);
    expect((await ok(call(tc.app, 'GET', `/devices?projectId=${branch.id}`, co.token))).total).toBe(1);
    await expectUnits();
  });

  it('requests RMA for a device; once the operator marks it arrived, its licenses move to a fresh device', async () => {
    const d = devices[3]!;
    const licenses = (await boundOf(tc, d.deviceId)).map((l) => l.serial).sort();
    expect(licenses).toHaveLength(3);
    const rma = await ok(
      call(tc.app, 'POST', `/devices/${d.deviceId}/rma`, co.token, { reason: 'does not boot' }),
      201,
    );
    expect(rma).toMatchObject({ state: 'requested', reason: 'does not boot' });
    expect((await ok(call(tc.app, 'GET', '/rma', co.token))).devices).toEqual([]);
    const arrived = await rmaArrived(tc.core, mac(3));
    expect(arrived).toMatchObject({ deviceId: d.deviceId, state: 'arrived' });
    expect(
      (await ok(call(tc.app, 'GET', '/rma', co.token))).devices.map((x: { id: number }) => x.id),
    ).toEqual([d.deviceId]);

    const fresh = await ok(
      call(
        tc.app,
        'POST',
        '/devices',
        co.token,
        await known(tc.core, {
          device: '00-90-33-10-01-00',
          type: TYPE,
          projectId: defaultProject,
        }),
      ),
      201,
    );
    // Only to a device without licenses: a licensed one is refused.
    await expectError(
      await call(tc.app, 'POST', `/devices/${d.deviceId}/licenses/move`, co.token, {
        targetDeviceId: devices[4]!.deviceId,
      }),
      409,
      'MOVE_TARGET_HAS_LICENSES',
    );
    const moved = await ok(
      call(tc.app, 'POST', `/devices/${d.deviceId}/licenses/move`, co.token, {
        targetDeviceId: fresh.deviceId,
      }),
    );
    expect(moved).toMatchObject({
      from: { deviceId: d.deviceId, rma: true },
      to: { deviceId: fresh.deviceId },
    });
    expect([...moved.serials].sort()).toEqual(licenses);
    expect(await boundOf(tc, d.deviceId)).toEqual([]);
    expect((await boundOf(tc, fresh.deviceId)).map((l) => l.serial).sort()).toEqual(licenses);
    expect(
      (await ok(call(tc.app, 'GET', `/devices/${fresh.deviceId}/licenses`, co.token))).licenses,
    ).toHaveLength(3);
    // Nothing was freed: the device had no unmoved licenses, no Freed_RMA_licenses project was needed.
    expect(
      (await ok(call(tc.app, 'GET', '/projects', co.token))).projects.map((p: { name: string }) => p.name),
    ).not.toContain(FREED_RMA_PROJECT);
    await expectUnits();
  });
});
