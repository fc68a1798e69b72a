import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../bridge/core/accounts/index.js';
import { joinCompany, removeMember } from '../../bridge/core/organisation/index.js';
import { generateKeyPair } from '../../certs/index.js';
import { createCsr } from '../../certs/csr.js';
import { requestDeviceCertificate } from '../../bridge/core/devices/index.js';
import { hasRight, setRight } from '../../bridge/core/rights.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError } from '../bridge/fixtures.js';
import { call, keyCompany, lockMember, ok, type KeyCompany } from './keys-fixtures.js';
import { credit, placeDevice, type PlacedDevice } from './licenses-fixtures.js';

/**
 * Issue 15 item 12, seed L272: "A user can be member of several companies and the users rights, company
 * admin and locked status can be different for all companies, where this user is in."
 * The user rights (buy on credit, check a foreign device, move licenses, request certificate) are held
 * per membership: a right in company A does nothing in company B.
 *
 * One world: Uma, admin of company A and a member of company B (added by B's admin); Carl's company C
 * holds a device, the "foreign device" Uma may check.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let uma: KeyCompany;
let b: KeyCompany;
let carl: KeyCompany;
let devA: PlacedDevice;
let devB: PlacedDevice;
let foreign: PlacedDevice;

beforeAll(async () => {
  root = await tempDir('mylic-seed-rights-company-');
  tc = await makeTestCore(root.dir);
  uma = await keyCompany(tc, 'uma');
  b = await keyCompany(tc, 'bea');
  carl = await keyCompany(tc, 'carl');
  await ok(call(tc.app, 'POST', '/company/users', b.token, { email: uma.user.email }), 201);
  devA = await placeDevice(tc, uma, 'IP6000');
  devB = await placeDevice(tc, b, 'IP6000');
  foreign = await placeDevice(tc, carl, 'IP6000');
  await credit(tc, uma, 'Relay-PRI', 1);
  await credit(tc, b, 'Relay-PRI', 1);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

/** Uma's session with `companyId` selected. */
async function umaIn(companyId: number) {
  await ok(call(tc.app, 'PUT', '/session/company', uma.token, { companyId }));
  return uma.token;
}
const rightsRows = (userId: number) =>
  tc.core.store.db
    .selectFrom('user_rights')
    .select(['company_id', 'user_right'])
    .where('user_id', '=', userId)
    .orderBy('company_id')
    .orderBy('user_right')
    .execute();
const onCredit = {
  version: 14,
  lines: [{ type: 'Relay-PRI', units: 3 }],
  onCredit: { orderNumber: 'SO-272' },
};
const boundOn = async (deviceId: number) =>
  (
    await tc.core.store.db
      .selectFrom('licenses')
      .select('serial')
      .where('device_id', '=', deviceId)
      .where('state', '=', 'bound')
      .execute()
  ).length;

