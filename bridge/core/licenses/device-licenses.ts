import { randomUUID } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import type { DeviceLicense, DeviceLicensesResponse } from '../../../protocol/device-protocol.js';
import { encodeLicenseFile } from '../../../protocol/documents/index.js';
import type { Device, License } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { devicePlacementFor, projectAccess, type ProjectAccess } from '../access.js';
import { catalog, downloadableVersions, type DeviceType } from '../catalog.js';
import { type Actor, type Core, isPlay, isoNow, today } from '../context.js';
import { operatorSettings } from '../settings.js';
import { recordHistory } from '../history.js';
import { splitByOwner } from './license-ownership.js';
import { boundLicensesQuery, deviceQuery } from '../../db/device-path-queries.js';

/**
 * What the portal holds for a device and the license files it issues (seed: Download licenses; Misc →
 * No downgrade).
 *
 * Download rules:
 * - The versions offered follow the licenses (their own version, downgrades to V6, and what their SSA
 *   reaches: catalog.downloadableVersions) and the device: only versions its hardware runs
 *   (catalog device type `firmware`); telephones and DECT handsets get no license files.
 * - V8+ files are encrypted to the device certificate's key; V5–V7 files are not, and every license in
 *   an unencrypted file becomes non-returnable for good. The portal API asks for an explicit
 *   `acceptNonReturnable` before it issues one; the device protocol does not, since the agent only asks
 *   for the version its firmware runs.
 * - "No downgrade": once licenses were returned from a device that had V5–V7 licenses or V5–V7 files
 *   (`noDowngradeAfterReturn`, called by the invalidation), no V5–V7 file is issued for it any more.
 */
export const boundLicenses = async (tx: Tx, deviceId: number) =>
  (await boundLicensesQuery(tx, { deviceId })).rows;

const isReturnable = (l: License) => l.returnable === 1 && l.downloaded_unencrypted === 0;
const LEGACY_TOP = catalog.firstEncryptedVersion - 1;

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

/** Versions the device may get files in at all: its firmware range, without V5–V7 after "No downgrade". */
export function deviceVersions(device: Pick<Device, 'device_type' | 'no_downgrade_at'>): number[] {
  const type = catalog.devices.find((d) => d.name === device.device_type);
  // A device type the catalog no longer lists keeps every version: nothing is taken away silently.
  const runs = (v: number) => (type ? catalog.runs(type, v) : true);
  return catalog.versions
    .map((v) => v.version)
    .filter((v) => runs(v) && !(device.no_downgrade_at !== null && v <= LEGACY_TOP));
}

function versionsOffered(device: Pick<Device, 'device_type' | 'no_downgrade_at'>, licenses: DeviceLicense[]) {
  const allowed = deviceVersions(device);
  const versioned = licenses.filter((l) => l.version !== null);
  const candidates = versioned.length
    ? [...new Set(versioned.flatMap((l) => l.versions))]
    : licenses.length
      ? catalog.versions.map((v) => v.version)
      : [];
  return candidates
    .filter((v) => allowed.includes(v))
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

/**
 * CERT_MISSING: only a device with no certificate on record (issue 15 item 3). The certificate comes
 * with the factory registration (`mylic-bridge ops device register`), a device log-in, or a
 * certificate requested later; the sentence names those fixes.
 */
export const certificateMissing = () =>
  new MylicError(
    'CERT_MISSING',
    'No certificate of this device is on record, so a V8+ file cannot be encrypted to it: the vendor registers the factory certificate (mylic-bridge ops device register), or log in once from the device (its my.innovaphone link).',
  );

export async function actorDevice(_core: Core, actor: Actor, tx: Tx) {
  if (actor.deviceId === undefined) throw new MylicError('FORBIDDEN', 'Only a logged-in device may do this.');
  const device =
    (await deviceQuery(tx, { id: actor.deviceId })).rows[0] ??
    // Not there: the builder's own call throws Kysely's NoResultError, as it always did.
    (await tx.selectFrom('devices').selectAll().where('id', '=', actor.deviceId).executeTakeFirstOrThrow());
  const placement = await devicePlacementFor(tx, actor.userId, device.id);
  return { device, placement };
}

// ---------------------------------------------------------------------------------------------
// the portal's wall around a device

// deviceForActor and DeviceAccess live in the kernel (access.ts): the devices area uses them too.
export { deviceForActor, type DeviceAccess } from '../access.js';
import { deviceForActor } from '../access.js';

// ---------------------------------------------------------------------------------------------
// the device protocol (agent)

export async function listDeviceLicenses(core: Core, actor: Actor): Promise<DeviceLicensesResponse> {
  const tx = core.store.db;
  const { device, placement } = await actorDevice(core, actor, tx);
  const licenses = (await boundLicenses(tx, device.id)).map(toDeviceLicense);
  return {
    hardwareId: device.hardware_id,
    deviceType: device.device_type,
    project: { id: placement.projectId, name: placement.projectName },
    licenses,
    versions: versionsOffered(device, licenses),
  };
}

/** The agent's download: the version its firmware runs (see the file comment). */
export async function issueLicenseFile(
  core: Core,
  actor: Actor,
  version: number,
): Promise<{ xml: string; fileId: string; encrypted: boolean }> {
  if (!catalog.isVersion(version)) throw new MylicError('VERSION_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await actorDevice(core, actor, tx);
    return issueFile(core, tx, at, device, { ...placement, userId: actor.userId, via: 'device' }, version);
  });
}

