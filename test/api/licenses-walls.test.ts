import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import {
  addMember,
  call,
  grantRights,
  keyCompany,
  lockMember,
  ok,
  type KeyCompany,
} from './keys-fixtures.js';
import {
  addLicenses,
  certify,
  credit,
  grant,
  placeDevice,
  snapshot,
  type PlacedDevice,
} from './licenses-fixtures.js';

/**
 * Walls around every licenses-on-devices endpoint. Company A has devices with licenses, a floating
 * license, a free license in its pool and balance. Each endpoint is tried as: anonymous (401), a user
 * of company B (404: A's device, project or free license looks absent), a member of A locked after
 * logging in (403 USER_LOCKED); then the restrictions of a company with rights on A's project (C) and
 * the missing rights (403 FORBIDDEN). After every refusal nothing has changed.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: KeyCompany;
let b: KeyCompany;
let c: KeyCompany;
let locked: string;
let dev: PlacedDevice;
let empty: PlacedDevice;
let floating: PlacedDevice;
let freeSerial: string;

beforeAll(async () => {
  root = await tempDir('mylic-licenses-walls-');
  tc = await makeTestCore(root.dir);
  a = await keyCompany(tc, 'lw-a', { extraProjects: ['Lab'] });
  b = await keyCompany(tc, 'lw-b');
  c = await keyCompany(tc, 'lw-c');
  await grantRights(tc, a.projects[0]!.id, c.companyId);
  const member = await addMember(tc, a.companyId, 'lw-locked');
  await lockMember(tc, member.user.id, a.companyId);
  locked = member.token;
  for (const [type, units] of [
    ['PBX-Port14', 20],
    ['Relay-PRI', 2],
    ['GW-Channel', 5],
    ['Warranty-1Y', 4],
  ] as const)
    await credit(tc, a, type, units);
  await credit(tc, a, 'GW-Channel', 5, 'Lab');
  dev = await placeDevice(tc, a, 'IP6000');
  empty = await placeDevice(tc, a, 'IP6000');
  floating = await placeDevice(tc, a, 'IP811');
  await addLicenses(tc, a.token, dev.deviceId, {
    version: 14,
    lines: [
      { type: 'PBX-Port14', units: 10 },
      { type: 'Relay-PRI', units: 1 },
    ],
  });
  await certify(tc, dev);
  await ok(call(tc.app, 'POST', `/devices/${floating.deviceId}/licenses/floating`, a.token), 201);
  const giver = await placeDevice(tc, a, 'IP811');
  await addLicenses(tc, a.token, giver.deviceId, { version: 14, lines: [{ type: 'PBX-Port14', units: 2 }] });
  const identity = await certify(tc, giver);
  freeSerial = (
    await tc.core.store.db
      .selectFrom('licenses')
      .select('serial')
      .where('device_id', '=', giver.deviceId)
      .executeTakeFirstOrThrow()
  ).serial;
  const doc = invalidationDocument(identity, { serials: [freeSerial], counter: 1, version: 14 });
  expect((await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, a.token)).status).toBe(200);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

/**
 * `stranger`: what a user of another company gets (null: the endpoint shows nothing of A anyway);
 * `locked`: a locked member gets USER_LOCKED unless null (public data is not refused).
 */
type Endpoint = WallsCase<'stranger' | 'locked'> & { name: string; stranger: Outcome | null };

