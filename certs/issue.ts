/**
 * Issuing certificates: the root, the intermediate authorities and the end-entity certificates.
 *
 * forge assembles the X.509 structure, node:crypto signs it (see forge-sign.ts). Issuers are RSA; a
 * subject key is RSA, or Ed25519 for a signing certificate (the license authority since issue 16),
 * whose SubjectPublicKeyInfo node:crypto writes and forge only carries. The key usage
 * comes from one `usage` word so that a caller cannot forget an extension or mix, for example, a
 * CA flag with a TLS-server usage.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { MylicError } from '../protocol/errors.js';
import { isCanonicalHardwareId } from '../protocol/hardware-id.js';
import { signCertificate, randomSerialHex } from './forge-sign.js';
import { generateKeyPair, publicKeyOf } from './keys.js';
import { decodedAttributes, fromForgeFields, nameAttributes, toForgeFields } from './names.js';
import { parseCertificate } from './x509.js';

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'ca' | 'server' | 'client' | 'signing';

export interface IssueOptions {
  issuer: CertAndKey;
  subjectPublicKeyPem: string;
  commonName: string;
  organization?: string;
  /** Defaults to usage === 'ca'; must agree with it. */
  isCa?: boolean;
  /** Only for CAs: how many CA certificates may follow below this one. */
  pathLen?: number;
  validDays: number;
  /** Defaults to now minus 5 minutes, so a peer whose clock runs a little behind accepts it. */
  notBefore?: Date;
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertUsage;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;
/** Factory device certificates outlive the devices (seed: they are never renewed in the field). */
export const DEVICE_CERT_DAYS = 20 * 365;
export const DEVICE_ORGANIZATION = 'mylic device';

/** A self-signed root CA with a fresh RSA-2048 key. */
export function createRootCa(opts: {
  commonName: string;
  organization?: string;
  validDays: number;
  now?: Date;
}): CertAndKey {
  const { privateKeyPem, publicKeyPem } = generateKeyPair();
  const notBefore = new Date((opts.now ?? new Date()).getTime() - BACKDATE_MS);
  const cert = newCertificate(publicKeyPem, notBefore, opts.validDays);
  const subject = toForgeFields(
    nameAttributes({ commonName: opts.commonName, organization: opts.organization }),
  );
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const ski = keyIdentifier(cert.publicKey);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true },
    { name: 'keyUsage', critical: true, ...usageExtensions('ca').keyUsage },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ski },
  ]);
  signCertificate(cert, privateKeyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKeyPem };
}

/** A certificate for `subjectPublicKeyPem`, signed by `issuer`; returns the certificate PEM. */
export function issueCertificate(opts: IssueOptions): string {
  const isCa = opts.isCa ?? opts.usage === 'ca';
  if (isCa !== (opts.usage === 'ca')) throw new TypeError(`isCa=${isCa} contradicts usage "${opts.usage}"`);
  if (opts.pathLen !== undefined && (!isCa || !Number.isInteger(opts.pathLen) || opts.pathLen < 0)) {
    throw new TypeError('pathLen is a non-negative integer and only for CA certificates');
  }
  const issuer = readIssuer(opts.issuer);
  const subject = readSubjectKey(opts.subjectPublicKeyPem);
  if (subject.ed25519 && opts.usage !== 'signing')
    throw new TypeError(`An Ed25519 key only signs: usage "${opts.usage}" needs an RSA key`);

  const notBefore = opts.notBefore ?? new Date(Date.now() - BACKDATE_MS);
  // forge writes RSA keys only: for an Ed25519 subject it carries the issuer's key as a stand-in, and
  // the real SubjectPublicKeyInfo replaces it in the TBS before signing (signCertificate).
  const cert = newCertificate(subject.forgeKey ?? issuer.publicKey, notBefore, opts.validDays);
  cert.setSubject(
    toForgeFields(nameAttributes({ commonName: opts.commonName, organization: opts.organization })),
  );
  cert.setIssuer(toForgeFields(issuer.subject));

  const { keyUsage, extKeyUsage } = usageExtensions(opts.usage);
  const extensions: object[] = [
    {
      name: 'basicConstraints',
      critical: true,
      cA: isCa,
      ...(opts.pathLen !== undefined ? { pathLenConstraint: opts.pathLen } : {}),
    },
    { name: 'keyUsage', critical: true, ...keyUsage },
  ];
  if (extKeyUsage) extensions.push({ name: 'extKeyUsage', ...extKeyUsage });
  extensions.push(
    subject.ed25519
      ? { name: 'subjectKeyIdentifier', value: octetString(subject.ed25519.keyIdentifier) }
      : { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyIdentifier },
  );
  const altNames = subjectAltNames(opts.dnsNames ?? [], opts.ipAddresses ?? []);
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);

  signCertificate(cert, opts.issuer.keyPem, subject.ed25519?.spkiDer);
  return forge.pki.certificateToPem(cert);
}

interface SubjectKey {
  /** The RSA key as forge reads it; undefined for Ed25519. */
  forgeKey?: forge.pki.rsa.PublicKey;
  ed25519?: { spkiDer: Buffer; keyIdentifier: Buffer };
}

