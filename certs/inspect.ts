/**
 * What a certificate says, for display, storage and quick checks, without judging whether to
 * trust it (that is verify.ts).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { MylicError } from '../protocol/errors.js';
import { commonNameOf, parseCertificate, validityOf } from './x509.js';

export interface CertInfo {
  commonName: string;
  /** Upper-case hex, as OpenSSL prints it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, colon-separated upper-case hex ("AB:CD:..."). */
  fingerprint256: string;
  issuerCommonName: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

export function certInfo(pem: string): CertInfo {
  const x509 = parseCertificate(pem);
  return {
    commonName: commonNameOf(x509, 'subject'),
    serialNumber: x509.serialNumber,
    ...validityOf(x509),
    fingerprint256: x509.fingerprint256,
    issuerCommonName: commonNameOf(x509, 'issuer'),
    publicKeyPem: x509.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Whether the private key is the one the certificate was issued for (same SPKI DER). An
 * unreadable key or certificate is CERT_MALFORMED, not "false": that is a different problem.
 */
export function keyMatchesCertificate(privateKeyPem: string, certPem: string): boolean {
  const x509 = parseCertificate(certPem);
  let derived: Buffer;
  try {
    derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  } catch (e) {
    throw new MylicError('CERT_MALFORMED', `The private key cannot be read: ${(e as Error).message}`);
  }
  return derived.equals(x509.publicKey.export({ type: 'spki', format: 'der' }));
}
