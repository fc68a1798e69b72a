import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MylicError } from '../../../protocol/errors.js';
import { DEVICE_REGISTRATIONS_FOLDER, DeviceRegistration } from '../../../protocol/device-registration.js';

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
