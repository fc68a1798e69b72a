import { createPublicKey } from 'node:crypto';
import { MylicError } from '../errors.js';
import { decryptForDevice, encryptForDevice } from './encryption.js';
import {
  buildSignedEnvelope,
  checkPayloadForEncoding,
  decodePayload,
  encodePayload,
  fromBase64Strict,
  readEnvelope,
  toBase64,
} from './envelope.js';
import { CertificatePayload } from './payloads.js';
import { loadSigningKey, signPayload, type TrustedSigners, verifyBySigners } from './signature.js';

/**
 * Certificate confirmations (seed L245–248): the new certificate and its key from "Request certificate"
 * on the portal, applied on the device under Step1 (`mylic confirm FILE`).
 */
export interface CertificateDocumentInput {
  hardwareId: string;
  documentId: string;
  issuedAt: string;
  certificatePem: string;
  privateKeyPem: string;
}

export function encodeCertificateDocument(
  input: CertificateDocumentInput,
  signerKeyPem: string,
  /** The certificate the device holds the key of (it may have expired). */
  previousCertificatePem: string,
): string {
  const parts = encryptForDevice(
    Buffer.from(input.privateKeyPem, 'utf8'),
    input.hardwareId,
    createPublicKey(previousCertificatePem),
  );
  const payload: CertificatePayload = {
    kind: 'certificate',
    hardwareId: input.hardwareId,
    documentId: input.documentId,
    issuedAt: input.issuedAt,
    certificate: input.certificatePem,
    key: {
      key: toBase64(parts.key),
      iv: toBase64(parts.iv),
      tag: toBase64(parts.tag),
      data: toBase64(parts.data),
    },
  };
  const checked = checkPayloadForEncoding(payload, 'certificate', CertificatePayload);
  const bytes = encodePayload(checked);
  const signature = signPayload('certificate', bytes, loadSigningKey(signerKeyPem, 'license signing key'));
  return buildSignedEnvelope('certificate', bytes, signature);
}

/** Verifies the license authority's signature; returns the payload (the key still encrypted). */
export function openCertificateDocument(
  xml: string | Uint8Array,
  signers: TrustedSigners,
): CertificatePayload {
  const env = readEnvelope(xml, 'certificate');
  if (env.form !== 'signed') throw new MylicError('DOC_MALFORMED', 'The certificate document is not signed.');
  verifyBySigners('certificate', env, signers);
  return decodePayload(env.payloadBytes, 'certificate', CertificatePayload);
}

/** The new private key, opened with the key of the device's previous certificate (DOC_DECRYPT_FAILED otherwise). */
export function openCertificateKey(payload: CertificatePayload, devicePrivateKeyPem: string): string {
  const parts = {
    key: fromBase64Strict(payload.key.key, 'key'),
    iv: fromBase64Strict(payload.key.iv, 'iv'),
    tag: fromBase64Strict(payload.key.tag, 'tag'),
    data: fromBase64Strict(payload.key.data, 'data'),
  };
  return decryptForDevice(parts, payload.hardwareId, devicePrivateKeyPem).toString('utf8');
}
