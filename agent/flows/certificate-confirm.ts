import { assertDeviceCertificate } from '../../certs/verify.js';
import { keyMatchesCertificate } from '../../certs/inspect.js';
import { MylicError } from '../../protocol/errors.js';
import { openCertificateDocument, openCertificateKey } from '../../protocol/documents/index.js';
import type { DeviceStore } from '../device/store.js';
import { assertIssuedNotAhead } from './install.js';
import { trustedAuthorities } from './license-authorities.js';

/**
 * Applies a certificate confirmation from the portal (seed L245–248: "If you created a new certificate
 * … you can later download the confirmation file, which you have to upload on the box"; L247 "Request
 * certificate"). Signed by the license authority, for this device; the new key inside opens only with
 * the key of the device's current (or previous) certificate — an expired certificate's key still does,
 * which is how a device whose certificate has expired gets a new one. The new certificate must chain
 * to the device CA, name this hardware id, be valid now and match the key; then key and certificate
 * are replaced together (DeviceStore.replaceIdentity). Applying the same file again changes nothing.
 */
export async function applyCertificateConfirmation(store: DeviceStore, xml: Uint8Array) {
  const state = await store.state();
  const payload = openCertificateDocument(xml, await trustedAuthorities(store, new Date()));
  if (payload.hardwareId !== state.hardwareId)
    throw new MylicError(
      'CONFIRMATION_MISMATCH',
      `The confirmation is for device ${payload.hardwareId}, this is ${state.hardwareId}.`,
    );
  assertIssuedNotAhead(state, payload.issuedAt, new Date(), 'confirmation');
  const base = {
    kind: 'certificate' as const,
    documentId: payload.documentId,
    hardwareId: state.hardwareId,
    returned: [] as string[],
    kept: [] as { serial: string; reason: string }[],
    resetRequired: false,
  };
  if ((await store.readText('device.crt')).trim() === payload.certificate.trim())
    return { ...base, alreadyApplied: true };
  assertDeviceCertificate(payload.certificate, {
    deviceCa: await store.readText('trust', 'device-ca.pem'),
    root: await store.readText('trust', 'root-ca.pem'),
    at: new Date(),
    hardwareId: state.hardwareId,
  });
  let keyPem: string | null = null;
  for (const candidate of [await store.readText('device.key'), await store.previousKey()]) {
    if (candidate === null) continue;
    try {
      keyPem = openCertificateKey(payload, candidate);
      break;
    } catch (e) {
      if (!(e instanceof MylicError) || e.code !== 'DOC_DECRYPT_FAILED') throw e;
    }
  }
  if (keyPem === null)
    throw new MylicError(
      'DOC_DECRYPT_FAILED',
      'The new key in this confirmation is for another device key: request the certificate again on the portal.',
    );
  if (!keyMatchesCertificate(keyPem, payload.certificate))
    throw new MylicError(
      'CERT_KEY_MISMATCH',
      'The key in the confirmation does not belong to its certificate.',
    );
  await store.replaceIdentity(keyPem, payload.certificate);
  await store.saveConfirmation(payload.documentId, xml);
  return { ...base, alreadyApplied: false };
}
