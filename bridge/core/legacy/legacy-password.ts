import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verifyPassword } from '../accounts/index.js';

const pbkdf2Async = promisify(pbkdf2);

/** The iterations the old scheme may ask for: below is no real hash, above is a way to burn our CPU. */
const ITERATIONS = { min: 1_000, max: 2_000_000 } as const;

/**
 * Checks a password against a hash of the old license manager's export (docs/legacy-import.md):
 * `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>` — PBKDF2-HMAC-SHA256 as the old system
 * stored it (node:crypto's pbkdf2, the derived key as long as the stored hash) — or our own
 * `scrypt$…` (bridge/core/accounts/passwords.ts), for accounts the export re-hashed. Anything else,
 * or iterations out of range, is no match. Constant-time comparison.
 */
export async function verifyLegacyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('scrypt$')) return verifyPassword(password, stored);
  const [scheme, iter, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iter || !salt || !hash || rest.length) return false;
  const iterations = Number(iter);
  if (!Number.isInteger(iterations) || iterations < ITERATIONS.min || iterations > ITERATIONS.max)
    return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length < 16 || expected.length > 64) return false;
  const key = await pbkdf2Async(password, Buffer.from(salt, 'base64'), iterations, expected.length, 'sha256');
  return timingSafeEqual(key, expected);
}

/** Makes a hash in the old scheme (the sample export, tests). */
export async function legacyPasswordHash(password: string, salt: Buffer, iterations = 100_000) {
  const key = await pbkdf2Async(password, salt, iterations, 32, 'sha256');
  return `pbkdf2-sha256$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}
