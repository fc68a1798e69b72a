import { constants, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { MylicError } from '../errors.js';
import type { DocumentKind } from './payloads.js';
import { boundedMemo } from '../memo.js';

/**
 * Detached RSA-PSS-SHA256 signatures over the exact payload bytes, domain-separated by kind:
 * the signed bytes are `kind + "/" + payload`, so a signature of one kind never passes as another.
 */

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;
const MIN_MODULUS_BITS = 2048;
/** Bounds the work an attacker-chosen key (the certificate inside an invalidation) can cause. */
const MAX_MODULUS_BITS = 8192;

const signedBytes = (kind: DocumentKind, payloadBytes: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`${kind}/`, 'utf8'), payloadBytes]);

/** Loads a private signing key (our own configuration: a bad one is a programming error). */
const privateKeyOf = boundedMemo(64, (pem) => createPrivateKey(pem));
const publicKeyOf = boundedMemo(1024, (pem) => createPublicKey(pem));

export function loadPrivateKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = privateKeyOf(pem);
  } catch (e) {
    throw new Error(`The ${what} cannot be read: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`The ${what} must be an RSA key, not ${key.asymmetricKeyType ?? 'unknown'}.`);
  return key;
}

/**
 * A public key from a certificate PEM or an SPKI PEM. Only RSA keys of 2048 to 8192 bits are
 * accepted (DOC_ALGORITHM_UNSUPPORTED otherwise).
 */
export function loadPublicKey(pem: string | KeyObject, what: string): KeyObject {
  let key: KeyObject;
  if (typeof pem === 'string') {
    try {
      key = publicKeyOf(pem);
    } catch (e) {
      throw new Error(`The ${what} cannot be read: ${(e as Error).message}`);
    }
  } else {
    key = pem;
  }
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

export function signPayload(kind: DocumentKind, payloadBytes: Uint8Array, key: KeyObject): Buffer {
  return sign('sha256', signedBytes(kind, payloadBytes), { key, ...PSS });
}

/** Throws DOC_SIGNATURE_INVALID unless `signature` is a valid signature of `kind/payload` by `key`. */
export function verifyPayload(
  kind: DocumentKind,
  payloadBytes: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): void {
  let ok = false;
  try {
    ok = verify('sha256', signedBytes(kind, payloadBytes), { key, ...PSS }, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new MylicError('DOC_SIGNATURE_INVALID');
}
