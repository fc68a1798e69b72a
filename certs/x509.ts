/**
 * Reading certificates with node's native X509Certificate, the one parser every check relies on.
 *
 * Inputs come from devices and uploads, so size is bounded before parsing and every parse failure
 * becomes CERT_MALFORMED with the reason, instead of an OpenSSL error escaping to the caller.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { MylicError } from '../protocol/errors.js';
import { boundedMemo } from '../protocol/memo.js';

/** A certificate PEM is ~1.5 KB; a chain of a few is well below this. */
export const MAX_CERT_PEM_BYTES = 64 * 1024;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * The first certificate of a PEM text. X509Certificate alone would also take DER and silently
 * read only the first of several PEM blocks; requiring the armour keeps garbage out.
 */
const parsedCertificate = boundedMemo(1024, (pem) => new X509Certificate(pem));

export function parseCertificate(pem: string, what = 'certificate'): X509Certificate {
  if (typeof pem !== 'string' || pem.length === 0)
    throw new MylicError('CERT_MALFORMED', `The ${what} is empty.`);
  if (Buffer.byteLength(pem, 'utf8') > MAX_CERT_PEM_BYTES) {
    throw new MylicError('CERT_MALFORMED', `The ${what} is larger than ${MAX_CERT_PEM_BYTES} bytes.`);
  }
  const block = PEM_CERT.exec(pem);
  if (!block) throw new MylicError('CERT_MALFORMED', `The ${what} is not a PEM certificate.`);
  try {
    return parsedCertificate(block[0]);
  } catch (e) {
    throw new MylicError('CERT_MALFORMED', `The ${what} cannot be read: ${(e as Error).message}`);
  }
}

/**
 * The subject (or issuer) common name, unescaped. toLegacyObject gives the decoded values; the
 * `subject` string escapes RFC 2253 specials. Several CNs are ambiguous and count as none.
 */
export function commonNameOf(x509: X509Certificate, field: 'subject' | 'issuer' = 'subject'): string {
  const name = x509.toLegacyObject()[field] as unknown as
    | Record<string, string | string[] | undefined>
    | undefined;
  const cn = name?.CN;
  return typeof cn === 'string' ? cn : '';
}

/** validFrom / validTo as Dates (OpenSSL's "Jan  1 00:00:00 2031 GMT"). */
export function validityOf(x509: X509Certificate): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new MylicError(
      'CERT_MALFORMED',
      `The certificate validity cannot be read (${x509.validFrom} – ${x509.validTo}).`,
    );
  }
  return { notBefore, notAfter };
}

/** 2031-01-01 00:00:00 UTC: readable, unambiguous, no milliseconds (certificates have none). */
export const formatTime = (d: Date): string => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

/**
 * The key usage bits a certificate sets, or null when it has no key usage extension. Node's
 * X509Certificate has the CA flag (`ca`) and the extended key usage (`keyUsage`, despite its name)
 * but not these bits, so the extension is read with forge's ASN.1 from the DER node already parsed.
 */
export function keyUsageOf(x509: X509Certificate): Set<KeyUsageBit> | null {
  try {
    const cert = forge.asn1.fromDer(forge.util.createBuffer(x509.raw.toString('binary')));
    const tbs = (cert.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
    // extensions [3] EXPLICIT, the last optional part of the TBSCertificate
    const tagged = tbs.find((v) => v.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && v.type === 3);
    if (!tagged) return null;
    const pki = forge.pki as unknown as {
      certificateExtensionsFromAsn1(
        exts: forge.asn1.Asn1,
      ): Array<{ name?: string } & Partial<Record<KeyUsageBit, boolean>>>;
    };
    const ext = pki.certificateExtensionsFromAsn1(tagged).find((e) => e.name === 'keyUsage');
    if (!ext) return null;
    const bits: KeyUsageBit[] = [
      'digitalSignature',
      'nonRepudiation',
      'keyEncipherment',
      'dataEncipherment',
      'keyAgreement',
      'keyCertSign',
      'cRLSign',
    ];
    return new Set(bits.filter((b) => ext[b] === true));
  } catch (e) {
    throw new MylicError(
      'CERT_MALFORMED',
      `The key usage of the certificate cannot be read: ${(e as Error).message}`,
    );
  }
}
