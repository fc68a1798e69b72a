import { MylicError } from '../../protocol/errors.js';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { trustedAuthorities } from './license-authorities.js';
import type { DeviceStore } from '../device/store.js';
import { firmwareMajor, type DeviceState } from '../device/state.js';

import { advanceTrustedTime } from '../checks/clock.js';

/** A document issued later than the device clock plus the tolerance means the device clock is behind. */
export function assertIssuedNotAhead(state: DeviceState, issuedAt: string, now: Date, what: string) {
  if (new Date(issuedAt).getTime() > now.getTime() + state.config.toleranceSeconds * 1000) {
    throw new MylicError(
      'DOC_NOT_YET_VALID',
      `The ${what} was issued at ${issuedAt}, later than the device clock (${now.toISOString()}): the device clock is behind. Set the device time from NTP (\`mylic config --ntp\`, then \`mylic check\`) and try again.`,
    );
  }
}

/**
 * Opens a license file with the device key; after a certificate request the portal encrypts to the
 * previous key until the device has logged in with the new certificate, so that key is tried second.
 */
function openWithDeviceKeys(xml: Uint8Array, laPem: string[], keyPem: string, previousKeyPem: string | null) {
  try {
    return openLicenseFile(xml, { signerPublicKeyPem: laPem, devicePrivateKeyPem: keyPem });
  } catch (e) {
    if (!(e instanceof MylicError && e.code === 'DOC_DECRYPT_FAILED') || previousKeyPem === null) throw e;
    return openLicenseFile(xml, { signerPublicKeyPem: laPem, devicePrivateKeyPem: previousKeyPem });
  }
}

/**
 * Checks and installs a license file (seed: Download licenses; "upload on your V8 (or higher)
 * device"). Nothing on the device changes unless every check passes: the license authority's
 * signature (Ed25519, or RSA-PSS for files issued before issue 16; its certificate chained to the
 * root), decryption with the device key, hardware id,
 * version the firmware runs, issue time not ahead of the device clock, and a counter not older than
 * the last confirmed invalidation (a file from before a return would bring the returned licenses back).
 * The file comes as the bytes it was given: decoded strictly (invalid UTF-8 is XML_MALFORMED, as on the
 * portal) and, once every check passed, stored as exactly those bytes.
 */
export async function installLicenseFile(
  store: DeviceStore,
  state: DeviceState,
  xml: Uint8Array,
  now = new Date(),
) {
  if (await store.pending())
    throw new MylicError(
      'INVALIDATION_PENDING',
      'An invalidation is pending: transfer it or upload its confirmation before installing licenses.',
    );
  const laPem = await trustedAuthorities(store, now);
  const payload = openWithDeviceKeys(
    xml,
    laPem,
    await store.readText('device.key'),
    await store.previousKey(),
  );
  if (payload.hardwareId !== state.hardwareId) {
    throw new MylicError(
      'DOC_HARDWARE_MISMATCH',
      `The license file is for device ${payload.hardwareId}, this is ${state.hardwareId}.`,
    );
  }
  const runs = firmwareMajor(state.firmware);
  if (payload.version !== runs) {
    throw new MylicError(
      'DOC_VERSION_MISMATCH',
      `The license file is for V${payload.version}; this device runs V${runs} (firmware ${state.firmware}).`,
    );
  }
  assertIssuedNotAhead(state, payload.issuedAt, now, 'license file');
  if (payload.deviceCounter < state.confirmedCounter) {
    throw new MylicError(
      'DOC_STALE',
      'This license file was issued before licenses were returned from this device: download a new one.',
    );
  }
  // Seed L203–204: V8+ files come encrypted, or unencrypted when the user accepted on the portal that
  // their licenses can never be returned (the portal marked them so); V5–V7 files are never encrypted.
  if (payload.encrypted && payload.version < 8)
    throw new MylicError('DOC_MALFORMED', 'V5-V7 license files are not encrypted.');
  await store.install(xml, {
    fileId: payload.fileId,
    version: payload.version,
    issuedAt: payload.issuedAt,
    deviceCounter: payload.deviceCounter,
    encrypted: payload.encrypted,
    licenses: payload.licenses,
  });
  await store.update((s) => {
    s.resetRequired = true;
    advanceTrustedTime(s, new Date(payload.issuedAt));
  });
  return {
    fileId: payload.fileId,
    version: payload.version,
    encrypted: payload.encrypted,
    licenses: payload.licenses,
    resetRequired: true,
  };
}
