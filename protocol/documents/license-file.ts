import { MylicError } from '../errors.js';
import { decryptForDevice, encryptForDevice } from './encryption.js';
import {
  buildEncryptedEnvelope,
  buildSignedEnvelope,
  checkPayloadForEncoding,
  decodePayload,
  encodePayload,
  readEnvelope,
  type SignedEnvelope,
} from './envelope.js';
import { LicenseFilePayload } from './payloads.js';
import {
  loadPublicKey,
  loadSigningKey,
  signPayload,
  type TrustedSigners,
  verifyBySigners,
} from './signature.js';

/**
 * License files: signed by the license authority; for V8+ (payload.encrypted) the whole signed
 * envelope is then encrypted to the device certificate's key (see encryption.ts).
 */

export interface OpenLicenseFileOptions {
  /**
   * The trusted license authorities: certificate or SPKI PEMs, one per algorithm (Ed25519 for files
   * issued since issue 16, RSA for earlier ones). The envelope's algorithm picks the key.
   */
  signerPublicKeyPem: TrustedSigners;
  /** The device private key, needed for encrypted (V8+) files. */
  devicePrivateKeyPem?: string;
}

/**
 * Signs the payload with the license authority key (Ed25519 or RSA-PSS, after the key); when `payload.encrypted` is true, encrypts the
 * signed envelope to `encryptToPublicKeyPem` (the device certificate or its SPKI PEM).
 */
export function encodeLicenseFile(
  payload: LicenseFilePayload,
  signerKeyPem: string,
  encryptToPublicKeyPem?: string,
): string {
  const checked = checkPayloadForEncoding(payload, 'license', LicenseFilePayload);
  if (checked.encrypted && encryptToPublicKeyPem === undefined) {
    throw new Error('An encrypted license file needs the public key of the device to encrypt to.');
  }
  const payloadBytes = encodePayload(checked);
  const signature = signPayload('license', payloadBytes, loadSigningKey(signerKeyPem, 'license signing key'));
  const signed = buildSignedEnvelope('license', payloadBytes, signature);
  if (!checked.encrypted) return signed;
  const deviceKey = loadPublicKey(encryptToPublicKeyPem as string, 'device public key');
  const parts = encryptForDevice(Buffer.from(signed, 'utf8'), checked.hardwareId, deviceKey);
  return buildEncryptedEnvelope(checked.hardwareId, parts);
}

function openSigned(env: SignedEnvelope, signers: TrustedSigners): LicenseFilePayload {
  verifyBySigners('license', env, signers);
  return decodePayload(env.payloadBytes, 'license', LicenseFilePayload);
}

/**
 * Reads a license file in either form and returns its verified payload.
 * Does not check hardware id, version or time against the device: the caller does.
 * The form must agree with the signed `encrypted` flag, so an encrypted file cannot be passed on
 * decrypted (nor a plain file wrapped), and the hardware id the ciphertext is bound to must be the
 * payload's.
 */
export function openLicenseFile(xml: string | Uint8Array, opts: OpenLicenseFileOptions): LicenseFilePayload {
  const outer = readEnvelope(xml, 'license', true);
  if (outer.form === 'signed') {
    const payload = openSigned(outer, opts.signerPublicKeyPem);
    if (payload.encrypted) {
      throw new MylicError('DOC_MALFORMED', 'The license file says it is encrypted but arrived unencrypted.');
    }
    return payload;
  }
  if (opts.devicePrivateKeyPem === undefined) {
    throw new MylicError('DOC_DECRYPT_FAILED', 'The license file is encrypted and no device key was given.');
  }
  const plaintext = decryptForDevice(outer, outer.hardwareId, opts.devicePrivateKeyPem);
  const inner = readEnvelope(plaintext, 'license', false);
  if (inner.form !== 'signed')
    throw new MylicError('DOC_MALFORMED', 'The encrypted license file does not hold a signed document.');
  const payload = openSigned(inner, opts.signerPublicKeyPem);
  if (!payload.encrypted) {
    throw new MylicError(
      'DOC_MALFORMED',
      'The license file arrived encrypted but its payload says it is not.',
    );
  }
  if (payload.hardwareId !== outer.hardwareId) {
    throw new MylicError(
      'DOC_MALFORMED',
      'The hardware id of the encrypted element differs from the payload.',
    );
  }
  return payload;
}
