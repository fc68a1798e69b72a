import { expect } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setRight, type UserRight } from '../../bridge/core/rights.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import type { TestCore } from '../support/core.js';
import { deviceIdentity, type DeviceIdentity } from '../bridge/fixtures.js';
import { call, ok, type KeyCompany } from './keys-fixtures.js';

/**
 * Fixtures for the licenses-on-devices API tests: devices of a catalog type placed in a company's
 * project, balance credited by the operator, rights, and a snapshot of everything a refused request
 * could have changed.
 */

let macSeq = 0x100;
/** A fresh MAC in the vendor range, as 12 hex digits. */
export const nextMac = () => `009033${(macSeq++).toString(16).toUpperCase().padStart(6, '0')}`;

export interface PlacedDevice {
  deviceId: number;
  hardwareId: string;
}

/** Places a new device of `type` in the project (as the company's user). */
export async function placeDevice(
  tc: TestCore,
  company: KeyCompany,
  type: string,
  projectId = company.projects[0]!.id,
): Promise<PlacedDevice> {
  return addKnownDevice(
    tc.core,
    { userId: company.user.id, companyId: company.companyId },
    projectId,
    nextMac(),
    type,
  );
}

/** Gives the device a certificate in the portal (as a device login would), for V8+ downloads; returns its identity. */
export async function certify(tc: TestCore, device: PlacedDevice): Promise<DeviceIdentity> {
  const identity = deviceIdentity(tc.pki.deviceCa, device.hardwareId);
  await tc.core.store.db
    .updateTable('devices')
    .set({ cert_pem: identity.certPem })
    .where('id', '=', device.deviceId)
    .execute();
  return identity;
}

export const credit = (
  tc: TestCore,
  company: KeyCompany,
  type: string,
  units: number,
  project = DEFAULT_PROJECT,
) => operatorCredit(tc.core, company.companyId, project, type, units, `fixture-${type}`);

export const grant = (tc: TestCore, userId: number, right: UserRight) =>
  setRight(tc.core, userId, right, true);

/** POST …/licenses/from-balance and the answer's JSON (201). */
export const addLicenses = (tc: TestCore, token: string, deviceId: number, body: Record<string, unknown>) =>
  ok(call(tc.app, 'POST', `/devices/${deviceId}/licenses/from-balance`, token, body), 201);

export async function boundOf(tc: TestCore, deviceId: number) {
  return tc.core.store.db
    .selectFrom('licenses')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('state', '=', 'bound')
    .orderBy('id')
    .execute();
}

export async function balanceOf(tc: TestCore, projectId: number, type: string): Promise<number> {
  const row = await tc.core.store.db
    .selectFrom('balances')
    .select('units')
    .where('project_id', '=', projectId)
    .where('license_type', '=', type)
    .executeTakeFirst();
  return row?.units ?? 0;
}

/** activated = balance + bound + free + inKeys for every type of the company (ARCHITECTURE §5). */
export async function expectConserved(tc: TestCore, companyId: number) {
  for (const c of await companyCounts(tc.core.store.db, companyId)) {
    expect(
      c.balance + c.bound + c.free + c.inKeys,
      `company ${companyId} ${c.type}: ${JSON.stringify(c)}`,
    ).toBe(c.activated);
    expect(c.balance).toBeGreaterThanOrEqual(0);
  }
}

/** Every table a license request could change. */
export async function snapshot(tc: TestCore) {
  const db = tc.core.store.db;
  return {
    balances: await db
      .selectFrom('balances')
      .selectAll()
      .orderBy('project_id')
      .orderBy('license_type')
      .execute(),
    ledger: await db.selectFrom('ledger_entries').selectAll().orderBy('id').execute(),
    licenses: await db.selectFrom('licenses').selectAll().orderBy('id').execute(),
    devices: await db.selectFrom('devices').selectAll().orderBy('id').execute(),
    history: await db
      .selectFrom('history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    credit: await db.selectFrom('credit_purchases').selectAll().orderBy('id').execute(),
  };
}

export async function historyOf(tc: TestCore, event: string) {
  const rows = await tc.core.store.db
    .selectFrom('history')
    .selectAll()
    .where('event', '=', event)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, any> }));
}