/** An RSA or Ed25519 SPKI PEM; anything else is CERT_MALFORMED. */
function readSubjectKey(pem: string): SubjectKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new MylicError(
      'CERT_MALFORMED',
      `The subject public key cannot be read (an RSA or Ed25519 SPKI PEM is expected): ${(e as Error).message}`,
    );
  }
  if (key.asymmetricKeyType === 'ed25519') {
    const spkiDer = key.export({ type: 'spki', format: 'der' });
    // RFC 5280 method 1: SHA-1 of the subjectPublicKey bits, the last 32 bytes of an Ed25519 SPKI.
    return {
      ed25519: { spkiDer, keyIdentifier: createHash('sha1').update(spkiDer.subarray(-32)).digest() },
    };
  }
  try {
    return { forgeKey: forge.pki.publicKeyFromPem(pem) };
  } catch (e) {
    throw new MylicError(
      'CERT_MALFORMED',
      `The subject public key cannot be read (an RSA or Ed25519 SPKI PEM is expected): ${(e as Error).message}`,
    );
  }
}

const octetString = (bytes: Buffer): forge.asn1.Asn1 =>
  forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, bytes.toString('binary'));

/** The factory certificate of a device: CN = hardware id, client usage, 20 years by default. */
export function issueDeviceCertificate(
  deviceCa: CertAndKey,
  publicKeyPem: string,
  hardwareId: string,
  opts: { validDays?: number; notBefore?: Date } = {},
): string {
  if (!isCanonicalHardwareId(hardwareId)) {
    throw new MylicError('MAC_INVALID', `"${hardwareId}" is not a hardware id (12 upper-case hex digits).`);
  }
  return issueCertificate({
    issuer: deviceCa,
    subjectPublicKeyPem: publicKeyPem,
    commonName: hardwareId,
    organization: DEVICE_ORGANIZATION,
    validDays: opts.validDays ?? DEVICE_CERT_DAYS,
    ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
    usage: 'client',
  });
}

function newCertificate(
  publicKey: string | forge.pki.rsa.PublicKey,
  notBefore: Date,
  validDays: number,
): forge.pki.Certificate {
  if (!(validDays > 0) || !Number.isFinite(validDays))
    throw new TypeError(`validDays must be a positive number, not ${validDays}`);
  if (Number.isNaN(notBefore.getTime())) throw new TypeError('notBefore is not a valid date');
  const cert = forge.pki.createCertificate();
  cert.version = 2; // v3
  cert.serialNumber = randomSerialHex();
  cert.publicKey = typeof publicKey === 'string' ? forge.pki.publicKeyFromPem(publicKey) : publicKey;
  // Certificates carry whole seconds; dropping the milliseconds here keeps notAfter - notBefore exact.
  const start = Math.floor(notBefore.getTime() / 1000) * 1000;
  cert.validity.notBefore = new Date(start);
  cert.validity.notAfter = new Date(start + Math.round(validDays * DAY_MS));
  return cert;
}

interface IssuerInfo {
  subject: ReturnType<typeof decodedAttributes>;
  keyIdentifier: string;
  publicKey: forge.pki.rsa.PublicKey;
}

/**
 * The issuer's name and key identifier, after checking that its key belongs to its certificate
 * and that it is a CA: otherwise the result would be a certificate nothing ever verifies.
 */
function readIssuer(issuer: CertAndKey): IssuerInfo {
  const x509 = parseCertificate(issuer.certPem, 'issuer certificate');
  if (!x509.ca)
    throw new MylicError(
      'CERT_CHAIN',
      `The issuer "${x509.subject.replace(/\n/g, ', ')}" is not a certification authority.`,
    );
  if (publicKeyOf(issuer.keyPem) !== x509.publicKey.export({ type: 'spki', format: 'pem' }).toString()) {
    throw new MylicError(
      'CERT_KEY_MISMATCH',
      'The issuer private key does not belong to the issuer certificate.',
    );
  }
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(issuer.certPem);
  } catch (e) {
    throw new MylicError(
      'CERT_MALFORMED',
      `The issuer certificate cannot be read (RSA expected): ${(e as Error).message}`,
    );
  }
  const skiExt = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyId = skiExt?.subjectKeyIdentifier
    ? forge.util.hexToBytes(skiExt.subjectKeyIdentifier)
    : keyIdentifier(cert.publicKey);
  return {
    subject: decodedAttributes(fromForgeFields(cert.subject.attributes)),
    keyIdentifier: keyId,
    publicKey: cert.publicKey as forge.pki.rsa.PublicKey,
  };
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (binary string, as forge wants it). */
const keyIdentifier = (key: forge.pki.PublicKey): string =>
  forge.pki.getPublicKeyFingerprint(key, { type: 'RSAPublicKey', encoding: 'binary' });

function usageExtensions(usage: CertUsage): {
  keyUsage: Record<string, boolean>;
  extKeyUsage?: Record<string, boolean>;
} {
  switch (usage) {
    case 'ca':
      return { keyUsage: { keyCertSign: true, cRLSign: true } };
    case 'server':
      return {
        keyUsage: { digitalSignature: true, keyEncipherment: true },
        extKeyUsage: { serverAuth: true },
      };
    case 'client':
      return {
        keyUsage: { digitalSignature: true, keyEncipherment: true },
        extKeyUsage: { clientAuth: true },
      };
    case 'signing':
      return { keyUsage: { digitalSignature: true, nonRepudiation: true } };
  }
}

const DNS_NAME =
  /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function subjectAltNames(dnsNames: string[], ipAddresses: string[]): object[] {
  const names: object[] = [];
  for (const dns of dnsNames) {
    if (!DNS_NAME.test(dns)) throw new TypeError(`"${dns}" is not a DNS name`);
    names.push({ type: 2, value: dns });
  }
  for (const ip of ipAddresses) {
    if (isIP(ip) === 0) throw new TypeError(`"${ip}" is not an IP address`);
    names.push({ type: 7, ip });
  }
  return names;
}