describe('L272: user rights are held per company', () => {
  it('L272: check a foreign device with the right held in A works in A, and is FORBIDDEN with B selected', async () => {
    await setRight(tc.core, uma.user.id, 'check-foreign-device', true, uma.companyId);
    expect(await rightsRows(uma.user.id)).toEqual([
      { company_id: uma.companyId, user_right: 'check-foreign-device' },
    ]);
    const path = `/device-status?device=${foreign.hardwareId}`;
    const inA = await ok(call(tc.app, 'GET', path, await umaIn(uma.companyId)));
    expect(inA).toMatchObject({ hardwareId: foreign.hardwareId, inYourCompany: false });
    await expectError(await call(tc.app, 'GET', path, await umaIn(b.companyId)), 403, 'FORBIDDEN');
  });

  it('L272: buy on credit held in A pays on credit for a device of A, not for a device of B (nothing changes in B)', async () => {
    await setRight(tc.core, uma.user.id, 'buy-on-credit', true, uma.companyId);
    const tokenB = await umaIn(b.companyId);
    await expectError(
      await call(tc.app, 'POST', `/devices/${devB.deviceId}/licenses/from-balance`, tokenB, onCredit),
      403,
      'FORBIDDEN',
    );
    expect(await boundOn(devB.deviceId)).toBe(0);
    const tokenA = await umaIn(uma.companyId);
    const r = await ok(
      call(tc.app, 'POST', `/devices/${devA.deviceId}/licenses/from-balance`, tokenA, onCredit),
      201,
    );
    expect(r.onCredit).toEqual({ orderNumber: 'SO-272', lines: [{ type: 'Relay-PRI', units: 2 }] });
    // B's admin, who holds no right at all, is refused too: the right is Uma's membership of A only.
    await expectError(
      await call(tc.app, 'POST', `/devices/${devB.deviceId}/licenses/from-balance`, b.token, onCredit),
      403,
      'FORBIDDEN',
    );
  });

  it('L272: a device logged in by Uma gets a certificate only with the right held in the company whose project holds it', async () => {
    await setRight(tc.core, uma.user.id, 'request-certificate', true, uma.companyId);
    const request = (device: PlacedDevice) =>
      requestDeviceCertificate(
        tc.core,
        { userId: uma.user.id, deviceId: device.deviceId },
        createCsr({ commonName: device.hardwareId, privateKeyPem: generateKeyPair().privateKeyPem }),
      );
    const before = await tc.core.store.db
      .selectFrom('devices')
      .select('cert_pem')
      .where('id', '=', devB.deviceId)
      .executeTakeFirstOrThrow();
    // B's device: the right Uma holds in A does nothing there, and the device keeps its certificate.
    await expect(request(devB)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await tc.core.store.db
        .selectFrom('devices')
        .select('cert_pem')
        .where('id', '=', devB.deviceId)
        .executeTakeFirstOrThrow(),
    ).toEqual(before);
    // A's device: the right held in A issues a certificate for it.
    expect(await request(devA)).toBeTruthy();
    await setRight(tc.core, uma.user.id, 'request-certificate', false, uma.companyId);
  });

  it('L272: hasRight answers per company, for all four rights, and never for a company not named', async () => {
    await setRight(tc.core, uma.user.id, 'move-licenses', true, b.companyId);
    await setRight(tc.core, uma.user.id, 'request-certificate', true, b.companyId);
    const db = tc.core.store.db;
    expect(await hasRight(db, uma.user.id, 'move-licenses', b.companyId)).toBe(true);
    expect(await hasRight(db, uma.user.id, 'move-licenses', uma.companyId)).toBe(false);
    expect(await hasRight(db, uma.user.id, 'request-certificate', b.companyId)).toBe(true);
    expect(await hasRight(db, uma.user.id, 'request-certificate', uma.companyId)).toBe(false);
    expect(await hasRight(db, uma.user.id, 'buy-on-credit', b.companyId)).toBe(false);
    expect(await hasRight(db, uma.user.id, 'check-foreign-device', b.companyId)).toBe(false);
    expect(await hasRight(db, uma.user.id, 'move-licenses', null)).toBe(false);
    expect(await hasRight(db, uma.user.id, 'move-licenses', carl.companyId)).toBe(false);
  });

  it('L272: a right cannot be given for a company the user is not a member of', async () => {
    await expect(setRight(tc.core, uma.user.id, 'buy-on-credit', true, carl.companyId)).rejects.toMatchObject(
      { code: 'COMPANY_NOT_FOUND' },
    );
    expect((await rightsRows(uma.user.id)).some((r) => r.company_id === carl.companyId)).toBe(false);
  });

  it('L272: without a company the operator gives the right in every company the user belongs to now', async () => {
    const r = await setRight(tc.core, uma.user.id, 'check-foreign-device', true);
    expect(r.companyIds.sort()).toEqual([uma.companyId, b.companyId].sort());
    const path = `/device-status?device=${foreign.hardwareId}`;
    await ok(call(tc.app, 'GET', path, await umaIn(b.companyId)));
  });

  it('L272: locked in B, the rights held in B do nothing; those in A still work', async () => {
    await lockMember(tc, uma.user.id, b.companyId);
    try {
      const db = tc.core.store.db;
      expect(await hasRight(db, uma.user.id, 'move-licenses', b.companyId)).toBe(false);
      expect(await hasRight(db, uma.user.id, 'check-foreign-device', uma.companyId)).toBe(true);
    } finally {
      await tc.core.store.db
        .updateTable('memberships')
        .set({ is_locked: 0 })
        .where('user_id', '=', uma.user.id)
        .execute();
    }
  });

  it('L272: removed from B, the user loses the rights held in B, and being added again does not bring them back', async () => {
    const bAdmin = { userId: b.user.id, companyId: b.companyId };
    await removeMember(tc.core, bAdmin, uma.user.id);
    expect((await rightsRows(uma.user.id)).filter((r) => r.company_id === b.companyId)).toEqual([]);
    await ok(call(tc.app, 'POST', '/company/users', b.token, { email: uma.user.email }), 201);
    expect(await hasRight(tc.core.store.db, uma.user.id, 'move-licenses', b.companyId)).toBe(false);
    // The session of Uma had B selected; it is back on A for the tests after this one.
    await tc.core.store.db
      .updateTable('sessions')
      .set({ company_id: uma.companyId, project_id: null })
      .where('token_hash', '=', hashToken(uma.token))
      .execute();
  });

  it('L272: a company join keeps the rights held in the joined company, now in the company joined into', async () => {
    await setRight(tc.core, uma.user.id, 'move-licenses', true, b.companyId);
    await setRight(tc.core, uma.user.id, 'check-foreign-device', true, b.companyId);
    await joinCompany(
      tc.core,
      { userId: uma.user.id, companyId: uma.companyId },
      { companyId: b.companyId, email: b.user.email, password: b.user.password },
    );
    expect(await rightsRows(uma.user.id)).toEqual([
      { company_id: uma.companyId, user_right: 'buy-on-credit' },
      { company_id: uma.companyId, user_right: 'check-foreign-device' },
      { company_id: uma.companyId, user_right: 'move-licenses' },
    ]);
  });
});
