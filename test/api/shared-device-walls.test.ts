import { bind1 } from '../bridge/fixtures.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmaArrived } from '../../bridge/core/devices/index.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  expectMatrixCovers,
  routesOf,
  runWallsMatrix,
  type Outcome,
  type WallsCase,
} from '../support/walls.js';
import { expectError, invalidationDocument, postXml } from '../bridge/fixtures.js';
import { call, grantRights, keyCompany, ok, type KeyCompany } from './keys-fixtures.js';
import {
  addLicenses,
  certify,
  credit,
  expectConserved,
  grant,
  placeDevice,
  type PlacedDevice,
} from './licenses-fixtures.js';
import { known } from '../support/vendor-devices.js';

/**
 * Issue 11, "Licenses belong to the company that paid for them": the second company holding the same
 * device (seed: Warnings, "Several Companies": "you will have access to all of its current licenses")
 * may see the device's licenses and download its license file, nothing more.
 *
 * Company A owns device `dev` (licenses it paid for, certified for encrypted files), a device `flo` with
 * its V7 floating license, an empty device and a free license. Company B holds `dev` and `flo` too, has
 * its own balance, its own empty device, a second project, and the right move-licenses: the strongest
 * second company there is. Every device, RMA and license route is tried as B, each in a fresh world; what
 * A owns (its licenses, balances, ledger, projects, placements, the device rows) must be exactly as before,
 * and A's history may only have gained that another company requested or withdrew RMA — without B's user
 * or reason.
 */

interface World {
  tc: TestCore;
  a: KeyCompany;
  b: KeyCompany;
  dev: PlacedDevice;
  flo: PlacedDevice;
  aEmpty: PlacedDevice;
  bOwn: PlacedDevice;
  bSecond: number;
  freeSerial: string;
  confirmationId: string;
}

let root: { dir: string; cleanup: () => Promise<void> };
let w: World;
let n = 0;

async function makeWorld(dir: string): Promise<World> {
  const tc = await makeTestCore(dir);
  const a = await keyCompany(tc, 'sd-a');
  const b = await keyCompany(tc, 'sd-b', { extraProjects: ['B second'] });
  for (const [type, units] of [
    ['PBX-Port14', 20],
    ['Relay-PRI', 2],
    ['Warranty-1Y', 4],
  ] as const)
    await credit(tc, a, type, units);
  for (const [type, units] of [
    ['GW-Channel', 5],
    ['Warranty-1Y', 4],
    ['PBX-Port14', 4],
  ] as const)
    await credit(tc, b, type, units);
  const dev = await placeDevice(tc, a, 'IP6000');
  await addLicenses(tc, a.token, dev.deviceId, {
    version: 14,
    lines: [
      { type: 'PBX-Port14', units: 10 },
      { type: 'Relay-PRI', units: 1 },
    ],
  });
  await certify(tc, dev);
  const flo = await placeDevice(tc, a, 'IP811');
  await ok(call(tc.app, 'POST', `/devices/${flo.deviceId}/licenses/floating`, a.token), 201);
  const aEmpty = await placeDevice(tc, a, 'IP6000');
  const giver = await placeDevice(tc, a, 'IP811');
  await addLicenses(tc, a.token, giver.deviceId, { version: 14, lines: [{ type: 'PBX-Port14', units: 2 }] });
  const identity = await certify(tc, giver);
  const freeSerial = (
    await tc.core.store.db
      .selectFrom('licenses')
      .select('serial')
      .where('device_id', '=', giver.deviceId)
      .executeTakeFirstOrThrow()
  ).serial;
  const doc = invalidationDocument(identity, { serials: [freeSerial], counter: 1, version: 14 });
  expect((await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, a.token)).status).toBe(200);
  // B adds A's devices to its own project: the seed's warning, and access to see their licenses.
  for (const d of [dev, flo]) {
    const added = await ok(
      call(
        tc.app,
        'POST',
        '/devices',
        b.token,
        await known(tc.core, {
          device: d.hardwareId,
          type: d === dev ? 'IP6000' : 'IP811',
          projectId: b.projects[0]!.id,
        }),
      ),
      201,
    );
    expect(added.warnings).toContainEqual(expect.objectContaining({ code: 'SEVERAL_COMPANIES' }));
  }
  const bOwn = await placeDevice(tc, b, 'IP6000');
  await grant(tc, b.user.id, 'move-licenses');
  return {
    tc,
    a,
    b,
    dev,
    flo,
    aEmpty,
    bOwn,
    bSecond: b.projects[1]!.id,
    freeSerial,
    confirmationId: doc.documentId,
  };
}

