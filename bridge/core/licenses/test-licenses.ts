import { randomBytes, randomUUID } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import { encodeLicenseFile } from '../../../protocol/documents/index.js';
import type { LicenseEntry } from '../../../protocol/documents/payloads.js';
import { catalog, downloadableVersions } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { operatorSettings } from '../settings.js';
import type { Device } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import {
  actorDevice,
  boundLicenses,
  certificateMissing,
  deviceForActor,
  fileEntry,
  toDeviceLicense,
} from './device-licenses.js';
import { recordHistory } from '../history.js';

/**
 * Test licenses (seed: Download test licenses: "which version, whether the device is used as slave
 * and if not, how many pbx licenses"). They touch no balance. Our rules, from the issue: V5 has none;
 * since V11 a test license lasts 3 months and a device gets one (one in all its V11+ versions, not one
 * per version: a device that had its V12 test does not get another for V13); for V6–V10 it lasts 30
 * days and can be fetched again. For V8+ the file also carries the device's real licenses for that
 * version (it replaces the installed file); a V6/V7 test file holds only the test license, so that a
 * test never makes real licenses non-returnable by an unencrypted download.
 */
export interface TestLicenseRequest {
  version: number;
  slave: boolean;
  pbx: number;
}

const addMonths = (isoDate: string, months: number) => {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};
const addDays = (isoDate: string, days: number) =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export async function issueTestLicenseFile(core: Core, actor: Actor, req: TestLicenseRequest) {
  assertTestRequest(req);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await actorDevice(core, actor, tx);
    return issueTestIn(core, tx, at, device, placement, actor.userId, req);
  });
}

/**
 * Test licenses from the portal's device page (issue 15 item 4; seed L209–211 "You can also download
 * test licenses … which version you want to use, whether the device is used as slave and if not used
 * as slave, how many pbx licenses"): the same rules as the device's own request, for a device of the
 * user's projects, without a device log-in (V8+ files go to the certificate on record).
 */
export async function issueTestLicenseFileForPortal(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: TestLicenseRequest,
) {
  assertTestRequest(req);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await deviceForActor(tx, actor, deviceId);
    const r = await issueTestIn(core, tx, at, device, placement, actor.userId, req);
    return { ...r, hardwareId: device.hardware_id };
  });
}

function assertTestRequest(req: TestLicenseRequest) {
  if (!catalog.isVersion(req.version)) throw new MylicError('VERSION_INVALID');
  if (req.version === 5) throw new MylicError('VERSION_NOT_AVAILABLE', 'There are no test licenses for V5.');
  if (!req.slave && (!Number.isInteger(req.pbx) || req.pbx < 1 || req.pbx > 1000))
    throw new MylicError('AMOUNT_INVALID', 'The number of PBX test licenses must be 1 to 1000.');
}

async function issueTestIn(
  core: Core,
  tx: Tx,
  at: string,
  device: Device,
  placement: { companyId: number; projectId: number },
  userId: number,
  req: TestLicenseRequest,
) {
  {
    const longLived = req.version >= 11;
    if (longLived) {
      const used = await tx
        .selectFrom('test_licenses')
        .select(['ends_on', 'version'])
        .where('device_id', '=', device.id)
        .where('version', '>=', 11)
        .executeTakeFirst();
      if (used)
        throw new MylicError(
          'TEST_LICENSE_USED',
          `This device had its test license (V${used.version}, until ${used.ends_on}); since V11 a device gets one test license.`,
        );
    }
    const encrypted = req.version >= catalog.firstEncryptedVersion;
    if (encrypted && !device.cert_pem) throw certificateMissing();
    // The durations are ours (the seed names none): operator settings MYLIC_TEST_LICENSE_MONTHS / _DAYS.
    const { testLicenseMonths, legacyTestLicenseDays } = operatorSettings();
    const endsOn = longLived
      ? addMonths(today(core), testLicenseMonths)
      : addDays(today(core), legacyTestLicenseDays);
    const serial = `T-${randomBytes(8).toString('hex').toUpperCase()}`;
    const test: LicenseEntry = {
      serial,
      type: req.slave ? 'Test-Slave' : 'Test-PBX',
      units: req.slave ? 1 : req.pbx,
      returnable: false,
      bindDate: today(core),
      ssaEnd: null,
      externalKey: null,
      testEnd: endsOn,
    };
    const real = encrypted
      ? (await boundLicenses(tx, device.id))
          .filter((l) =>
            downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }).includes(req.version),
          )
          .map((l) => fileEntry(toDeviceLicense(l)))
      : [];
    await tx
      .insertInto('test_licenses')
      .values({
        device_id: device.id,
        version: req.version,
        serial,
        kind: req.slave ? 'slave' : 'pbx',
        units: test.units,
        issued_at: at,
        ends_on: endsOn,
        user_id: userId,
      })
      .execute();
    const fileId = randomUUID();
    const xml = encodeLicenseFile(
      {
        kind: 'license',
        hardwareId: device.hardware_id,
        version: req.version,
        fileId,
        issuedAt: at,
        deviceCounter: device.invalidation_counter,
        encrypted,
        licenses: [...real, test],
      },
      core.keys.licenseAuthorityKeyPem,
      encrypted ? device.cert_pem! : undefined,
    );
    await recordHistory(tx, at, {
      event: 'license.test_issued',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId,
      deviceId: device.id,
      detail: { version: req.version, serial, type: test.type, units: test.units, endsOn },
    });
    return { xml, endsOn, serial };
  }
}