const A0 = () => a.projects[0]!.id;
const ENDPOINTS: Endpoint[] = [
  { name: 'catalog', route: 'GET /catalog', path: () => '/catalog', stranger: null, locked: null },
  {
    name: 'device licenses',
    route: 'GET /devices/{deviceId}/licenses',
    path: () => `/devices/${dev.deviceId}/licenses`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'offer',
    route: 'GET /devices/{deviceId}/licenses/offer',
    path: () => `/devices/${dev.deviceId}/licenses/offer?version=14&ports=5`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'add from balance',
    route: 'POST /devices/{deviceId}/licenses/from-balance',
    path: () => `/devices/${dev.deviceId}/licenses/from-balance`,
    body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'SSC preview of new licenses',
    route: 'POST /devices/{deviceId}/licenses/from-balance/ssa-preview',
    path: () => `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`,
    body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'free offer',
    route: 'GET /devices/{deviceId}/licenses/free-offer',
    path: () => `/devices/${empty.deviceId}/licenses/free-offer?version=14`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'assign free',
    route: 'POST /devices/{deviceId}/licenses/from-free',
    path: () => `/devices/${empty.deviceId}/licenses/from-free`,
    body: () => ({ version: 14, serials: [freeSerial] }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'add floating',
    route: 'POST /devices/{deviceId}/licenses/floating',
    path: () => `/devices/${empty.deviceId}/licenses/floating`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'delete floating',
    route: 'DELETE /devices/{deviceId}/licenses/floating',
    path: () => `/devices/${floating.deviceId}/licenses/floating`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'device warranty preview',
    route: 'POST /devices/{deviceId}/warranty/preview',
    path: () => `/devices/${dev.deviceId}/warranty/preview`,
    body: () => ({ years: 1 }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'device warranty',
    route: 'POST /devices/{deviceId}/warranty',
    path: () => `/devices/${dev.deviceId}/warranty`,
    body: () => ({ years: 1 }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'project warranty preview',
    route: 'POST /projects/{projectId}/warranty/preview',
    path: () => `/projects/${A0()}/warranty/preview`,
    body: () => ({ years: 1 }),
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    name: 'project warranty',
    route: 'POST /projects/{projectId}/warranty',
    path: () => `/projects/${A0()}/warranty`,
    body: () => ({ years: 1 }),
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    name: 'download options',
    route: 'GET /devices/{deviceId}/license-downloads',
    path: () => `/devices/${dev.deviceId}/license-downloads`,
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'license file',
    route: 'POST /devices/{deviceId}/license-file',
    path: () => `/devices/${dev.deviceId}/license-file`,
    body: () => ({ version: 14 }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'move licenses',
    route: 'POST /devices/{deviceId}/licenses/move',
    path: () => `/devices/${dev.deviceId}/licenses/move`,
    body: () => ({ targetDeviceId: empty.deviceId }),
    stranger: [404, 'DEVICE_NOT_FOUND'],
  },
  {
    name: 'free licenses of A0',
    route: 'GET /free-licenses',
    path: () => `/free-licenses?projectId=${A0()}`,
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    name: 'convert preview',
    route: 'POST /free-licenses/convert/preview',
    path: () => '/free-licenses/convert/preview',
    body: () => ({ licenses: [{ serial: freeSerial }] }),
    stranger: [404, 'FREE_LICENSE_NOT_FOUND'],
  },
  {
    name: 'convert',
    route: 'POST /free-licenses/convert',
    path: () => '/free-licenses/convert',
    body: () => ({ licenses: [{ serial: freeSerial }] }),
    stranger: [404, 'FREE_LICENSE_NOT_FOUND'],
  },
];

describe('walls around licenses on devices', () => {
  it('cover every route of the Licenses and Free licenses areas (checked against /openapi.json)', async () => {
    const routes = await routesOf(tc.app, (op) =>
      op.tags.some((t) => t === 'Licenses' || t === 'Free licenses'),
    );
    expect(routes.length).toBeGreaterThan(10);
    expectMatrixCovers(ENDPOINTS, routes);
  });

  runWallsMatrix({
    cases: ENDPOINTS,
    actors: {
      stranger: { name: 'a user of company B', token: () => b.token },
      locked: { name: 'a locked member of A', token: () => locked },
    },
    defaults: { locked: [403, 'USER_LOCKED'] },
    app: () => tc.app,
    snapshot: () => snapshot(tc),
  });

  it('a company with rights on the project may not share balance into it, nor move licenses out of its company', async () => {
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, c.token, {
        version: 14,
        lines: [{ type: 'GW-Channel', units: 1 }],
        drawFrom: [a.projects[1]!.id],
      }),
      403,
      'FORBIDDEN',
    );
    await grant(tc, c.user.id, 'move-licenses');
    const own = await placeDevice(tc, c, 'IP6000');
    const afterPlace = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, c.token, {
        targetDeviceId: own.deviceId,
      }),
      403,
      // They are A's licenses: a company acting through rights moves nothing of the owner's.
      'LICENSES_OF_ANOTHER_COMPANY',
    );
    expect(await snapshot(tc)).toEqual(afterPlace);
    expect(before.licenses).toEqual(afterPlace.licenses);
  });

  it("a company with rights on the project deletes, converts and makes non-returnable nothing of the owner's", async () => {
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'DELETE', `/devices/${floating.deviceId}/licenses/floating`, c.token),
      403,
      'LICENSES_OF_ANOTHER_COMPANY',
    );
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', c.token, { licenses: [{ serial: freeSerial }] }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, c.token, {
        version: 7,
        acceptNonReturnable: true,
      }),
      403,
      'LICENSES_OF_ANOTHER_COMPANY',
    );
    expect(await snapshot(tc)).toEqual(before);
  });

  it('without the right: no buying on credit, no moving licenses of a device that is not in RMA', async () => {
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, a.token, {
        version: 14,
        lines: [{ type: 'Relay-PRI', units: 3 }],
        onCredit: { orderNumber: 'X-1' },
      }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, {
        targetDeviceId: empty.deviceId,
      }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await call(tc.app, 'POST', '/free-licenses/convert', a.token, {
        licenses: [{ serial: freeSerial }],
        onCredit: { orderNumber: 'X-2' },
      }),
      403,
      'FORBIDDEN',
    );
    expect(await snapshot(tc)).toEqual(before);
  });

  it('never moves licenses to a device of another company, even with the right', async () => {
    await grant(tc, a.user.id, 'move-licenses');
    const theirs = await placeDevice(tc, b, 'IP6000');
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, {
        targetDeviceId: theirs.deviceId,
      }),
      404,
      'DEVICE_NOT_FOUND',
    );
    expect(await snapshot(tc)).toEqual(before);
  });

  it('answers a malformed device id like a missing device', async () => {
    await expectError(await call(tc.app, 'GET', '/devices/abc/licenses', a.token), 404, 'NOT_FOUND');
    await expectError(
      await call(tc.app, 'GET', '/devices/999999/licenses', a.token),
      404,
      'DEVICE_NOT_FOUND',
    );
  });
});
