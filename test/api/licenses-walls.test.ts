import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/errors.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, invalidationDocument, postXml } from '../bridge/fixtures.js';
import { addMember, call, grantRights, keyCompany, lockMember, ok, type KeyCompany } from './keys-fixtures.js';
import { addLicenses, certify, credit, grant, placeDevice, snapshot, type PlacedDevice } from './licenses-fixtures.js';

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
  for (const [type, units] of [['PBX-Port14', 20], ['Relay-PRI', 2], ['GW-Channel', 5], ['Warranty-1Y', 4]] as const) await credit(tc, a, type, units);
  await credit(tc, a, 'GW-Channel', 5, 'Lab');
  dev = await placeDevice(tc, a, 'IP6000');
  empty = await placeDevice(tc, a, 'IP6000');
  floating = await placeDevice(tc, a, 'IP811');
  await addLicenses(tc, a.token, dev.deviceId, { version: 14, lines: [{ type: 'PBX-Port14', units: 10 }, { type: 'Relay-PRI', units: 1 }] });
  await certify(tc, dev);
  await ok(call(tc.app, 'POST', `/devices/${floating.deviceId}/licenses/floating`, a.token), 201);
  const giver = await placeDevice(tc, a, 'IP811');
  await addLicenses(tc, a.token, giver.deviceId, { version: 14, lines: [{ type: 'PBX-Port14', units: 2 }] });
  const identity = await certify(tc, giver);
  freeSerial = (await tc.core.store.db.selectFrom('licenses').select('serial').where('device_id', '=', giver.deviceId).executeTakeFirstOrThrow()).serial;
  const doc = invalidationDocument(identity, { serials: [freeSerial], counter: 1, version: 14 });
  expect((await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, a.token)).status).toBe(200);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

interface Endpoint {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  /** What a user of another company gets; null: the endpoint shows nothing of A anyway. */
  stranger: ErrorCode | null;
  /** Whether a locked member is refused (public data is not). */
  lockable?: boolean;
}

const A0 = () => a.projects[0]!.id;
const ENDPOINTS: Endpoint[] = [
  { name: 'catalog', method: 'GET', path: () => '/catalog', stranger: null, lockable: false },
  { name: 'device licenses', method: 'GET', path: () => `/devices/${dev.deviceId}/licenses`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'offer', method: 'GET', path: () => `/devices/${dev.deviceId}/licenses/offer?version=14&ports=5`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'add from balance', method: 'POST', path: () => `/devices/${dev.deviceId}/licenses/from-balance`, body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }), stranger: 'DEVICE_NOT_FOUND' },
  {
    name: 'SSC preview of new licenses',
    method: 'POST',
    path: () => `/devices/${dev.deviceId}/licenses/from-balance/ssa-preview`,
    body: () => ({ version: 14, lines: [{ type: 'GW-Channel', units: 1 }] }),
    stranger: 'DEVICE_NOT_FOUND',
  },
  { name: 'free offer', method: 'GET', path: () => `/devices/${empty.deviceId}/licenses/free-offer?version=14`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'assign free', method: 'POST', path: () => `/devices/${empty.deviceId}/licenses/from-free`, body: () => ({ version: 14, serials: [freeSerial] }), stranger: 'DEVICE_NOT_FOUND' },
  { name: 'add floating', method: 'POST', path: () => `/devices/${empty.deviceId}/licenses/floating`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'delete floating', method: 'DELETE', path: () => `/devices/${floating.deviceId}/licenses/floating`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'device warranty preview', method: 'POST', path: () => `/devices/${dev.deviceId}/warranty/preview`, body: () => ({ years: 1 }), stranger: 'DEVICE_NOT_FOUND' },
  { name: 'device warranty', method: 'POST', path: () => `/devices/${dev.deviceId}/warranty`, body: () => ({ years: 1 }), stranger: 'DEVICE_NOT_FOUND' },
  { name: 'project warranty preview', method: 'POST', path: () => `/projects/${A0()}/warranty/preview`, body: () => ({ years: 1 }), stranger: 'PROJECT_NOT_FOUND' },
  { name: 'project warranty', method: 'POST', path: () => `/projects/${A0()}/warranty`, body: () => ({ years: 1 }), stranger: 'PROJECT_NOT_FOUND' },
  { name: 'download options', method: 'GET', path: () => `/devices/${dev.deviceId}/license-downloads`, stranger: 'DEVICE_NOT_FOUND' },
  { name: 'license file', method: 'POST', path: () => `/devices/${dev.deviceId}/license-file`, body: () => ({ version: 14 }), stranger: 'DEVICE_NOT_FOUND' },
  { name: 'move licenses', method: 'POST', path: () => `/devices/${dev.deviceId}/licenses/move`, body: () => ({ targetDeviceId: empty.deviceId }), stranger: 'DEVICE_NOT_FOUND' },
  { name: 'free licenses of A0', method: 'GET', path: () => `/free-licenses?projectId=${A0()}`, stranger: 'PROJECT_NOT_FOUND' },
  { name: 'convert preview', method: 'POST', path: () => '/free-licenses/convert/preview', body: () => ({ licenses: [{ serial: freeSerial }] }), stranger: 'FREE_LICENSE_NOT_FOUND' },
  { name: 'convert', method: 'POST', path: () => '/free-licenses/convert', body: () => ({ licenses: [{ serial: freeSerial }] }), stranger: 'FREE_LICENSE_NOT_FOUND' },
];

