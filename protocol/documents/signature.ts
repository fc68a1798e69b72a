import { constants, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { MylicError } from '../errors.js';
import type { DocumentKind } from './payloads.js';
import { boundedMemo } from '../memo.js';

/**
 * Detached signatures over the exact payload bytes, domain-separated by kind: the signed bytes are
 * `kind + "/" + payload`, so a signature of one kind never passes as another.
 *
 * Two algorithms, named in the envelope: RSA-PSS-SHA256 (RSA keys of 2048 to 8192 bits: device keys,
 * and the license authority before issue 16) and Ed25519 (the license authority since issue 16). The
 * algorithm follows from the key: a key of one type never verifies a signature claiming the other.
 */

export const RSA_PSS_SHA256 = 'RSA-PSS-SHA256';
export const ED25519 = 'Ed25519';
/** Every signature algorithm a document may name; anything else is DOC_ALGORITHM_UNSUPPORTED. */
export const SIGNATURE_ALGS = [RSA_PSS_SHA256, ED25519] as const;
export type SignatureAlg = (typeof SIGNATURE_ALGS)[number];

export const isSignatureAlg = (s: string): s is SignatureAlg =>
  (SIGNATURE_ALGS as readonly string[]).includes(s);

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;
const MIN_MODULUS_BITS = 2048;
/** Bounds the work an attacker-chosen key (the certificate inside an invalidation) can cause. */
const MAX_MODULUS_BITS = 8192;

const signedBytes = (kind: DocumentKind, payloadBytes: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`${kind}/`, 'utf8'), payloadBytes]);

/** Loads a private signing key (our own configuration: a bad one is a programming error). */
const privateKeyOf = boundedMemo(64, (pem) => createPrivateKey(pem));
const publicKeyOf = boundedMemo(1024, (pem) => createPublicKey(pem));

function readPrivateKey(pem: string, what: string): KeyObject {
  try {
    return privateKeyOf(pem);
  } catch (e) {
    throw new Error(`The ${what} cannot be read: ${(e as Error).message}`);
  }
}

/** An RSA private key (the device key). */
export function loadPrivateKey(pem: string, what: string): KeyObject {
  const key = readPrivateKey(pem, what);
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`The ${what} must be an RSA key, not ${key.asymmetricKeyType ?? 'unknown'}.`);
  return key;
}

/** A license authority's private key: Ed25519 or RSA; the envelope will name the matching algorithm. */
export function loadSigningKey(pem: string, what: string): KeyObject {
  const key = readPrivateKey(pem, what);
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519')
    throw new Error(`The ${what} must be an Ed25519 or RSA key, not ${key.asymmetricKeyType ?? 'unknown'}.`);
  return key;
}

function readPublicKey(pem: string | KeyObject, what: string): KeyObject {
  if (typeof pem !== 'string') return pem;
  try {
    return publicKeyOf(pem);
  } catch (e) {
    throw new Error(`The ${what} cannot be read: ${(e as Error).message}`);
  }
}

/**
 * An RSA public key from a certificate PEM or an SPKI PEM. Only RSA keys of 2048 to 8192 bits are
 * accepted (DOC_ALGORITHM_UNSUPPORTED otherwise).
 */
export function loadPublicKey(pem: string | KeyObject, what: string): KeyObject {
  const key = readPublicKey(pem, what);
  checkRsaPublicKey(key, what);
  return key;
}

export function checkRsaPublicKey(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new MylicError(
      'DOC_ALGORITHM_UNSUPPORTED',
      `The ${what} is a ${key.asymmetricKeyType ?? 'unknown'} key; only RSA is allowed.`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS) {
    throw new MylicError(
      'DOC_ALGORITHM_UNSUPPORTED',
      `The ${what} has ${bits} bits; ${MIN_MODULUS_BITS} to ${MAX_MODULUS_BITS} are allowed.`,
    );
  }
}

