import { X509Certificate } from 'node:crypto';
import { MylicError } from '../errors.js';
import {
  buildSignedEnvelope,
  checkPayloadForEncoding,
  decodePayload,
  encodePayload,
  readEnvelope,
} from './envelope.js';
import { InvalidationPayload } from './payloads.js';
import {
  checkRsaPublicKey,
  loadPrivateKey,
  RSA_PSS_SHA256,
  signPayload,
  verifyPayload,
} from './signature.js';

/**
 * Invalidation documents: signed by the device key, with the device certificate embedded so an
 * uploaded backup file can be checked on its own. The certificate is only used here for its
 * public key; the caller verifies its chain and that its CN is payload.hardwareId.
 */

export interface OpenedInvalidation {
  payload: InvalidationPayload;
  /** The embedded certificate, re-encoded as one PEM certificate (the one whose key verified). */
  deviceCertPem: string;
}

export function encodeInvalidation(
  payload: InvalidationPayload,
  deviceKeyPem: string,
  deviceCertPem: string,
): string {
  const checked = checkPayloadForEncoding(payload, 'invalidation', InvalidationPayload);
  const key = loadPrivateKey(deviceKeyPem, 'device key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(deviceCertPem);
  } catch (e) {
    throw new MylicError('CERT_MALFORMED', `The device certificate cannot be read: ${(e as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new MylicError('CERT_KEY_MISMATCH');
  const payloadBytes = encodePayload(checked);
  const signature = signPayload('invalidation', payloadBytes, key);
  return buildSignedEnvelope('invalidation', payloadBytes, signature, cert.toString());
}

export function openInvalidation(xml: string | Uint8Array): OpenedInvalidation {
  const env = readEnvelope(xml, 'invalidation');
  if (env.form !== 'signed' || env.certificatePem === undefined) {
    throw new MylicError('DOC_MALFORMED', 'The invalidation document has no certificate.');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(env.certificatePem);
  } catch {
    throw new MylicError('DOC_MALFORMED', 'The certificate in the invalidation document cannot be read.');
  }
  checkRsaPublicKey(cert.publicKey, 'device certificate key');
  if (env.alg !== RSA_PSS_SHA256)
    throw new MylicError(
      'DOC_ALGORITHM_UNSUPPORTED',
      `An invalidation is signed with the device key (${RSA_PSS_SHA256}), not ${env.alg}.`,
    );
  verifyPayload('invalidation', env.payloadBytes, env.alg, env.signature, cert.publicKey);
  const payload = decodePayload(env.payloadBytes, 'invalidation', InvalidationPayload);
  return { payload, deviceCertPem: cert.toString() };
}
