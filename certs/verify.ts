/**
 * Whether to trust a certificate: chain to a given anchor, validity at a given time, CA flags of
 * the issuers, and the expected name (the hardware id for device certificates).
 *
 * The time is a parameter, never the clock, so the bridge and the agent check with the time they
 * trust and tests can ask about any moment. Checks run in node's native X509Certificate.
 */
import type { X509Certificate } from 'node:crypto';
import { MylicError } from '../protocol/errors.js';
import { commonNameOf, formatTime, keyUsageOf, parseCertificate, validityOf } from './x509.js';

export type ChainErrorCode =
  | 'CERT_MALFORMED'
  | 'CERT_CHAIN'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_HW_MISMATCH'
  | 'CERT_USAGE';

export type ChainResult =
  | { ok: true; commonName: string }
  | { ok: false; code: ChainErrorCode; message: string };

export interface VerifyOptions {
  /** Intermediates (any order) and, last, the trust anchor the leaf must chain to. */
  issuers: string[];
  /** The moment at which every certificate of the chain must be valid. */
  at: Date;
  /** Compared exactly with the leaf's subject CN when given. */
  expectedCommonName?: string;
}

export function verifyCertificate(leafPem: string, opts: VerifyOptions): ChainResult {
  if (!(opts.at instanceof Date) || Number.isNaN(opts.at.getTime()))
    throw new TypeError('verifyCertificate: `at` must be a valid Date');
  try {
    return check(leafPem, opts);
  } catch (e) {
    if (e instanceof MylicError && e.code === 'CERT_MALFORMED')
      return { ok: false, code: 'CERT_MALFORMED', message: e.message };
    throw e;
  }
}

/** verifyCertificate that throws MylicError(code, message) instead of returning ok: false. */
export function assertCertificate(leafPem: string, opts: VerifyOptions): { ok: true; commonName: string } {
  const result = verifyCertificate(leafPem, opts);
  if (!result.ok) throw new MylicError(result.code, result.message);
  return result;
}

interface Link {
  x509: X509Certificate;
  role: string;
}

function check(leafPem: string, { issuers, at, expectedCommonName }: VerifyOptions): ChainResult {
  const leaf: Link = { x509: parseCertificate(leafPem, 'certificate'), role: 'certificate' };
  const parsed = issuers.map((pem, i) =>
    parseCertificate(pem, i === issuers.length - 1 ? 'trust anchor' : `issuer certificate #${i + 1}`),
  );
  const anchor = parsed.at(-1);
  if (!anchor) return fail('CERT_CHAIN', 'No trust anchor was given to check the certificate against.');

  // Walk up: at each step prefer the anchor, else an unused intermediate that issued and signed
  // the current certificate. Each intermediate is used at most once, so the walk ends.
  const chain: Link[] = [leaf];
  const unused = parsed.slice(0, -1);
  let current = leaf.x509;
  for (;;) {
    if (issuedBy(current, anchor)) {
      if (current !== anchor) chain.push({ x509: anchor, role: 'trust anchor' });
      break;
    }
    const next = unused.findIndex((c) => issuedBy(current, c));
    if (next < 0) {
      const what = current === leaf.x509 ? 'The certificate' : `The issuer certificate "${nameOf(current)}"`;
      return fail(
        'CERT_CHAIN',
        `${what} was not issued by "${nameOf(anchor)}"${unused.length > 0 ? ' or one of the given intermediate certificates' : ''} (issuer "${commonNameOf(current, 'issuer')}").`,
      );
    }
    current = unused.splice(next, 1)[0]!;
    chain.push({ x509: current, role: 'issuer certificate' });
  }

  // Every certificate that signed another must be a CA (a stolen leaf key must not mint certificates).
  for (const link of chain.slice(1)) {
    if (!link.x509.ca)
      return fail(
        'CERT_CHAIN',
        `The ${link.role} "${nameOf(link.x509)}" is not a certification authority, yet it issued a certificate of the chain.`,
      );
  }

  for (const link of chain) {
    const { notBefore, notAfter } = validityOf(link.x509);
    const subject =
      link === chain[0]
        ? `The certificate "${nameOf(link.x509)}"`
        : `The ${link.role} "${nameOf(link.x509)}"`;
    if (at.getTime() < notBefore.getTime()) {
      return fail(
        'CERT_NOT_YET_VALID',
        `${subject} is not valid before ${formatTime(notBefore)} (checked at ${formatTime(at)}; is the clock behind?).`,
      );
    }
    if (at.getTime() > notAfter.getTime()) {
      return fail(
        'CERT_EXPIRED',
        `${subject} expired on ${formatTime(notAfter)} (checked at ${formatTime(at)}).`,
      );
    }
  }

  const commonName = commonNameOf(leaf.x509);
  if (expectedCommonName !== undefined && commonName !== expectedCommonName) {
    return fail(
      'CERT_HW_MISMATCH',
      `The certificate belongs to "${commonName}", not to "${expectedCommonName}".`,
    );
  }
  return { ok: true, commonName };
}