/** The algorithm a (public or private) key signs with; DOC_ALGORITHM_UNSUPPORTED for any other key. */
export function algorithmOfKey(key: KeyObject, what: string): SignatureAlg {
  if (key.asymmetricKeyType === 'ed25519') return ED25519;
  checkRsaPublicKey(key, what);
  return RSA_PSS_SHA256;
}

/** Signs `kind/payload` with the algorithm of the key (RSA-PSS-SHA256 or Ed25519). */
export function signPayload(
  kind: DocumentKind,
  payloadBytes: Uint8Array,
  key: KeyObject,
): { alg: SignatureAlg; signature: Buffer } {
  const data = signedBytes(kind, payloadBytes);
  if (key.asymmetricKeyType === 'ed25519') return { alg: ED25519, signature: sign(null, data, key) };
  return { alg: RSA_PSS_SHA256, signature: sign('sha256', data, { key, ...PSS }) };
}

/**
 * Throws DOC_SIGNATURE_INVALID unless `signature` is a valid `alg` signature of `kind/payload` by `key`.
 * A key of the other algorithm's type is never used: an RSA key does not check a signature claiming
 * Ed25519, nor an Ed25519 key one claiming RSA-PSS.
 */
export function verifyPayload(
  kind: DocumentKind,
  payloadBytes: Uint8Array,
  alg: SignatureAlg,
  signature: Uint8Array,
  key: KeyObject,
): void {
  let ok = false;
  try {
    const data = signedBytes(kind, payloadBytes);
    if (alg === ED25519) ok = key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature);
    else ok = key.asymmetricKeyType === 'rsa' && verify('sha256', data, { key, ...PSS }, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new MylicError('DOC_SIGNATURE_INVALID');
}

/**
 * The license authorities a reader trusts: certificate or SPKI PEMs (or keys); a string may be a PEM
 * bundle of several (the bridge keeps its current authority first and the earlier one after it).
 */
export type TrustedSigners = string | KeyObject | readonly (string | KeyObject)[];

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

const isList = (s: TrustedSigners): s is readonly (string | KeyObject)[] => Array.isArray(s);

/** Each PEM block of a bundle on its own; a string without blocks is handed on as it is (and refused there). */
function pemBlocks(pem: string): string[] {
  const blocks = pem.match(PEM_BLOCK);
  return blocks && blocks.length > 1 ? blocks : [pem];
}

/**
 * Verifies a signature of the license authority. The envelope's algorithm picks the trusted key of
 * that type; none of that type is DOC_ALGORITHM_UNSUPPORTED (a device that does not trust an Ed25519
 * authority refuses Ed25519 documents), a signature that no trusted key of that type made is
 * DOC_SIGNATURE_INVALID. Every trusted key must itself be an allowed one (RSA 2048–8192 bits or
 * Ed25519): a wrong key in the trust list is DOC_ALGORITHM_UNSUPPORTED, whatever the document.
 */
export function verifyBySigners(
  kind: DocumentKind,
  env: { payloadBytes: Uint8Array; alg: SignatureAlg; signature: Uint8Array },
  signers: TrustedSigners,
  what = 'license authority public key',
): void {
  const list: readonly (string | KeyObject)[] = isList(signers) ? signers : [signers];
  const keys = list.flatMap((k) =>
    typeof k === 'string' ? pemBlocks(k).map((pem) => readPublicKey(pem, what)) : [k],
  );
  const ofAlg = keys.filter((k) => algorithmOfKey(k, what) === env.alg);
  if (ofAlg.length === 0) {
    throw new MylicError(
      'DOC_ALGORITHM_UNSUPPORTED',
      `The ${kind} document is signed with ${env.alg}, and no trusted license authority uses ${env.alg}.`,
    );
  }
  for (const key of ofAlg) {
    try {
      verifyPayload(kind, env.payloadBytes, env.alg, env.signature, key);
      return;
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
    }
  }
  throw new MylicError('DOC_SIGNATURE_INVALID');
}