const send = (e: Endpoint, token?: string) => call(tc.app, e.method, e.path(), token, e.body?.());

/** `METHOD /template` of an endpoint, as /openapi.json names it. */
const routeOf = (e: Endpoint) =>
  `${e.method} ${e
    .path()
    .split('?')[0]!
    .replace(/^\/devices\/\d+/, '/devices/{deviceId}')
    .replace(/^\/projects\/\d+/, '/projects/{projectId}')}`;

describe('walls around licenses on devices', () => {
  it('cover every route of the Licenses and Free licenses areas (checked against /openapi.json)', async () => {
    const doc = (await (await tc.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags?.some((t) => t === 'Licenses' || t === 'Free licenses'))
        .map(([m]) => `${m.toUpperCase()} ${path.slice(PORTAL_API.length)}`),
    );
    expect(routes.length).toBeGreaterThan(10);
    const tried = new Set(ENDPOINTS.map(routeOf));
    expect(routes.filter((r) => !tried.has(r))).toEqual([]);
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s: anonymous 401, another company 404, locked member 403; nothing changes', async (_name, e) => {
    const before = await snapshot(tc);
    await expectError(await send(e), 401, 'UNAUTHENTICATED');
    if (e.stranger) await expectError(await send(e, b.token), 404, e.stranger);
    if (e.lockable !== false) await expectError(await send(e, locked), 403, 'USER_LOCKED');
    expect(await snapshot(tc)).toEqual(before);
  });

  it('a company with rights on the project may not share balance into it, nor move licenses out of its company', async () => {
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, c.token, { version: 14, lines: [{ type: 'GW-Channel', units: 1 }], drawFrom: [a.projects[1]!.id] }),
      403,
      'FORBIDDEN',
    );
    await grant(tc, c.user.id, 'move-licenses');
    const own = await placeDevice(tc, c, 'IP6000');
    const afterPlace = await snapshot(tc);
    await expectError(await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, c.token, { targetDeviceId: own.deviceId }), 403, 'FORBIDDEN');
    expect(await snapshot(tc)).toEqual(afterPlace);
    expect(before.licenses).toEqual(afterPlace.licenses);
  });

  it('without the right: no buying on credit, no moving licenses of a device that is not in RMA', async () => {
    const before = await snapshot(tc);
    await expectError(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, a.token, { version: 14, lines: [{ type: 'Relay-PRI', units: 3 }], onCredit: { orderNumber: 'X-1' } }),
      403,
      'FORBIDDEN',
    );
    await expectError(await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, { targetDeviceId: empty.deviceId }), 403, 'FORBIDDEN');
    await expectError(await call(tc.app, 'POST', '/free-licenses/convert', a.token, { licenses: [{ serial: freeSerial }], onCredit: { orderNumber: 'X-2' } }), 403, 'FORBIDDEN');
    expect(await snapshot(tc)).toEqual(before);
  });

  it('never moves licenses to a device of another company, even with the right', async () => {
    await grant(tc, a.user.id, 'move-licenses');
    const theirs = await placeDevice(tc, b, 'IP6000');
    const before = await snapshot(tc);
    await expectError(await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/move`, a.token, { targetDeviceId: theirs.deviceId }), 404, 'DEVICE_NOT_FOUND');
    expect(await snapshot(tc)).toEqual(before);
  });

  it('answers a malformed device id like a missing device', async () => {
    await expectError(await call(tc.app, 'GET', '/devices/abc/licenses', a.token), 404, 'NOT_FOUND');
    await expectError(await call(tc.app, 'GET', '/devices/999999/licenses', a.token), 404, 'DEVICE_NOT_FOUND');
  });
});
