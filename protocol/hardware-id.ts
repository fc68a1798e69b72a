import { z } from 'zod';
import { MylicError } from './errors.js';

/**
 * Hardware ids (ARCHITECTURE §3, seed: Devices → Add, "MAC addresses can be always given like this").
 * Canonical form: 12 upper-case hex digits. Shown as 00-90-33-01-23-45.
 */
export const VENDOR_PREFIX = '009033';

const HEX12 = /^[0-9A-F]{12}$/;

/** Parses every input form of the seed: 00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx, xxxxxx. */
export function parseMac(input: string): string {
  const raw = input.trim().toUpperCase();
  let hex: string;
  if (/^[0-9A-F]{2}([-:])[0-9A-F]{2}\1[0-9A-F]{2}\1[0-9A-F]{2}\1[0-9A-F]{2}\1[0-9A-F]{2}$/.test(raw)) {
    hex = raw.replace(/[-:]/g, '');
  } else if (/^[0-9A-F]{12}$/.test(raw)) {
    hex = raw;
  } else if (/^[0-9A-F]{6}$/.test(raw)) {
    hex = VENDOR_PREFIX + raw;
  } else {
    throw new MylicError('MAC_INVALID', `"${input}" is not a MAC address (use 00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx or xxxxxx).`);
  }
  return hex;
}

export const formatMac = (hw: string): string => hw.match(/../g)!.join('-');

export const isCanonicalHardwareId = (s: string): boolean => HEX12.test(s);

/** A hardware id in canonical form, as it travels in the protocol. */
export const HardwareId = z.string().regex(HEX12, 'hardware id must be 12 upper-case hex digits');
/** A MAC as a person types it; parsed to the canonical form. */
export const MacInput = z.string().max(64).transform((s, ctx) => {
  try {
    return parseMac(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