/** Everything company A owns, as rows. */
async function ownedByA(x: World) {
  const db = x.tc.core.store.db;
  const projects = (
    await db.selectFrom('projects').select('id').where('company_id', '=', x.a.companyId).execute()
  ).map((p) => p.id);
  return {
    projects: await db
      .selectFrom('projects')
      .selectAll()
      .where('company_id', '=', x.a.companyId)
      .orderBy('id')
      .execute(),
    licenses: await db
      .selectFrom('licenses')
      .selectAll()
      .where('project_id', 'in', projects)
      .orderBy('id')
      .execute(),
    balances: await db
      .selectFrom('balances')
      .selectAll()
      .where('project_id', 'in', projects)
      .orderBy('project_id')
      .orderBy('license_type')
      .execute(),
    ledger: await db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('project_id', 'in', projects)
      .orderBy('id')
      .execute(),
    placements: await db
      .selectFrom('device_projects')
      .selectAll()
      .where('company_id', '=', x.a.companyId)
      .orderBy('device_id')
      .execute(),
    // The physical devices, RMA columns aside (a request by B is meant to show in A).
    devices: await db
      .selectFrom('devices')
      .select([
        'id',
        'hardware_id',
        'device_type',
        'cert_pem',
        'invalidation_counter',
        'legacy_download_at',
        'no_downgrade_at',
        'shipped_on',
      ])
      .where('id', 'in', [x.dev.deviceId, x.flo.deviceId, x.aEmpty.deviceId])
      .orderBy('id')
      .execute(),
    invalidations: await db.selectFrom('invalidations').selectAll().orderBy('document_id').execute(),
  };
}

const historyOfA = (x: World) =>
  x.tc.core.store.db
    .selectFrom('history')
    .selectAll()
    .where('company_id', '=', x.a.companyId)
    .orderBy('id')
    .execute();

beforeEach(async () => {
  root ??= await tempDir('mylic-shared-device-walls-');
  w = await makeWorld(`${root.dir}/w${++n}`);
});
afterEach(async () => {
  await w?.tc.close();
});

/** What B (`b`) gets: the status, and the error code when refused. */
type Case = WallsCase<'b', World> & { b: Outcome };

