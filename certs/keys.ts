/**
 * Key material and how it reaches the disk.
 *
 * Every private-key operation in the project goes through node:crypto (native, constant-time,
 * maintained); node-forge only builds and parses certificate structures. Keys are written
 * atomically so that a crash or a concurrent reader never sees half a key, and private keys are
 * never readable by other users, not even for the moment between create and chmod.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MylicError } from '../protocol/errors.js';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** RSA-2048: what the devices in the field verify and what every TLS stack speaks. */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * Ed25519: the license authority's signing key since issue 16. A signature costs a few microseconds
 * where RSA-2048 costs ~0.27 ms; devices that know only the RSA authority keep verifying its files.
 */
export function generateEd25519KeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The SPKI PEM public key that belongs to a private key (any PEM format node reads). */
export function publicKeyOf(privateKeyPem: string): string {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment in the try block
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (e) {
    throw new MylicError('CERT_MALFORMED', `The private key cannot be read: ${(e as Error).message}`);
  }
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** Private keys: only the owner may read them. */
export function writeSecretFile(path: string, data: string): Promise<void> {
  return writeFileAtomic(path, data, 0o600);
}

/** Certificates and public keys: anyone may read them. */
export function writePublicFile(path: string, data: string): Promise<void> {
  return writeFileAtomic(path, data, 0o644);
}

/**
 * Temp file in the same directory (so rename is atomic), created with its final mode so the
 * content is never exposed, fsynced before the rename and the directory fsynced after it, so the
 * new name survives a power cut.
 */
async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data, 'utf8');
      // The umask may have taken bits off (0o644 under umask 077): set the mode we promise.
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment in the try block
  let dh;
  try {
    dh = await open(dir, 'r');
    await dh.sync();
  } catch (e) {
    // Some platforms (Windows) and file systems cannot open or fsync a directory; the rename
    // itself has happened, only its durability is best effort there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES')
      throw e;
  } finally {
    await dh?.close();
  }
}
