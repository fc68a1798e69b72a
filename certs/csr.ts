/**
 * Certificate signing requests: how a device or service asks for a certificate for its key.
 *
 * A CSR is untrusted input, so parseCsr bounds its size, checks that it is signed with the key it
 * carries (proof of possession) over the exact bytes that were received, and only then returns
 * the name and key. The signature check is done by node:crypto, not by forge.
 */
import { createPublicKey, verify } from 'node:crypto';
import forge from 'node-forge';
import { MylicError } from '../protocol/errors.js';
import { SHA256_WITH_RSA, signCertificationRequest } from './forge-sign.js';
import { publicKeyOf } from './keys.js';
import { commonNameIn, decodedAttributes, fromForgeFields, nameAttributes, toForgeFields } from './names.js';

/** A 2048-bit RSA CSR is ~1 KB of PEM; 4096-bit ~1.7 KB. */
export const MAX_CSR_PEM_BYTES = 16 * 1024;

export interface ParsedCsr {
  commonName: string;
  publicKeyPem: string;
}

/** A PKCS#10 request for `commonName`, signed (SHA-256) with the key it asks a certificate for. */
export function createCsr(opts: { commonName: string; privateKeyPem: string }): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyOf(opts.privateKeyPem));
  csr.setSubject(toForgeFields(nameAttributes({ commonName: opts.commonName })));
  signCertificationRequest(csr, opts.privateKeyPem);
  return forge.pki.certificationRequestToPem(csr);
}

/** Reads a CSR and checks its self-signature; CERT_MALFORMED for anything else. */
export function parseCsr(pem: string): ParsedCsr {
  if (typeof pem !== 'string' || pem.length === 0) throw malformed('it is empty');
  if (Buffer.byteLength(pem, 'utf8') > MAX_CSR_PEM_BYTES)
    throw malformed(`it is larger than ${MAX_CSR_PEM_BYTES} bytes`);

  let csr: forge.pki.CertificateSigningRequest;
  let der: Buffer;
  try {
    const msg = forge.pem.decode(pem)[0];
    if (msg?.type !== 'CERTIFICATE REQUEST') throw new Error('no "CERTIFICATE REQUEST" PEM block');
    der = Buffer.from(msg.body, 'binary');
    // strict: no trailing bytes, lengths must add up
    csr = forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(msg.body, true), false);
  } catch (e) {
    throw malformed((e as Error).message);
  }
  if (csr.signatureOid !== SHA256_WITH_RSA)
    throw malformed(
      `it is signed with algorithm ${String(csr.signatureOid)}, only sha256WithRSAEncryption is accepted`,
    );
  if (!csr.publicKey) throw malformed('it carries no public key');

  let publicKeyPem: string;
  let signedOk: boolean;
  try {
    publicKeyPem = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey))
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const signature = Buffer.from(csr.signature as string, 'binary');
    signedOk = verify('sha256', firstElementOf(der), publicKeyPem, signature);
  } catch (e) {
    throw malformed((e as Error).message);
  }
  if (!signedOk)
    throw malformed('its signature does not match its content (altered, or not signed with its own key)');

  const commonName = commonNameIn(decodedAttributes(fromForgeFields(csr.subject.attributes)));
  if (!commonName) throw malformed('it has no common name');
  return { commonName, publicKeyPem };
}

const malformed = (why: string) =>
  new MylicError('CERT_MALFORMED', `The certificate request cannot be used: ${why}.`);

/**
 * The raw bytes of the first element inside the outer SEQUENCE: the CertificationRequestInfo
 * exactly as received. Verifying a re-encoding by forge instead could accept or refuse bytes that
 * differ from what was signed.
 */
function firstElementOf(der: Buffer): Buffer {
  const outer = readHeader(der, 0);
  if (der[0] !== 0x30) throw new Error('not a DER SEQUENCE');
  const inner = readHeader(der, outer.contentStart);
  if (der[outer.contentStart] !== 0x30) throw new Error('CertificationRequestInfo is not a SEQUENCE');
  const end = inner.contentStart + inner.length;
  if (end > outer.contentStart + outer.length)
    throw new Error('CertificationRequestInfo overruns the request');
  return der.subarray(outer.contentStart, end);
}

/** DER tag-length header at `at` (single-byte tags, definite lengths). */
function readHeader(der: Buffer, at: number): { contentStart: number; length: number } {
  const first = der[at + 1];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { contentStart: at + 2, length: first };
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error('unsupported DER length');
  let length = 0;
  for (let i = 0; i < n; i++) {
    const b = der[at + 2 + i];
    if (b === undefined) throw new Error('truncated DER');
    length = length * 256 + b;
  }
  const contentStart = at + 2 + n;
  if (contentStart + length > der.length) throw new Error('truncated DER');
  return { contentStart, length };
}
