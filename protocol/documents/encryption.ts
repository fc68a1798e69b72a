import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { MylicError } from '../errors.js';

/**
 * Encryption of V8+ license files to one device (ARCHITECTURE §4): AES-256-GCM with a fresh key,
 * the key wrapped with RSA-OAEP-SHA256 to the device certificate's public key, and the hardware id
 * bound as additional authenticated data (`"license/" + hardwareId`).
 */

export const AES_KEY_BYTES = 32;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export interface EncryptedParts {
  /** The RSA-OAEP wrapped AES key. */
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly data: Buffer;
}

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;
const aad = (hardwareId: string): Buffer => Buffer.from(`license/${hardwareId}`, 'utf8');
const decryptFailed = (message?: string): MylicError => new MylicError('DOC_DECRYPT_FAILED', message);

export function encryptForDevice(
  plaintext: Uint8Array,
  hardwareId: string,
  devicePublicKey: KeyObject,
): EncryptedParts {
  // One draw from the random source for key and IV (two calls cost twice the call overhead).
  const random = randomBytes(AES_KEY_BYTES + GCM_IV_BYTES);
  const aesKey = random.subarray(0, AES_KEY_BYTES);
  const iv = Buffer.from(random.subarray(AES_KEY_BYTES));
  try {
    const cipher = createCipheriv('aes-256-gcm', aesKey, iv, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(aad(hardwareId));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    const key = publicEncrypt({ key: devicePublicKey, ...OAEP }, aesKey);
    return { key, iv, tag, data };
  } finally {
    aesKey.fill(0);
  }
}

/**
 * Unwraps the key with the device private key and decrypts; any failure (another device's key,
 * an altered key, iv, tag, ciphertext or hardware id) is DOC_DECRYPT_FAILED.
 */
export function decryptForDevice(
  parts: EncryptedParts,
  hardwareId: string,
  devicePrivateKeyPem: string,
): Buffer {
  if (parts.iv.length !== GCM_IV_BYTES)
    throw new MylicError('DOC_MALFORMED', `The iv must be ${GCM_IV_BYTES} bytes.`);
  if (parts.tag.length !== GCM_TAG_BYTES)
    throw new MylicError('DOC_MALFORMED', `The tag must be ${GCM_TAG_BYTES} bytes.`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(devicePrivateKeyPem);
  } catch {
    throw decryptFailed('The device key cannot be read.');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw decryptFailed('The device key is not an RSA key.');
  let aesKey: Buffer;
  try {
    aesKey = privateDecrypt({ key: privateKey, ...OAEP }, parts.key);
  } catch {
    throw decryptFailed();
  }
  try {
    if (aesKey.length !== AES_KEY_BYTES) throw decryptFailed();
    const decipher = createDecipheriv('aes-256-gcm', aesKey, parts.iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad(hardwareId));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.data), decipher.final()]);
  } catch (e) {
    if (e instanceof MylicError) throw e;
    throw decryptFailed();
  } finally {
    aesKey.fill(0);
  }
}
