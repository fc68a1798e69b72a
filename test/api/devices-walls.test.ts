import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrder } from '../../bridge/core/devices/index.js';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, loginPortal, makeTenant, makeUser, type Tenant } from '../bridge/fixtures.js';
import { snapshotDatabase, type DbSnapshot } from '../support/db-snapshot.js';
import { call as apiCall, ok } from '../support/api-client.js';
import {
  actorsOf,
  expectMatrixCovers,
  routesOf,
  runWallsMatrix,
  type Outcome,
  type WallsCase,
} from '../support/walls.js';
import { known, registerAsVendor } from '../support/vendor-devices.js';

/**
 * Walls of the devices, RMA and search endpoints. Every endpoint is tried as: anonymous (and with a bad
 * token), a user of another company (dave: what belongs to A answers "not found", exactly like what does
 * not exist), a user locked in the company (carol: USER_LOCKED), a user of a company with rights on
 * A's project "Shared" (erin: may not remove or move devices out of it: FORBIDDEN) and a user without
 * the right to check foreign devices (bob: FORBIDDEN). Each refusal leaves the whole database as it was.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: Tenant;
let dave: Tenant;
let erin: Tenant;
const tokens: Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin', string> = {
  alice: '',
  bob: '',
  carol: '',
  dave: '',
  erin: '',
};
let ids: Ids;
let before: Snapshot;

interface Ids {
  pA: number;
  shared: number;
  second: number;
  /** alice's fixture device, in DEFAULT. */
  devA: number;
  /** A device in A's project "Shared". */
  devShared: number;
  /** dave's own device. */
  devB: number;
}

type Snapshot = DbSnapshot;
const snapshot = (): Promise<Snapshot> => snapshotDatabase(tc);

const call = (method: string, path: string, token?: string, body?: unknown) =>
  apiCall(tc.app, method, path, token, body);

