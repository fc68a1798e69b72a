import { randomBytes } from 'node:crypto';
import { KEY_ALPHABET, KEY_LENGTH } from '../../../protocol/keys-api.js';

/**
 * A new activation key code: 25 characters of a 32-symbol alphabet (no 0/O/1/I), 125 random bits.
 * 32 is a power of two, so taking 5 bits of each random byte is unbiased.
 */
export function generateKeyCode(): string {
  const bytes = randomBytes(KEY_LENGTH);
  let code = '';
  for (const b of bytes) code += KEY_ALPHABET.charAt(b & 31);
  return code;
}

/** The name of a key in ledger entries and history: not secret, unlike the code. */
export const newKeyRef = () => `AK-${randomBytes(6).toString('hex').toUpperCase()}`;
