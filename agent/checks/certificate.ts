import { keyMatchesCertificate } from '../../certs/inspect.js';
import { verifyDeviceCertificate } from '../../certs/verify.js';
import type { DeviceStore } from '../device/store.js';
import type { DeviceState } from '../device/state.js';
import { failed, passed, type CheckResult } from './check-result.js';

/**
 * The device certificate (seed: Invalidation → Requirements, "a device certificate"): present, issued
 * and signed by the Device Certification Authority itself, made for a device (key usage), named for
 * this hardware id, valid by the checked clock, and matching the device's private key. Each failure
 * has its own code and a fix.
 */
const FIX_REQUEST =
  'Request a new device certificate on the device\'s page in the portal (needs the "request certificate" right) and apply its confirmation file under Step1 (`mylic confirm FILE`); while the certificate is still valid, `mylic request-certificate` does it from the device.';

export async function checkCertificate(
  store: DeviceStore,
  state: DeviceState,
  at: Date,
): Promise<CheckResult> {
  const certPem = await store.readOptionalText('device.crt');
  const keyPem = await store.readOptionalText('device.key');
  if (!certPem || !keyPem)
    return failed('certificate', 'CERT_MISSING', 'No device certificate is installed.', FIX_REQUEST);
  // Issued and signed by the Device Certification Authority itself, for a device (issue 11).
  const r = verifyDeviceCertificate(certPem, {
    deviceCa: await store.readText('trust', 'device-ca.pem'),
    root: await store.readText('trust', 'root-ca.pem'),
    at,
    hardwareId: state.hardwareId,
  });
  if (!r.ok) {
    const fix =
      r.code === 'CERT_NOT_YET_VALID' || r.code === 'CERT_EXPIRED'
        ? `Check the device time first (NTP); if the time is right, ${FIX_REQUEST.charAt(0).toLowerCase()}${FIX_REQUEST.slice(1)}`
        : FIX_REQUEST;
    return failed('certificate', r.code, r.message, fix);
  }
  let matches = false;
  try {
    matches = keyMatchesCertificate(keyPem, certPem);
  } catch {
    matches = false;
  }
  if (!matches)
    return failed(
      'certificate',
      'CERT_KEY_MISMATCH',
      'The device private key does not belong to the installed certificate.',
      FIX_REQUEST,
    );
  return passed('certificate', `Device certificate for ${state.hardwareId} is valid.`);
}
