import { randomUUID } from 'node:crypto';
import { MylicError } from '../../protocol/errors.js';
import type { DeviceLicense, DeviceLicensesResponse } from '../../protocol/device-api.js';
import { encodeLicenseFile } from '../../protocol/documents/index.js';
import type { License } from '../db/schema.js';
import type { Tx } from '../db/store.js';
import { devicePlacementFor } from './access.js';
import { catalog, downloadableVersions } from './catalog.js';
import { type Actor, type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * What the portal holds for a device and the license files it issues (seed: Download licenses).
 * V8+ files are encrypted to the device certificate's key; V5–V7 files are not, and downloading a
 * license unencrypted makes it non-returnable for good.
 */
export const boundLicenses = (tx: Tx, deviceId: number) =>
  tx.selectFrom('licenses').selectAll().where('device_id', '=', deviceId).where('state', '=', 'bound').orderBy('id').execute();

const isReturnable = (l: License) => l.returnable === 1 && l.downloaded_unencrypted === 0;

export const toDeviceLicense = (l: License): DeviceLicense => ({
  serial: l.serial,
  type: l.license_type,
  units: l.units,
  version: l.version,
  returnable: isReturnable(l),
  bindDate: l.bind_date,
  ssaEnd: l.ssa_end,
  externalKey: l.external_key,
  versions: downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }),
});

function versionsOffered(licenses: DeviceLicense[]) {
  const versioned = licenses.filter((l) => l.version !== null);
  const candidates = versioned.length ? [...new Set(versioned.flatMap((l) => l.versions))] : licenses.length ? catalog.versions.map((v) => v.version) : [];
  return candidates
    .sort((a, b) => b - a)
    .map((version) => ({
      version,
      encrypted: version >= catalog.firstEncryptedVersion,
      licenses: licenses.filter((l) => l.versions.includes(version)).length,
    }));
}

export const fileEntry = (d: DeviceLicense) => ({
  serial: d.serial,
  type: d.type,
  units: d.units,
  returnable: d.returnable,
  bindDate: d.bindDate,
  ssaEnd: d.ssaEnd,
  externalKey: d.externalKey,
  testEnd: null,
});

export async function actorDevice(core: Core, actor: Actor, tx: Tx) {
  if (actor.deviceId === undefined) throw new MylicError('FORBIDDEN', 'Only a logged-in device may do this.');
  const device = await tx.selectFrom('devices').selectAll().where('id', '=', actor.deviceId).executeTakeFirstOrThrow();
  const placement = await devicePlacementFor(tx, actor.userId, device.id);
  return { device, placement };
}

export async function listDeviceLicenses(core: Core, actor: Actor): Promise<DeviceLicensesResponse> {
  const tx = core.store.db;
  const { device, placement } = await actorDevice(core, actor, tx);
  const licenses = (await boundLicenses(tx, device.id)).map(toDeviceLicense);
  return {
    hardwareId: device.hardware_id,
    deviceType: device.device_type,
    project: { id: placement.projectId, name: placement.projectName },
    licenses,
    versions: versionsOffered(licenses),
  };
}

export async function issueLicenseFile(core: Core, actor: Actor, version: number): Promise<{ xml: string; fileId: string; encrypted: boolean }> {
  if (!catalog.isVersion(version)) throw new MylicError('VERSION_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await actorDevice(core, actor, tx);
    const all = await boundLicenses(tx, device.id);
    const included = all.filter((l) => downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }).includes(version));
    if (!all.length) throw new MylicError('NO_LICENSES');
    if (!included.length) throw new MylicError('VERSION_NOT_AVAILABLE', `No license of this device can be downloaded as V${version}.`);
    const encrypted = version >= catalog.firstEncryptedVersion;
    if (encrypted && !device.cert_pem) throw new MylicError('CERT_MISSING', 'The portal has no certificate of this device: log in from the device first.');
    if (!encrypted) {
      // Seed: "If you download the licenses unencrypted, you won't be able to return those licenses anymore."
      await tx.updateTable('licenses').set({ downloaded_unencrypted: 1, updated_at: at }).where('id', 'in', included.map((l) => l.id)).execute();
    }
    const fileId = randomUUID();
    const payload = {
      kind: 'license' as const,
      hardwareId: device.hardware_id,
      version,
      fileId,
      issuedAt: at,
      deviceCounter: device.invalidation_counter,
      encrypted,
      licenses: included.map((l) => {
        return fileEntry(toDeviceLicense(encrypted ? l : { ...l, downloaded_unencrypted: 1 }));
      }),
    };
    const xml = encodeLicenseFile(payload, core.keys.licenseAuthorityKeyPem, encrypted ? device.cert_pem! : undefined);
    await recordHistory(tx, at, {
      event: 'license.downloaded',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { version, fileId, encrypted, serials: included.map((l) => l.serial) },
    });
    return { xml, fileId, encrypted };
  });
}
