import { X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_REGISTRATIONS_FOLDER, DeviceRegistration } from '../../../protocol/device-registration.js';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import { assertDeviceCertificateOf } from './certificates.js';
import { type Core, isoNow } from '../context.js';
import { assertTypeFits } from './devices.js';

/**
 * The vendor's device database fed from the factory (issue 15 item 3; seed L223 "a device
 * certificate", L207 "Encrypted licenses are stored in a xml file, which you can then upload on your V8
 * (or higher) device"). `mylic device init --pki DIR` makes a device the way the factory does and
 * writes its registration — hardware id, device type, certificate — as one JSON file into the PKI
 * folder's `device-registrations/` (and the device folder). The operator imports such files with
 * `mylic-bridge ops device register FILE|DIR` (no argument: the bridge's PKI folder).
 *
 * The certificate is the proof: it must be the Device Certification Authority's device certificate for
 * that hardware id (assertDeviceCertificateOf), so a registration file needs no signature of its own.
 * A device the database does not know is created with the registered type; a known one must have that
 * type. Its certificate goes on record (`devices.cert_pem`), so the portal encrypts V8+ files to it
 * without a device log-in; a certificate already on record is replaced only by a newer one (a device
 * log-in or a certificate requested later stays).
 *
 * The `devices` table is that database (issue 15 item 8): only the vendor puts devices in it — these
 * registrations, `registerVendorDevices` below (`ops device register --type T --mac M …`, devices known
 * without a certificate yet) and the operator's orders (orders.ts). Users only place known devices.
 */
export { DeviceRegistration as FactoryRegistration } from '../../../protocol/device-registration.js';
type FactoryRegistration = DeviceRegistration;

export interface RegistrationOutcome {
  hardwareId: string;
  display: string;
  deviceType: string;
  /** 'created': new in the device database; 'certificate': known, certificate recorded; 'unchanged'. */
  result: 'created' | 'certificate' | 'unchanged';
}

/** Registers devices and their factory certificates; one transaction per device, the first error stops. */
export async function registerFactoryDevices(
  core: Core,
  registrations: FactoryRegistration[],
): Promise<RegistrationOutcome[]> {
  const out: RegistrationOutcome[] = [];
  for (const r of registrations) out.push(await registerOne(core, r));
  return out;
}

async function registerOne(core: Core, r: FactoryRegistration): Promise<RegistrationOutcome> {
  const { hardwareId, kind } = parseHardwareId(r.hardwareId);
  const type = assertTypeFits(r.deviceType, kind);
  assertDeviceCertificateOf(core, r.certificate, hardwareId);
  const issued = Date.parse(new X509Certificate(r.certificate).validFrom);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const device = await tx
      .selectFrom('devices')
      .select(['id', 'device_type', 'cert_pem'])
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirst();
    const base = { hardwareId, display: formatHardwareId(hardwareId), deviceType: type };
    if (!device) {
      await tx
        .insertInto('devices')
        .values({
          hardware_id: hardwareId,
          device_type: type,
          cert_pem: r.certificate,
          invalidation_counter: 0,
          created_at: at,
        })
        .execute();
      return { ...base, result: 'created' };
    }
    if (device.device_type !== type)
      throw new MylicError(
        'DEVICE_TYPE_MISMATCH',
        `${formatHardwareId(hardwareId)} is a ${device.device_type} in the device database, not a ${type}.`,
      );
    const newer =
      device.cert_pem === null ||
      (device.cert_pem.trim() !== r.certificate.trim() &&
        issued > Date.parse(new X509Certificate(device.cert_pem).validFrom));
    if (!newer) return { ...base, result: 'unchanged' };
    await tx.updateTable('devices').set({ cert_pem: r.certificate }).where('id', '=', device.id).execute();
    return { ...base, result: 'certificate' };
  });
}

/**
 * The vendor registers devices by hardware id and type, without a certificate (`mylic-bridge ops device
 * register --type T --mac M [--mac M2 …]`): a fresh portal's devices, or the Tour's. All in one
 * transaction; a device known with another type is refused (DEVICE_TYPE_MISMATCH) and nothing is
 * written. The certificate comes later with the factory's registration or the device's log-in.
 */
export async function registerVendorDevices(
  core: Core,
  input: { deviceType: string; devices: readonly string[] },
): Promise<RegistrationOutcome[]> {
  if (!input.devices.length) throw new MylicError('USAGE', 'Give at least one device (--mac).');
  const ids = input.devices.map((d) => {
    const { hardwareId, kind } = parseHardwareId(d);
    return { hardwareId, type: assertTypeFits(input.deviceType, kind) };
  });
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const out: RegistrationOutcome[] = [];
    for (const { hardwareId, type } of ids) {
      const device = await tx
        .selectFrom('devices')
        .select(['device_type'])
        .where('hardware_id', '=', hardwareId)
        .executeTakeFirst();
      const base = { hardwareId, display: formatHardwareId(hardwareId), deviceType: type };
      if (device && device.device_type !== type)
        throw new MylicError(
          'DEVICE_TYPE_MISMATCH',
          `${formatHardwareId(hardwareId)} is a ${device.device_type} in the device database, not a ${type}.`,
        );
      if (!device)
        await tx
          .insertInto('devices')
          .values({
            hardware_id: hardwareId,
            device_type: type,
            cert_pem: null,
            invalidation_counter: 0,
            created_at: at,
          })
          .execute();
      if (!out.some((o) => o.hardwareId === hardwareId))
        out.push({ ...base, result: device ? 'unchanged' : 'created' });
    }
    return out;
  });
}

/** Where `mylic device init --pki DIR` puts its registrations inside the PKI folder. */
export const REGISTRATIONS_FOLDER = DEVICE_REGISTRATIONS_FOLDER;

/**
 * Reads registration files (`mylic-bridge ops device register FILE|DIR`): a file, or every `*.json` of a
 * folder in name order. A file that is not a registration is refused with its name, before anything
 * is written.
 */
export async function readRegistrationFiles(path: string): Promise<DeviceRegistration[]> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const out: DeviceRegistration[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      throw new MylicError('VALIDATION_FAILED', `${file} is not JSON.`);
    }
    const r = DeviceRegistration.safeParse(parsed);
    if (!r.success) throw new MylicError('VALIDATION_FAILED', `${file} is not a device registration.`);
    out.push(r.data);
  }
  return out;
}
