import { readFile } from 'node:fs/promises';
import { MylicError } from '../../protocol/errors.js';
import { firmwareMajor } from '../device/state.js';
import { preflight } from './checks.js';
import { openDevice, sessionToken, withClient } from './device-context.js';
import { installLicenseFile } from './install.js';

// In its own module so `mylic licenses` does not load the install path (node-forge, XML, the checks).
export { portalLicenses } from './portal-licenses.js';

/** Downloads the license file for a version straight from the portal and installs it. */
export async function download(dir: string, version?: number) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  if (await store.pending()) {
    throw new MylicError(
      'INVALIDATION_PENDING',
      'An invalidation is pending: run `mylic invalidate --transfer` or `mylic confirm FILE` first.',
    );
  }
  const runs = firmwareMajor(state.firmware);
  const v = version ?? runs;
  await preflight(store, state, false);
  // Ask only for what the device can install: an unencrypted V5-V7 download makes licenses
  // non-returnable on the portal, so a file the device would refuse must not even be issued.
  if (v !== runs)
    throw new MylicError(
      'DOC_VERSION_MISMATCH',
      `This device runs V${runs} (firmware ${state.firmware}); it cannot install V${v} licenses.`,
    );
  const xml = await withClient(store, state, (c) => c.licenseFile(token, v));
  return installLicenseFile(store, state, xml);
}

/** Installs a license file downloaded through the portal pages: its bytes, decoded strictly when opened. */
export async function installFromFile(dir: string, file: string) {
  const { store, state } = await openDevice(dir);
  return installLicenseFile(store, state, await readFile(file));
}