const D = (x: World) => `/devices/${x.dev.deviceId}`;
const CASES: Case[] = [
  { route: 'GET /devices', path: () => '/devices', b: [200] },
  {
    route: 'POST /devices',
    path: () => '/devices',
    body: (x) => ({ device: x.dev.hardwareId, projectId: x.bSecond }),
    b: [409, 'DEVICE_ALREADY_IN_COMPANY'],
  },
  {
    route: 'POST /devices/range',
    path: () => '/devices/range',
    body: (x) => ({ from: x.dev.hardwareId, to: x.dev.hardwareId, projectId: x.bSecond }),
    b: [200],
  },
  {
    route: 'POST /devices/file',
    path: () => '/devices/file',
    body: (x) => ({
      text: `${x.dev.hardwareId}\n${x.aEmpty.hardwareId}`,
      projectId: x.bSecond,
    }),
    b: [200],
  },
  {
    route: 'POST /devices/order',
    path: () => '/devices/order',
    body: (x) => ({ orderNumber: 'NONE', projectId: x.bSecond }),
    b: [404, 'ORDER_NOT_FOUND'],
  },
  {
    route: 'POST /devices/move',
    path: () => '/devices/move',
    body: (x) => ({ deviceIds: [x.dev.deviceId], projectId: x.bSecond }),
    b: [200],
  },
  {
    route: 'POST /devices/remove',
    path: () => '/devices/remove',
    body: (x) => ({ deviceIds: [x.dev.deviceId] }),
    b: [200],
  },
  { route: 'GET /devices/{deviceId}', path: D, b: [200] },
  {
    route: 'PATCH /devices/{deviceId}',
    path: D,
    body: () => ({ name: 'Bob’s now', comment: 'mine' }),
    b: [200],
  },
  { route: 'DELETE /devices/{deviceId}', path: D, b: [204] },
  {
    route: 'POST /devices/{deviceId}/rma',
    path: (x) => `${D(x)}/rma`,
    body: () => ({ reason: 'x' }),
    b: [201],
  },
  { route: 'DELETE /devices/{deviceId}/rma', path: (x) => `${D(x)}/rma`, b: [409, 'RMA_STATE_INVALID'] },
  { route: 'GET /rma', path: () => '/rma?state=active', b: [200] },
  {
    route: 'GET /device-status',
    path: (x) => `/device-status?device=${x.dev.hardwareId}`,
    b: [403, 'FORBIDDEN'],
  },
  { route: 'GET /orders/{orderNumber}', path: () => '/orders/NONE', b: [404, 'ORDER_NOT_FOUND'] },
  {
    route: 'GET /orders/{orderNumber}/devices.csv',
    path: () => '/orders/NONE/devices.csv',
    b: [404, 'ORDER_NOT_FOUND'],
  },
  {
    route: 'POST /invalidations',
    path: () => '/invalidations',
    body: () => ({}),
    b: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  },
  {
    route: 'GET /invalidations/{documentId}/confirmation',
    path: (x) => `/invalidations/${x.confirmationId}/confirmation`,
    b: [404, 'CONFIRMATION_NOT_FOUND'],
  },
  { route: 'GET /catalog', path: () => '/catalog', b: [200] },
  { route: 'GET /devices/{deviceId}/licenses', path: (x) => `${D(x)}/licenses`, b: [200] },
  {
    route: 'GET /devices/{deviceId}/licenses/offer',
    path: (x) => `${D(x)}/licenses/offer?version=14&ports=5`,
    b: [200],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/from-balance',
    path: (x) => `${D(x)}/licenses/from-balance`,
    body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }),
    // B's own licenses next to A's would block A's V5–V7 files and moves (review of issue 11).
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/from-balance/ssa-preview',
    path: (x) => `${D(x)}/licenses/from-balance/ssa-preview`,
    body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  { route: 'GET /free-licenses', path: () => '/free-licenses', b: [200] },
  {
    route: 'GET /devices/{deviceId}/licenses/free-offer',
    path: (x) => `${D(x)}/licenses/free-offer?version=14`,
    b: [200],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/from-free',
    path: (x) => `${D(x)}/licenses/from-free`,
    body: (x) => ({ version: 14, serials: [x.freeSerial] }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /free-licenses/convert/preview',
    path: () => '/free-licenses/convert/preview',
    body: (x) => ({ licenses: [{ serial: x.freeSerial }] }),
    b: [404, 'FREE_LICENSE_NOT_FOUND'],
  },
  {
    route: 'POST /free-licenses/convert',
    path: () => '/free-licenses/convert',
    body: (x) => ({ licenses: [{ serial: x.freeSerial }] }),
    b: [404, 'FREE_LICENSE_NOT_FOUND'],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/floating',
    path: (x) => `/devices/${x.flo.deviceId}/licenses/floating`,
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'DELETE /devices/{deviceId}/licenses/floating',
    path: (x) => `/devices/${x.flo.deviceId}/licenses/floating`,
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /devices/{deviceId}/warranty/preview',
    path: (x) => `${D(x)}/warranty/preview`,
    body: () => ({ years: 1 }),
    b: [200],
  },
  {
    route: 'POST /devices/{deviceId}/warranty',
    path: (x) => `${D(x)}/warranty`,
    body: () => ({ years: 1 }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /projects/{projectId}/warranty/preview',
    path: (x) => `/projects/${x.b.projects[0]!.id}/warranty/preview`,
    body: () => ({ years: 1 }),
    b: [200],
  },
  {
    route: 'POST /projects/{projectId}/warranty',
    path: (x) => `/projects/${x.b.projects[0]!.id}/warranty`,
    body: () => ({ years: 1 }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  { route: 'GET /devices/{deviceId}/license-downloads', path: (x) => `${D(x)}/license-downloads`, b: [200] },
  {
    route: 'POST /devices/{deviceId}/license-file',
    path: (x) => `${D(x)}/license-file`,
    body: () => ({ version: 14 }),
    b: [200],
  },
  {
    route: 'POST /devices/{deviceId}/license-file',
    path: (x) => `${D(x)}/license-file`,
    body: () => ({ version: 7, acceptNonReturnable: true }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/move',
    path: (x) => `${D(x)}/licenses/move`,
    body: (x) => ({ targetDeviceId: x.bOwn.deviceId }),
    b: [403, 'LICENSES_OF_ANOTHER_COMPANY'],
  },
  {
    route: 'POST /devices/{deviceId}/licenses/move',
    path: (x) => `${D(x)}/licenses/move`,
    body: (x) => ({ targetDeviceId: x.aEmpty.deviceId }),
    b: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    route: 'POST /projects/{projectId}/ssa/move-preview',
    path: (x) => `/projects/${x.bSecond}/ssa/move-preview`,
    body: (x) => ({ deviceIds: [x.dev.deviceId] }),
    b: [200],
  },
];

describe('a second company holding the same device', () => {
  it('is tried on every route of the Devices, RMA, Licenses and Free licenses areas (checked against /openapi.json)', async () => {
    const routes = await routesOf(w.tc.app, (op) =>
      op.tags.some((t) => ['Devices', 'RMA', 'Licenses', 'Free licenses'].includes(t)),
    );
    expect(routes.length).toBeGreaterThan(30);
    expectMatrixCovers(CASES, routes, { ctx: w });
  });

  // Each answers as expected and leaves all that company A owns as it was.
  runWallsMatrix({
    cases: CASES,
    actors: { b: { name: 'company B', token: () => w.b.token } },
    app: () => w.tc.app,
    context: () => w,
    anonymous: false,
    snapshot: () => ownedByA(w),
    alsoCheck: async () => {
      const historyBefore = await historyOfA(w);
      return async () => {
        // A's history gains at most "another company requested RMA" — without B's user or reason.
        const added = (await historyOfA(w)).slice(historyBefore.length);
        for (const e of added) {
          expect(e.event).toMatch(/^device\.rma_(requested|withdrawn)$/);
          expect(e.user_id).toBeNull();
          expect(JSON.parse(e.detail)).toEqual(expect.objectContaining({ byAnotherCompany: true }));
          expect(JSON.parse(e.detail)).not.toHaveProperty('reason');
        }
        await expectConserved(w.tc, w.a.companyId);
        await expectConserved(w.tc, w.b.companyId);
      };
    },
  });
});

describe('the theft the outside attack found, replayed call by call', () => {
  it('leaves company 1 untouched: licenses where they were, the device out of RMA again, and the traces in its history', async () => {
    const { tc, a, b, dev, bOwn } = w;
    // B's placement of the device came in the world (call 1: 201 with the warning SEVERAL_COMPANIES).
    const before = await ownedByA(w);
    // 2. B requests RMA for A's device: recorded as B's request; A sees it, without B's reason.
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, b.token, { reason: 'x' }), 201);
    const seenByA = await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token));
    expect(seenByA.rma).toMatchObject({
      state: 'requested',
      reason: null,
      requests: [{ yours: false, reason: null }],
    });
    // 3. B moves A's licenses to its own device: refused, even with the right move-licenses.
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, b.token, {
        targetDeviceId: bOwn.deviceId,
      }),
      403,
      'LICENSES_OF_ANOTHER_COMPANY',
    );
    // 4. B deletes its placement: its RMA request goes with it, and A is told.
    await ok(call(tc.app, 'DELETE', `/devices/${dev.deviceId}`, b.token), 204);

    expect(await ownedByA(w)).toEqual(before);
    const seen = await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token));
    expect([seen.inRma, seen.rma, seen.licenses]).toEqual([false, null, 2]);
    const events = (await historyOfA(w))
      .filter((e) => e.device_id === dev.deviceId)
      .map((e) => [e.event, e.user_id, JSON.parse(e.detail).byAnotherCompany ?? false]);
    expect(events.slice(-2)).toEqual([
      ['device.rma_requested', null, true],
      ['device.rma_withdrawn', null, true],
    ]);
    await expectConserved(tc, a.companyId);
  });
});