beforeAll(async () => {
  root = await tempDir('mylic-devices-walls-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  a = await makeTenant(tc, { name: 'alice', mac: '00-90-33-0A-00-01' });
  dave = await makeTenant(tc, { name: 'dave', mac: '00-90-33-0D-00-01' });
  erin = await makeTenant(tc, { name: 'erin', mac: '00-90-33-0E-00-01' });
  tokens.alice = await loginPortal(tc.app, a.user);
  tokens.dave = await loginPortal(tc.app, dave.user);
  tokens.erin = await loginPortal(tc.app, erin.user);
  const bob = await makeUser(tc, 'bob@example.test');
  const carol = await makeUser(tc, 'carol@example.test');
  await ok(call('POST', '/company/users', tokens.alice, { email: bob.email }), 201);
  await ok(call('POST', '/company/users', tokens.alice, { email: carol.email }), 201);
  tokens.bob = await loginPortal(tc.app, bob);
  tokens.carol = await loginPortal(tc.app, carol);
  await ok(call('PATCH', `/company/users/${carol.id}`, tokens.alice, { locked: true }));
  const shared = await ok(call('POST', '/projects', tokens.alice, { name: 'Shared' }), 201);
  const second = await ok(call('POST', '/projects', tokens.alice, { name: 'Second' }), 201);
  await ok(call('POST', `/projects/${shared.id}/rights`, tokens.alice, { companyId: erin.companyId }), 201);
  const devShared = await ok(
    call(
      'POST',
      '/devices',
      tokens.alice,
      await known(tc.core, {
        device: '00-90-33-0A-00-02',
        type: 'IP811',
        projectId: shared.id,
      }),
    ),
    201,
  );
  await ok(call('PATCH', `/devices/${devShared.deviceId}`, tokens.alice, { name: 'Lobby phone' }));
  // Known to the vendor's device database, so only the walls refuse adding them below.
  await registerAsVendor(
    tc.core,
    'IP811',
    '00-90-33-0A-00-09',
    '00-90-33-0A-01-00',
    '00-90-33-0A-01-01',
    '00-90-33-0A-01-02',
    '00-90-33-0A-01-03',
  );
  await registerOrder(tc.core, {
    orderNumber: 'ORD-A',
    companyId: a.companyId,
    devices: [{ device: '00-90-33-0A-00-03', type: 'IP222' }],
  });
  ids = {
    pA: a.projectId,
    shared: shared.id,
    second: second.id,
    devA: a.device.deviceId,
    devShared: devShared.deviceId,
    devB: dave.device.deviceId,
  };
  before = await snapshot();
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Refusal = Outcome;
const LOCKED: Refusal = [403, 'USER_LOCKED'];
const FORBIDDEN: Refusal = [403, 'FORBIDDEN'];
const NO_DEVICE: Refusal = [404, 'DEVICE_NOT_FOUND'];
const NO_PROJECT: Refusal = [404, 'PROJECT_NOT_FOUND'];
const NO_ORDER: Refusal = [404, 'ORDER_NOT_FOUND'];

interface Case extends WallsCase<never, Ids> {
  /** dave, of company B. */
  other?: Refusal;
  /** carol, locked in A. */
  locked?: Refusal;
  /** erin, of company C with rights on A's "Shared". */
  external?: Refusal;
  /** bob, member of A without the right check-foreign-device. */
  noRight?: Refusal;
}

const CASES: Case[] = [
  { route: 'GET /devices', path: (i) => `/devices?projectId=${i.pA}`, other: NO_PROJECT, locked: LOCKED },
  {
    route: 'POST /devices',
    path: () => '/devices',
    body: (i) => ({ device: '00-90-33-0A-00-09', projectId: i.pA }),
    other: NO_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'POST /devices/range',
    path: () => '/devices/range',
    body: (i) => ({ from: '00-90-33-0A-01-00', to: '00-90-33-0A-01-03', projectId: i.pA }),
    other: NO_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'POST /devices/file',
    path: () => '/devices/file',
    body: (i) => ({ text: '00-90-33-0A-01-00\n00-90-33-0A-01-01', projectId: i.pA }),
    other: NO_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'POST /devices/order',
    path: () => '/devices/order',
    body: (i) => ({ orderNumber: 'ORD-A', projectId: i.pA }),
    other: NO_ORDER,
    locked: LOCKED,
  },
  {
    route: 'POST /devices/move',
    path: () => '/devices/move',
    body: (i) => ({ deviceIds: [i.devA], projectId: i.second }),
    other: NO_PROJECT,
    locked: LOCKED,
  },
  // erin may not move a device out of the project her company has rights on (nor into it).
  {
    route: 'POST /devices/move',
    path: () => '/devices/move',
    body: (i) => ({ deviceIds: [i.devShared], projectId: i.shared }),
    external: FORBIDDEN,
  },
  {
    route: 'POST /devices/remove',
    path: () => '/devices/remove',
    body: (i) => ({ deviceIds: [i.devShared] }),
    other: NO_DEVICE,
    locked: LOCKED,
    external: FORBIDDEN,
  },
  {
    route: 'GET /devices/{deviceId}',
    path: (i) => `/devices/${i.devA}`,
    other: NO_DEVICE,
    locked: LOCKED,
    external: NO_DEVICE,
  },
  {
    route: 'PATCH /devices/{deviceId}',
    path: (i) => `/devices/${i.devShared}`,
    body: () => ({ comment: 'taken over' }),
    other: NO_DEVICE,
    locked: LOCKED,
  },
  {
    route: 'DELETE /devices/{deviceId}',
    path: (i) => `/devices/${i.devShared}`,
    other: NO_DEVICE,
    locked: LOCKED,
    external: FORBIDDEN,
  },
  {
    route: 'POST /devices/{deviceId}/rma',
    path: (i) => `/devices/${i.devA}/rma`,
    body: () => ({ reason: 'broken' }),
    other: NO_DEVICE,
    locked: LOCKED,
    external: NO_DEVICE,
  },
  {
    route: 'DELETE /devices/{deviceId}/rma',
    path: (i) => `/devices/${i.devA}/rma`,
    other: NO_DEVICE,
    locked: LOCKED,
    external: NO_DEVICE,
  },
  { route: 'GET /rma', path: () => '/rma?state=active', locked: LOCKED },
  {
    route: 'GET /device-status',
    path: () => '/device-status?device=00-90-33-0A-00-01',
    other: FORBIDDEN,
    locked: LOCKED,
    noRight: FORBIDDEN,
    external: FORBIDDEN,
  },
  {
    route: 'GET /orders/{orderNumber}',
    path: () => '/orders/ORD-A',
    other: NO_ORDER,
    locked: LOCKED,
    external: NO_ORDER,
  },
  {
    route: 'GET /orders/{orderNumber}/devices.csv',
    path: () => '/orders/ORD-A/devices.csv',
    other: NO_ORDER,
    locked: LOCKED,
    external: NO_ORDER,
  },
  { route: 'GET /search', path: () => '/search?q=lobby', locked: LOCKED },
];

const ACTORS = { other: 'dave', locked: 'carol', external: 'erin', noRight: 'bob' } as const;

describe('every devices, RMA and search endpoint', () => {
  it('is in the matrix below (checked against /openapi.json)', async () => {
    // The paths of this area (devices-routes.ts, search-routes.ts); other areas hang routes under a device too.
    const mine =
      /^\/(devices(\/(range|file|order|move|remove|\{deviceId\}(\/rma)?))?|device-status|orders\/.*|rma|search)$/;
    expectMatrixCovers(CASES, await routesOf(tc.app, (op) => mine.test(op.path)), {
      exactly: true,
      ctx: ids,
    });
  });
});

runWallsMatrix({
  cases: CASES,
  actors: actorsOf(ACTORS, tokens),
  app: () => tc.app,
  context: () => ids,
  snapshot,
  baseline: () => before,
});

describe('no probing across the wall', () => {
  it("answers another company's device exactly like a device that does not exist", async () => {
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { comment: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/rma', { reason: 'x' }],
      ['DELETE', '/rma', undefined],
    ] as const) {
      const theirs = await expectError(
        await call(method, `/devices/${ids.devA}${suffix}`, tokens.dave, body),
        404,
        'DEVICE_NOT_FOUND',
      );
      const none = await expectError(
        await call(method, `/devices/999999${suffix}`, tokens.dave, body),
        404,
        'DEVICE_NOT_FOUND',
      );
      expect(theirs).toEqual(none);
    }
    const theirs = await expectError(
      await call('POST', '/devices/move', tokens.dave, { deviceIds: [ids.devA], projectId: dave.projectId }),
      404,
      'DEVICE_NOT_FOUND',
    );
    const none = await expectError(
      await call('POST', '/devices/move', tokens.dave, { deviceIds: [999999], projectId: dave.projectId }),
      404,
      'DEVICE_NOT_FOUND',
    );
    expect(theirs).toEqual(none);
    expect(await snapshot()).toEqual(before);
  });

  it("shows B nothing of A in lists and search, and erin only A's granted project", async () => {
    const list = await ok(call('GET', '/devices', tokens.dave));
    expect(list.devices.map((d: { id: number }) => d.id)).toEqual([ids.devB]);
    const s = await ok(call('GET', '/search?q=lobby', tokens.dave));
    expect([s.devices, s.projects]).toEqual([[], []]);
    expect((await ok(call('GET', '/search?q=00-90-33-0A', tokens.dave))).devices).toEqual([]);
    expect(
      (await ok(call('GET', '/search?q=PBX-Port13', tokens.dave))).licenses.devices.map(
        (d: { id: number }) => d.id,
      ),
    ).toEqual([ids.devB]);
    expect((await ok(call('GET', '/rma?state=active', tokens.dave))).devices).toEqual([]);
    const erins = await ok(call('GET', '/devices', tokens.erin));
    expect(erins.devices.map((d: { id: number; external: boolean }) => [d.id, d.external])).toEqual([
      [erin.device.deviceId, false],
      [ids.devShared, true],
    ]);
    expect(
      (await ok(call('GET', '/search?q=00-90-33-0A', tokens.erin))).devices.map((d: { id: number }) => d.id),
    ).toEqual([ids.devShared]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('what users with rights on a project may do', () => {
  // Last: these change the database.
  it('erin adds devices to the granted project, names them and requests RMA, but never removes them', async () => {
    const added = await ok(
      call(
        'POST',
        '/devices',
        tokens.erin,
        await known(tc.core, {
          device: '00-90-33-0A-00-0E',
          type: 'IP222',
          projectId: ids.shared,
        }),
      ),
      201,
    );
    expect((await ok(call('GET', `/devices/${added.deviceId}`, tokens.erin))).companyId).toBe(a.companyId);
    expect(
      await ok(call('PATCH', `/devices/${ids.devShared}`, tokens.erin, { comment: 'checked by erin' })),
    ).toMatchObject({ external: true, comment: 'checked by erin' });
    expect(
      await ok(call('POST', `/devices/${ids.devShared}/rma`, tokens.erin, { reason: 'display dead' }), 201),
    ).toMatchObject({ state: 'requested' });
    await expectError(await call('DELETE', `/devices/${added.deviceId}`, tokens.erin), 403, 'FORBIDDEN');
    // alice, the owner, may remove what erin added.
    await ok(call('DELETE', `/devices/${added.deviceId}`, tokens.alice), 204);
  });
});
