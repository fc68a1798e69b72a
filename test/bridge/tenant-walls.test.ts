import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { addDevice } from '../../bridge/core/devices/index.js';
import { addKnownDevice, registerAsVendor } from '../support/vendor-devices.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/index.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { openConfirmation } from '../../protocol/documents/index.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  countRows,
  countsOf,
  DEVICE_TYPE,
  deviceRow,
  expectError,
  expectOk,
  get,
  invalidationDocument,
  licenseRow,
  loginDevice,
  loginPortal,
  loginRequest,
  makeTenant,
  PORT_TYPE,
  postJson,
  postLogin,
  postXml,
  type Tenant,
} from './fixtures.js';

/**
 * Tenant walls (bridge/core/access.ts): two companies A and B, each with its own user, device and
 * licenses. Nothing of A is reachable with B's credentials, on any route of bridge/http, and what a
 * refused request would have touched stays as it was.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let pki: Pki;
let coreNo = 0;
let tc: TestCore;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  root = await tempDir('mylic-tenant-walls-');
  pki = await loadOrCreateDevPki(join(root.dir, 'pki'));
});
afterAll(async () => {
  await root.cleanup();
});
beforeEach(async () => {
  tc = await makeTestCore(join(root.dir, `core-${++coreNo}`), pki);
  a = await makeTenant(tc, { name: 'alice', mac: '00-90-33-0A-00-01' });
  b = await makeTenant(tc, { name: 'bob', mac: '00-90-33-0B-00-01' });
});
afterEach(async () => {
  await tc.close();
});

const PORTAL_INVALIDATIONS = `${PORTAL_API}/invalidations`;
const confirmationPath = (documentId: string) => `${PORTAL_API}/invalidations/${documentId}/confirmation`;

/** Everything of A a refused request could have changed. */
async function stateOfA() {
  return {
    counts: await countsOf(tc, a.companyId),
    port: await licenseRow(tc, a.port.serial),
    gw: await licenseRow(tc, a.gw.serial),
    device: await deviceRow(tc, a.device.deviceId),
    invalidations: await tc.core.store.db
      .selectFrom('invalidations')
      .selectAll()
      .where('device_id', '=', a.device.deviceId)
      .execute(),
  };
}

const lock = (userId: number, companyId: number) =>
  tc.core.store.db
    .updateTable('memberships')
    .set({ is_locked: 1 })
    .where('user_id', '=', userId)
    .where('company_id', '=', companyId)
    .execute();

describe('device routes', () => {
  it('does not let a user of B log a device of A in (403 DEVICE_NOT_IN_PROJECTS)', async () => {
    const before = await stateOfA();
    await expectError(
      await postLogin(tc.app, await loginRequest(tc.app, b.user, a.device)),
      403,
      'DEVICE_NOT_IN_PROJECTS',
    );
    expect(await stateOfA()).toEqual(before);
    expect(before.device.cert_pem).toBeNull();
    expect(await countRows(tc, 'sessions')).toBe(0);
  });

  it("does not let a device session of B send A's invalidation document, nor return A's licenses by serial", async () => {
    const tokenB = await loginDevice(tc.app, b.user, b.device);
    const before = await stateOfA();
    const docOfA = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(
      await postXml(tc.app, `${DEVICE_API}/invalidations`, docOfA.xml, tokenB),
      400,
      'DOC_HARDWARE_MISMATCH',
    );
    expect(await stateOfA()).toEqual(before);

    // B's own, genuine document naming A's serial: the serial is rejected, A keeps its license.
    const docOfB = invalidationDocument(b.device, { serials: [a.port.serial, b.port.serial], counter: 1 });
    const confirmation = openConfirmation(
      await (await expectOk(await postXml(tc.app, `${DEVICE_API}/invalidations`, docOfB.xml, tokenB))).text(),
      pki.licenseAuthority.certPem,
    );
    expect(confirmation.accepted).toEqual([b.port.serial]);
    expect(confirmation.rejected).toEqual([{ serial: a.port.serial, reason: 'not bound to this device' }]);
    expect(await stateOfA()).toEqual(before);
    expect((await countsOf(tc, b.companyId))[PORT_TYPE]).toMatchObject({ bound: 0, free: 4 });
  });

  it("shows a device session of B only B's device and its licenses", async () => {
    const tokenB = await loginDevice(tc.app, b.user, b.device);
    const body = (await (await expectOk(await get(tc.app, `${DEVICE_API}/licenses`, tokenB))).json()) as {
      hardwareId: string;
      licenses: { serial: string }[];
    };
    expect(body.hardwareId).toBe(b.device.hardwareId);
    expect(body.licenses.map((l) => l.serial).sort()).toEqual([b.port.serial, b.gw.serial].sort());
  });
});