describe('RMA requests per company', () => {
  it('records a request per company, each withdrawn only by its own company, and the device stays in RMA while one is left', async () => {
    const { tc, a, b, dev } = w;
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, b.token, { reason: 'b says broken' }), 201);
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, a.token, { reason: 'a says broken' }), 201);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, a.token, { reason: 'again' }),
      409,
      'RMA_STATE_INVALID',
    );
    const forA = (await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token))).rma;
    expect(forA).toMatchObject({ state: 'requested', reason: 'a says broken' });
    expect(forA.requests.map((r: { yours: boolean; reason: string | null }) => [r.yours, r.reason])).toEqual([
      [false, null],
      [true, 'a says broken'],
    ]);
    // B withdraws its own; A's stays and the device is still in RMA.
    await ok(call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, b.token));
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, b.token),
      409,
      'RMA_STATE_INVALID',
    );
    expect((await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, b.token))).rma).toMatchObject({
      state: 'requested',
      reason: null,
      requests: [{ yours: false }],
    });
    await ok(call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, a.token));
    expect((await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token))).rma).toBeNull();
  });

  it('lets only the user who asked or a company admin withdraw, and nobody once the device arrived at the vendor', async () => {
    const { tc, a, dev } = w;
    const { addMember } = await import('./keys-fixtures.js');
    const colleague = await addMember(tc, a.companyId, 'sd-colleague');
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, colleague.token, { reason: 'mine' }), 201);
    const other = await addMember(tc, a.companyId, 'sd-other');
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, other.token),
      403,
      'FORBIDDEN',
    );
    await rmaArrived(tc.core, dev.hardwareId);
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, colleague.token),
      409,
      'RMA_STATE_INVALID',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${dev.deviceId}/rma`, a.token),
      409,
      'RMA_STATE_INVALID',
    );
  });

  it('ends the RMA request a company made through project rights when the rights are revoked', async () => {
    const { tc, a, dev } = w;
    const c = await keyCompany(tc, 'sd-c');
    await grantRights(tc, a.projects[0]!.id, c.companyId);
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, c.token, { reason: 'seen broken' }), 201);
    expect((await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token))).rma).toMatchObject({
      state: 'requested',
    });
    await ok(call(tc.app, 'DELETE', `/projects/${a.projects[0]!.id}/rights/${c.companyId}`, a.token), 204);
    // Nobody could withdraw it any more: it ends with the right, and A's history says so.
    expect((await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token))).rma).toBeNull();
    const last = (await historyOfA(w)).filter((e) => e.device_id === dev.deviceId).at(-1)!;
    expect([last.event, last.user_id]).toEqual(['device.rma_withdrawn', null]);
  });

  it('lets the owner move its licenses without the right once the device arrived, whoever asked for RMA', async () => {
    const { tc, a, b, dev, aEmpty } = w;
    await ok(call(tc.app, 'POST', `/devices/${dev.deviceId}/rma`, b.token, { reason: 'x' }), 201);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, {
        targetDeviceId: aEmpty.deviceId,
      }),
      403,
      'FORBIDDEN',
    );
    await rmaArrived(tc.core, dev.hardwareId);
    // The arrival does not hand A's licenses to B.
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, b.token, {
        targetDeviceId: w.bOwn.deviceId,
      }),
      403,
      'LICENSES_OF_ANOTHER_COMPANY',
    );
    const moved = await ok(
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, {
        targetDeviceId: aEmpty.deviceId,
      }),
    );
    expect(moved.serials).toHaveLength(2);
    await expectConserved(tc, a.companyId);
  });

  it("moves only the caller's own licenses off a device that holds licenses of two companies", async () => {
    const { tc, a, b, dev, bOwn } = w;
    // Through the portal B can no longer bind next to A's licenses; the vendor's operator can (ops
    // license bind), so a device with two companies' licenses still exists.
    const mine = await bind1(
      tc,
      { userId: b.user.id, companyId: b.companyId },
      b.projects[0]!.id,
      dev.hardwareId,
      'GW-Channel',
      1,
    );
    const aBefore = (await ownedByA(w)).licenses;
    const moved = await ok(
      call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, b.token, {
        targetDeviceId: bOwn.deviceId,
      }),
    );
    expect(moved.serials).toEqual([mine.serial]);
    expect((await ownedByA(w)).licenses).toEqual(aBefore);
    // The request that the move made is B's; A sees it without the reason.
    expect((await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}`, a.token))).rma).toMatchObject({
      state: 'requested',
      reason: null,
      requests: [{ yours: false, reason: null }],
    });
    await expectConserved(tc, a.companyId);
    await expectConserved(tc, b.companyId);
  });
});