export interface DeviceCertificateOptions {
  /** The Device Certification Authority: the leaf must be issued, and signed, by exactly this certificate. */
  deviceCa: string;
  /** The root the device CA chains to. */
  root: string;
  at: Date;
  /** The device's hardware id, the leaf's CN. */
  hardwareId: string;
}

/** id-kp-clientAuth: what the factory and "request certificate" put into device certificates. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * Whether a certificate is this device's certificate (issue 11). verifyCertificate alone takes any
 * certificate below the root, and the root also signs the license authority and the TLS server, so
 * only the CN told those apart. Here the issuer is pinned: the leaf must be issued and signed by the
 * Device Certification Authority itself (not by any certificate of that name), the device CA must
 * chain to the root, and the leaf must be what the device CA issues to devices: no CA, key usage
 * digitalSignature (challenges and invalidations are signed with it) and keyEncipherment (license
 * files are encrypted to it), extended key usage clientAuth. Then validity and the hardware id.
 */
export function verifyDeviceCertificate(leafPem: string, opts: DeviceCertificateOptions): ChainResult {
  if (!(opts.at instanceof Date) || Number.isNaN(opts.at.getTime()))
    throw new TypeError('verifyDeviceCertificate: `at` must be a valid Date');
  try {
    // The device CA as the only anchor: the leaf must be issued directly by it, checked by signature.
    const direct = check(leafPem, { issuers: [opts.deviceCa], at: opts.at });
    if (!direct.ok) return direct;
    const ca = check(opts.deviceCa, { issuers: [opts.root], at: opts.at });
    if (!ca.ok)
      return fail(
        ca.code === 'CERT_HW_MISMATCH' ? 'CERT_CHAIN' : ca.code,
        `The Device Certification Authority's certificate does not chain to the root: ${ca.message}`,
      );

    const leaf = parseCertificate(leafPem);
    const what = `The certificate "${nameOf(leaf)}" is not a device certificate`;
    if (leaf.ca) return fail('CERT_USAGE', `${what}: it is a certification authority.`);
    const usage = keyUsageOf(leaf);
    const missing = (['digitalSignature', 'keyEncipherment'] as const).filter((b) => !usage?.has(b));
    if (missing.length > 0)
      return fail('CERT_USAGE', `${what}: its key usage lacks ${missing.join(' and ')}.`);
    const extended = leaf.keyUsage ?? [];
    if (!extended.includes(CLIENT_AUTH))
      return fail('CERT_USAGE', `${what}: its extended key usage lacks clientAuth.`);

    const commonName = commonNameOf(leaf);
    if (commonName !== opts.hardwareId)
      return fail(
        'CERT_HW_MISMATCH',
        `The certificate belongs to "${commonName}", not to "${opts.hardwareId}".`,
      );
    return { ok: true, commonName };
  } catch (e) {
    if (e instanceof MylicError && e.code === 'CERT_MALFORMED')
      return { ok: false, code: 'CERT_MALFORMED', message: e.message };
    throw e;
  }
}

/** verifyDeviceCertificate that throws MylicError(code, message) instead of returning ok: false. */
export function assertDeviceCertificate(
  leafPem: string,
  opts: DeviceCertificateOptions,
): { ok: true; commonName: string } {
  const result = verifyDeviceCertificate(leafPem, opts);
  if (!result.ok) throw new MylicError(result.code, result.message);
  return result;
}

/** Issuer name matches and the signature verifies with the issuer's key. */
function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

const nameOf = (x509: X509Certificate): string => commonNameOf(x509) || x509.subject.replace(/\n/g, ', ');

const fail = (code: ChainErrorCode, message: string): ChainResult => ({ ok: false, code, message });
