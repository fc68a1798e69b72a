/**
 * The seam between node-forge (structure) and node:crypto (private keys).
 *
 * forge builds the to-be-signed part of certificates and CSRs; the signature over its DER is made
 * by node:crypto, so no private key is ever parsed or used by JavaScript big-number code.
 * @types/node-forge does not declare the two TBS builders, so they are typed here once.
 */
import { randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

interface ForgeTbsBuilders {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
}

const builders = forge.pki as unknown as ForgeTbsBuilders;

/** forge.pki.oids.sha256WithRSAEncryption, spelled out: the index type of oids is string | undefined. */
export const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** DER of a forge ASN.1 structure as a Buffer. */
export const derOf = (asn: forge.asn1.Asn1): Buffer =>
  Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');

/**
 * Signs a forge certificate in place (sha256WithRSAEncryption) with a PEM private key. `subjectKeyInfo`
 * replaces the SubjectPublicKeyInfo forge wrote (forge writes RSA keys only): the DER of another
 * key's SPKI, e.g. Ed25519, goes into the TBS before it is signed.
 */
export function signCertificate(
  cert: forge.pki.Certificate,
  privateKeyPem: string,
  subjectKeyInfo?: Buffer,
): void {
  cert.siginfo.algorithmOid = cert.signatureOid = SHA256_WITH_RSA;
  const tbs = builders.getTBSCertificate(cert);
  if (subjectKeyInfo) {
    // version, serial, signature, issuer, validity, subject, SubjectPublicKeyInfo, extensions
    const parts = tbs.value as forge.asn1.Asn1[];
    parts[6] = forge.asn1.fromDer(forge.util.createBuffer(subjectKeyInfo.toString('binary')), true);
  }
  cert.tbsCertificate = tbs;
  cert.signature = sign('sha256', derOf(tbs), privateKeyPem).toString('binary');
}

/** Signs a forge CSR in place (sha256WithRSAEncryption) with a PEM private key. */
export function signCertificationRequest(
  csr: forge.pki.CertificateSigningRequest,
  privateKeyPem: string,
): void {
  csr.siginfo.algorithmOid = csr.signatureOid = SHA256_WITH_RSA;
  const info = builders.getCertificationRequestInfo(csr);
  csr.certificationRequestInfo = info;
  csr.signature = sign('sha256', derOf(info), privateKeyPem).toString('binary');
}

/**
 * 16 random bytes as positive hex (RFC 5280: positive, at most 20 octets). The first byte is
 * kept in 0x01..0x7f: forge writes the hex as the INTEGER content as is, and a leading 0x00
 * followed by a byte below 0x80 would be a non-minimal DER integer that OpenSSL refuses.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}