// ---------------------------------------------------------------------------------------------
// the portal (Devices → Licenses → Download licenses)

export interface DownloadOption {
  version: number;
  encrypted: boolean;
  licenses: number;
  /** Serials an (unencrypted) file of this version would make non-returnable: the user is told before. */
  makesNonReturnable: string[];
}

export async function downloadOptions(core: Core, actor: Actor, deviceId: number) {
  const tx = core.store.db;
  const { device, placement } = await deviceForActor(tx, actor, deviceId);
  const rows = await boundLicenses(tx, device.id);
  const licenses = rows.map(toDeviceLicense);
  const versions: DownloadOption[] = versionsOffered(device, licenses).map((v) => ({
    ...v,
    makesNonReturnable: v.encrypted
      ? []
      : licenses.filter((l) => l.returnable && l.versions.includes(v.version)).map((l) => l.serial),
  }));
  return {
    deviceId: device.id,
    hardwareId: device.hardware_id,
    deviceType: device.device_type,
    projectId: placement.projectId,
    certificate: device.cert_pem !== null,
    noDowngrade: device.no_downgrade_at !== null,
    versions,
  };
}

export async function downloadForPortal(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: {
    version: number;
    acceptNonReturnable?: boolean | undefined;
    /**
     * false: a V8+ file without encryption (seed L203–204 "you have to decide whether to download the
     * licenses encrypted or not. If you download the licenses unencrypted, you won't be able to return
     * those licenses anymore"): only with acceptNonReturnable, and its licenses become non-returnable.
     */
    encrypted?: boolean | undefined;
  },
) {
  if (!catalog.isVersion(req.version)) throw new MylicError('VERSION_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await deviceForActor(tx, actor, deviceId);
    return issueFile(
      core,
      tx,
      at,
      device,
      {
        ...placement,
        actingCompanyId: actor.companyId,
        userId: actor.userId,
        via: 'portal',
        acceptNonReturnable: req.acceptNonReturnable === true,
        plain: req.encrypted === false,
      },
      req.version,
    );
  });
}

function assertDownloadable(device: Device, version: number) {
  if (device.no_downgrade_at !== null && version <= LEGACY_TOP) {
    throw new MylicError(
      'DOWNLOAD_NO_DOWNGRADE',
      `No downgrade: licenses were returned from this device on ${device.no_downgrade_at.slice(0, 10)}, so it gets no V5–V7 files any more.`,
    );
  }
  const type = catalog.devices.find((d) => d.name === device.device_type);
  if (type && !catalog.runs(type, version)) {
    throw new MylicError(
      'VERSION_NOT_FOR_DEVICE',
      type.firmware
        ? `${type.name} runs V${type.firmware.from} to V${type.firmware.to}.`
        : `${type.name} gets no license files.`,
    );
  }
}

