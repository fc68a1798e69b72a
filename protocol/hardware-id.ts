import * as z from 'zod';
import { MylicError } from './errors.js';

/**
 * Hardware ids (ARCHITECTURE §3, seed: Devices → Add, "MAC addresses can be always given like this").
 * Canonical form: 12 upper-case hex digits. Shown as 00-90-33-01-23-45.
 */
export const VENDOR_PREFIX = '009033';

const HEX12 = /^[0-9A-F]{12}$/;

/** Parses every input form of the seed: 00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx, xxxxxx. */
export function parseMac(input: string): string {
  // The forms are checked on the input as typed (ASCII hex in either case) and only then upper-cased:
  // upper-casing first would turn non-ASCII letters into hex digits (U+FB00 "ﬀ" becomes "FF").
  const raw = input.trim();
  let hex: string;
  if (
    /^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}\1[0-9A-Fa-f]{2}$/.test(
      raw,
    )
  ) {
    hex = raw.replace(/[-:]/g, '').toUpperCase();
  } else if (/^[0-9A-Fa-f]{12}$/.test(raw)) {
    hex = raw.toUpperCase();
  } else if (/^[0-9A-Fa-f]{6}$/.test(raw)) {
    hex = VENDOR_PREFIX + raw.toUpperCase();
  } else {
    throw new MylicError(
      'MAC_INVALID',
      `"${input}" is not a MAC address (use 00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx or xxxxxx).`,
    );
  }
  return hex;
}

export const formatMac = (hw: string): string => hw.match(/../g)!.join('-');

export const isCanonicalHardwareId = (s: string): boolean => HEX12.test(s);

/** A hardware id in canonical form, as it travels in the protocol. */
export const HardwareId = z.string().regex(HEX12, 'hardware id must be 12 upper-case hex digits');
/** A MAC as a person types it; parsed to the canonical form. */
export const MacInput = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    try {
      return parseMac(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

// ---------------------------------------------------------------------------------------------
// IPEI (DECT handsets; issue 5)

/**
 * IPEI of a DECT handset: 5-digit manufacturer code (EMC) + 7-digit serial (PSN) + check digit. The
 * check digit is the sum of position × digit over the 12 digits (positions 1–12) mod 11; 10 is
 * written `*`. Canonical form: the 13 characters without separators (`0007701234565`), which can
 * never be mistaken for a MAC (12 hex digits). Shown as `00077 0123456 5`.
 *
 * Accepted input: the 13 characters, or the three groups separated by spaces, dashes or dots. The
 * check digit is required and verified (a typo is then refused rather than registered).
 */
export function ipeiCheckDigit(twelveDigits: string): string {
  if (!/^[0-9]{12}$/.test(twelveDigits))
    throw new MylicError('IPEI_INVALID', 'An IPEI has 12 digits before its check digit.');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i + 1) * Number(twelveDigits[i]);
  const check = sum % 11;
  return check === 10 ? '*' : String(check);
}

export function parseIpei(input: string): string {
  const raw = input.trim();
  const m = /^([0-9]{5})[ .-]?([0-9]{7})[ .-]?([0-9*])$/.exec(raw);
  if (!m)
    throw new MylicError(
      'IPEI_INVALID',
      `"${input}" is not an IPEI (5-digit manufacturer, 7-digit serial and check digit, e.g. 00077 0123456 5).`,
    );
  const digits = m[1]! + m[2]!;
  const check = ipeiCheckDigit(digits);
  if (m[3] !== check)
    throw new MylicError(
      'IPEI_INVALID',
      `The check digit of IPEI "${input}" is wrong (expected ${check}): check for a typo.`,
    );
  return digits + check;
}

export const isIpei = (hardwareId: string): boolean => /^[0-9]{12}[0-9*]$/.test(hardwareId);

export const formatIpei = (ipei: string): string =>
  `${ipei.slice(0, 5)} ${ipei.slice(5, 12)} ${ipei.slice(12)}`;

export type HardwareIdKind = 'mac' | 'ipei';

/** A device identity as a person types it: a MAC in any form of the seed, or an IPEI. */
export function parseHardwareId(input: string): { hardwareId: string; kind: HardwareIdKind } {
  const raw = input.trim();
  // 13 characters (digits, last may be `*`) or 5-7-1 groups: an IPEI; everything else is read as a MAC.
  if (/^[0-9]{5}[ .-]?[0-9]{7}[ .-]?[0-9*]$/.test(raw)) return { hardwareId: parseIpei(raw), kind: 'ipei' };
  return { hardwareId: parseMac(raw), kind: 'mac' };
}

export const hardwareIdKind = (hardwareId: string): HardwareIdKind => (isIpei(hardwareId) ? 'ipei' : 'mac');

/** How a stored hardware id is shown: `00-90-33-01-23-45` or `00077 0123456 5`. */
export const formatHardwareId = (hardwareId: string): string =>
  isIpei(hardwareId) ? formatIpei(hardwareId) : HEX12.test(hardwareId) ? formatMac(hardwareId) : hardwareId;