describe('portal routes', () => {
  it("does not let B upload A's invalidation document (403 DEVICE_NOT_IN_PROJECTS) and leaves A's counts alone", async () => {
    const portalB = await loginPortal(tc.app, b.user);
    const before = await stateOfA();
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(
      await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalB),
      403,
      'DEVICE_NOT_IN_PROJECTS',
    );
    expect(await stateOfA()).toEqual(before);
    expect(before.counts[PORT_TYPE]).toMatchObject({ balance: 6, bound: 4, free: 0 });
    expect((await countsOf(tc, b.companyId))[PORT_TYPE]).toMatchObject({
      activated: 10,
      balance: 6,
      bound: 4,
      free: 0,
    });

    // Once A has returned it, B replaying the same document learns nothing either: still 403.
    const portalA = await loginPortal(tc.app, a.user);
    await expectOk(await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalA));
    const afterA = await stateOfA();
    await expectError(
      await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalB),
      403,
      'DEVICE_NOT_IN_PROJECTS',
    );
    expect(await stateOfA()).toEqual(afterA);
  });

  it('lets A download its confirmation again (same bytes) and answers B 404 CONFIRMATION_NOT_FOUND', async () => {
    const portalA = await loginPortal(tc.app, a.user);
    const portalB = await loginPortal(tc.app, b.user);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const upload = await expectOk(await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalA));
    expect(upload.headers.get('x-mylic-replay')).toBe('0');
    expect(upload.headers.get('x-mylic-document-id')).toBe(doc.documentId);
    const confirmation = await upload.text();
    expect(openConfirmation(confirmation, pki.licenseAuthority.certPem).accepted).toEqual([a.port.serial]);

    const again = await expectOk(await get(tc.app, confirmationPath(doc.documentId), portalA));
    expect(await again.text()).toBe(confirmation);
    expect(again.headers.get('content-disposition')).toContain(`confirmation-${doc.documentId}.xml`);

    // B gets exactly what an unknown or invalid id gets: nothing to tell them apart.
    const forB = await expectError(
      await get(tc.app, confirmationPath(doc.documentId), portalB),
      404,
      'CONFIRMATION_NOT_FOUND',
    );
    const unknown = await expectError(
      await get(tc.app, confirmationPath(randomUUID()), portalB),
      404,
      'CONFIRMATION_NOT_FOUND',
    );
    const invalid = await expectError(
      await get(tc.app, confirmationPath('not-a-uuid'), portalB),
      404,
      'CONFIRMATION_NOT_FOUND',
    );
    expect(forB).toEqual(unknown);
    expect(forB).toEqual(invalid);
  });

  it('ends the session on DELETE /api/v1/session: the token is then 401', async () => {
    const portalA = await loginPortal(tc.app, a.user);
    const other = await loginPortal(tc.app, a.user);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const res = await tc.app.request(`${PORTAL_API}/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${portalA}` },
    });
    expect(res.status).toBe(204);
    await expectError(await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalA), 401, 'UNAUTHENTICATED');
    await expectError(await get(tc.app, confirmationPath(doc.documentId), portalA), 401, 'UNAUTHENTICATED');
    const again = await tc.app.request(`${PORTAL_API}/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${portalA}` },
    });
    await expectError(again, 401, 'UNAUTHENTICATED');
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    // Only that session ended: another one of the same user still works.
    await expectOk(await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, other));
  });

  it('refuses DELETE /api/v1/session without a token and with a device token (401)', async () => {
    await expectError(
      await tc.app.request(`${PORTAL_API}/session`, { method: 'DELETE' }),
      401,
      'UNAUTHENTICATED',
    );
    const device = await loginDevice(tc.app, a.user, a.device);
    await expectError(
      await tc.app.request(`${PORTAL_API}/session`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${device}` },
      }),
      401,
      'UNAUTHENTICATED',
    );
    await expectOk(await get(tc.app, `${DEVICE_API}/licenses`, device));
  });

  it('answers a portal login of B with a session that reaches nothing of A', async () => {
    const res = await expectOk(
      await postJson(tc.app, `${PORTAL_API}/session`, { email: b.user.email, password: b.user.password }),
      201,
    );
    const { token } = (await res.json()) as { token: string };
    await expectError(await get(tc.app, `${DEVICE_API}/licenses`, token), 401, 'UNAUTHENTICATED');
  });
});

describe('a user locked in A', () => {
  it('loses every way into A: device login, device session, portal upload, confirmation, core services', async () => {
    const deviceToken = await loginDevice(tc.app, a.user, a.device);
    const portalA = await loginPortal(tc.app, a.user);
    const done = invalidationDocument(a.device, { serials: [a.gw.serial], counter: 1 });
    await expectOk(await postXml(tc.app, PORTAL_INVALIDATIONS, done.xml, portalA));

    await lock(a.user.id, a.companyId);
    // A device the vendor registered, so only the lock can refuse adding it.
    await registerAsVendor(tc.core, DEVICE_TYPE, '0A0009');
    const before = await stateOfA();

    // The device protocol says USER_LOCKED too (issue 11: the same answer on every route), not that the
    // device is in none of the user's projects.
    await expectError(
      await postLogin(tc.app, await loginRequest(tc.app, a.user, a.device)),
      403,
      'USER_LOCKED',
    );
    await expectError(await get(tc.app, `${DEVICE_API}/licenses`, deviceToken), 403, 'USER_LOCKED');
    await expectError(
      await postJson(tc.app, `${DEVICE_API}/license-file`, { version: 7 }, deviceToken),
      403,
      'USER_LOCKED',
    );
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 2 });
    await expectError(
      await postXml(tc.app, `${DEVICE_API}/invalidations`, doc.xml, deviceToken),
      403,
      'USER_LOCKED',
    );
    // The portal answers a member locked in the session's company USER_LOCKED on every route (issue 11).
    await expectError(await postXml(tc.app, PORTAL_INVALIDATIONS, doc.xml, portalA), 403, 'USER_LOCKED');
    await expectError(await get(tc.app, confirmationPath(done.documentId), portalA), 403, 'USER_LOCKED');

    await expect(
      bindFromBalance(tc.core, a.actor, {
        projectId: a.projectId,
        hardwareId: a.device.hardwareId,
        licenseType: PORT_TYPE,
        units: 1,
      }),
    ).rejects.toMatchObject({
      code: 'USER_LOCKED',
    });
    await expect(addDevice(tc.core, a.actor, a.projectId, '0A0009')).rejects.toMatchObject({
      code: 'USER_LOCKED',
    });

    expect(await stateOfA()).toEqual(before);
    expect(before.port.downloaded_unencrypted).toBe(0);
    expect(before.counts[PORT_TYPE]).toMatchObject({ balance: 6, bound: 4, free: 0 });
  });
});

describe('core services', () => {
  it("answer B's user in A's project with PROJECT_NOT_FOUND, like a project that does not exist", async () => {
    // A device the vendor registered, so only the wall can refuse adding it.
    await registerAsVendor(tc.core, DEVICE_TYPE, '0B0009');
    const before = await stateOfA();
    const devices = await countRows(tc, 'devices');
    await expect(
      bindFromBalance(tc.core, b.actor, {
        projectId: a.projectId,
        hardwareId: a.device.hardwareId,
        licenseType: PORT_TYPE,
        units: 1,
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await expect(
      bindFromBalance(tc.core, b.actor, {
        projectId: a.projectId,
        hardwareId: b.device.hardwareId,
        licenseType: PORT_TYPE,
        units: 1,
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await expect(addDevice(tc.core, b.actor, a.projectId, '0B0009')).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    await expect(addDevice(tc.core, b.actor, 999_999, '0B0009')).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    expect(await stateOfA()).toEqual(before);
    expect(await countRows(tc, 'devices')).toBe(devices);
  });

  it("do not let B bind licenses from B's own balance to A's device (DEVICE_NOT_IN_PROJECTS)", async () => {
    const beforeB = await countsOf(tc, b.companyId);
    await expect(
      bindFromBalance(tc.core, b.actor, {
        projectId: b.projectId,
        hardwareId: a.device.hardwareId,
        licenseType: PORT_TYPE,
        units: 1,
      }),
    ).rejects.toMatchObject({ code: 'DEVICE_NOT_IN_PROJECTS' });
    expect(await countsOf(tc, b.companyId)).toEqual(beforeB);
  });
});

describe('a user in two companies', () => {
  it("binds licenses in the second company's project to a device placed in both companies", async () => {
    // Seed (Company → Users): "A user can be member of several companies"; (Errors → Several
    // Companies): a device already in another company can still be added. Alice opens a second
    // company and places her device there too; binding from that company's balance must work.
    const second = await createCompany(tc.core, a.user.id, 'Second company of alice');
    await operatorCredit(tc.core, second.companyId, 'DEFAULT', PORT_TYPE, 5, 'fixture-second');
    await addKnownDevice(tc.core, a.actor, second.defaultProjectId, a.device.hardwareId, DEVICE_TYPE);
    const bound = await bindFromBalance(tc.core, a.actor, {
      projectId: second.defaultProjectId,
      hardwareId: a.device.hardwareId,
      licenseType: PORT_TYPE,
      units: 2,
    });
    expect(await licenseRow(tc, bound.serial)).toMatchObject({
      state: 'bound',
      project_id: second.defaultProjectId,
      device_id: a.device.deviceId,
    });
    expect((await countsOf(tc, second.companyId))[PORT_TYPE]).toMatchObject({
      activated: 5,
      balance: 3,
      bound: 2,
      free: 0,
    });
  });
});

describe('a device placed in two companies', () => {
  it("keeps every company's units whole when one company's user returns licenses another company paid for", async () => {
    // Seed (Errors → Several Companies): B may add a device that is already in A, and then binds
    // licenses from B's balance to it. When A's user later invalidates them from the device, the
    // units B paid for must not end up in A's free pool: each company's ledger must still add up
    // (ARCHITECTURE §5; bridge/core/ledger-report.ts: activated = balance + bound + free).
    await addKnownDevice(tc.core, b.actor, b.projectId, a.device.hardwareId, DEVICE_TYPE);
    const paidByB = await bindFromBalance(tc.core, b.actor, {
      projectId: b.projectId,
      hardwareId: a.device.hardwareId,
      licenseType: PORT_TYPE,
      units: 2,
    });
    const aBefore = await countsOf(tc, a.companyId);

    const token = await loginDevice(tc.app, a.user, a.device);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial, paidByB.serial], counter: 1 });
    await expectOk(await postXml(tc.app, `${DEVICE_API}/invalidations`, doc.xml, token));

    for (const companyId of [a.companyId, b.companyId]) {
      for (const c of Object.values(await countsOf(tc, companyId))) {
        expect(
          c.balance + c.bound + c.free,
          `company ${companyId} ${c.type}: balance + bound + free must equal activated (${JSON.stringify(c)})`,
        ).toBe(c.activated);
      }
    }
    // A gets back what A paid for (4 units), not B's 2 units on top.
    expect((await countsOf(tc, a.companyId))[PORT_TYPE]).toEqual({
      ...aBefore[PORT_TYPE]!,
      bound: 0,
      free: 4,
    });
    // B sees its licenses come back in its own history, without A's user.
    const toB = await tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .where('company_id', '=', b.companyId)
      .where('event', '=', 'license.invalidated')
      .execute();
    expect(
      toB.map((e) => [e.user_id, JSON.parse(e.detail).accepted, JSON.parse(e.detail).byAnotherCompany]),
    ).toEqual([[null, [paidByB.serial], true]]);
  });
});