async function issueFile(
  core: Core,
  tx: Tx,
  at: string,
  device: Device,
  who: {
    companyId: number;
    projectId: number;
    userId: number;
    via: 'device' | 'portal';
    acceptNonReturnable?: boolean;
    /** Portal only: a V8+ file without encryption (downloadForPortal's `encrypted: false`). */
    plain?: boolean;
    /** The actor's own company (portal): whose licenses it may make non-returnable. */
    actingCompanyId?: number | null | undefined;
  },
  version: number,
) {
  const all = await boundLicenses(tx, device.id);
  if (!all.length) throw new MylicError('NO_LICENSES');
  assertDownloadable(device, version);
  const included = all.filter((l) =>
    downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }).includes(version),
  );
  if (!included.length)
    throw new MylicError(
      'VERSION_NOT_AVAILABLE',
      `No license of this device can be downloaded as V${version}.`,
    );
  const encrypted = version >= catalog.firstEncryptedVersion && !(who.via === 'portal' && who.plain === true);
  if (encrypted && !device.cert_pem) throw certificateMissing();
  if (!encrypted && who.via === 'portal') {
    // A V5–V7 file makes every license in it non-returnable: a value only the company that paid for the
    // licenses may give up (issue 11). A second company holding the device downloads encrypted files.
    // Judged by the actor's own company (one acting through project rights gives up nothing of the
    // owner's), and only for licenses that are still returnable: the others lose nothing.
    const { others: foreign } = await splitByOwner(tx, included, who.actingCompanyId ?? -1);
    const others = foreign.filter(isReturnable);
    if (others.length) {
      throw new MylicError(
        'LICENSES_OF_ANOTHER_COMPANY',
        `An unencrypted V${version} file would make ${others.length} license(s) of another company that holds this device non-returnable; only that company can download it. Download an encrypted V${catalog.firstEncryptedVersion} or later file instead.`,
        {
          version,
          licenses: others.length,
        },
      );
    }
  }
  if (!encrypted && who.via === 'portal' && !who.acceptNonReturnable) {
    // Seed: "you have to decide whether to download the licenses encrypted or not" — said before, not after.
    const would = included.filter(isReturnable).map((l) => l.serial);
    throw new MylicError(
      'NON_RETURNABLE_NOT_ACCEPTED',
      `An unencrypted V${version} file: ${would.length} returnable license(s) of this device would never be returnable again. Send acceptNonReturnable: true to download it anyway.`,
      { version, serials: would },
    );
  }
  if (!encrypted) {
    // Seed: "If you download the licenses unencrypted, you won't be able to return those licenses anymore."
    await tx
      .updateTable('licenses')
      .set({ downloaded_unencrypted: 1, updated_at: at })
      .where(
        'id',
        'in',
        included.map((l) => l.id),
      )
      .execute();
    // "No downgrade" concerns V5–V7 files only: old firmware knows no invalidation counter.
    if (device.legacy_download_at === null && version <= LEGACY_TOP)
      await tx.updateTable('devices').set({ legacy_download_at: at }).where('id', '=', device.id).execute();
  }
  const fileId = randomUUID();
  const testEnd = isPlay(core) ? playTestEnd(today(core)) : null;
  const payload = {
    kind: 'license' as const,
    hardwareId: device.hardware_id,
    version,
    fileId,
    issuedAt: at,
    deviceCounter: device.invalidation_counter,
    encrypted,
    licenses: included.map((l) => {
      const entry = fileEntry(toDeviceLicense(encrypted ? l : { ...l, downloaded_unencrypted: 1 }));
      // myplay (seed L342 "You will always just download test licenses here!"): every license of the file
      // is a test license, never returnable, ending like a portal test license (operator setting).
      return testEnd ? { ...entry, returnable: false, testEnd } : entry;
    }),
  };
  const xml = encodeLicenseFile(
    payload,
    core.keys.licenseAuthorityKeyPem,
    encrypted ? device.cert_pem! : undefined,
  );
  await recordHistory(tx, at, {
    event: 'license.downloaded',
    companyId: who.companyId,
    projectId: who.projectId,
    userId: who.userId,
    deviceId: device.id,
    detail: {
      version,
      fileId,
      encrypted,
      serials: included.map((l) => l.serial),
      ...(who.via === 'portal' ? { via: 'portal' } : {}),
      ...(testEnd ? { testEnd } : {}),
    },
  });
  return { xml, fileId, encrypted, hardwareId: device.hardware_id };
}

/**
 * Seed: Misc, "No downgrade": "Licenses, which have been downloaded for V5/V6/V7, were returned from
 * this device, so no downgrade to these versions is allowed any more." Called by the invalidation in its
 * transaction with the licenses it returned: when one of them is a V5–V7 license, or the device ever got
 * a V5–V7 file, the device is marked (once). Old firmware knows no invalidation counter, so a returned
 * license must not meet an old, unencrypted file again.
 */
/**
 * Whether returning this license needs the user's agreement never to downgrade below V8 (seed L206, L227):
 * it is a V5–V7 license, or the device got a V5–V7 file and returning anything would set "No downgrade".
 */
export function needsNoDowngradeConsent(
  device: Pick<Device, 'legacy_download_at' | 'no_downgrade_at'>,
  license: Pick<License, 'version'>,
): boolean {
  if (license.version !== null && license.version <= LEGACY_TOP) return true;
  return device.no_downgrade_at === null && device.legacy_download_at !== null;
}

export async function noDowngradeAfterReturn(
  tx: Tx,
  at: string,
  device: Pick<Device, 'id' | 'legacy_download_at' | 'no_downgrade_at'>,
  returned: readonly Pick<License, 'version'>[],
) {
  if (device.no_downgrade_at !== null || returned.length === 0) return;
  const legacy =
    device.legacy_download_at !== null || returned.some((l) => l.version !== null && l.version <= LEGACY_TOP);
  if (legacy)
    await tx.updateTable('devices').set({ no_downgrade_at: at }).where('id', '=', device.id).execute();
}

/** The last day of myplay's test licenses: the portal test license's months (operator setting) from today. */
function playTestEnd(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + operatorSettings().testLicenseMonths);
  return d.toISOString().slice(0, 10);
}
