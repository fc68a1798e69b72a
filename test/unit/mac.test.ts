import { describe, expect, it } from 'vitest';
import type { MylicError } from '../../protocol/errors.js';
import { macRange } from '../../bridge/core/devices/index.js';
import {
  formatMac,
  HardwareId,
  isCanonicalHardwareId,
  MacInput,
  parseHardwareId,
  parseIpei,
  parseMac,
  VENDOR_PREFIX,
} from '../../protocol/hardware-id.js';
import { codeOf } from '../support/error-code.js';

/** Seed (Devices → Add): "MAC addresses can be always given like this"; ARCHITECTURE §3. */

describe('parseMac', () => {
  it.each([
    ['00-90-33-01-23-45', 'dashed, as the portal shows it'],
    ['00:90:33:01:23:45', 'with colons'],
    ['009033012345', 'twelve digits'],
    ['012345', 'six digits: the vendor prefix 00-90-33 is added'],
  ])('accepts %s (%s)', (input) => {
    expect(parseMac(input)).toBe('009033012345');
  });

  it('accepts every form in lower case and gives upper-case hex', () => {
    for (const input of [
      '00-90-33-ab-cd-ef',
      '00:90:33:ab:cd:ef',
      '009033abcdef',
      'abcdef',
      '00-90-33-Ab-cD-eF',
    ]) {
      expect(parseMac(input), input).toBe('009033ABCDEF');
    }
  });

  it('ignores surrounding white space', () => {
    for (const input of ['  00-90-33-ab-cd-ef', '00:90:33:AB:CD:EF  ', '\t009033abcdef\n', ' abcdef ']) {
      expect(parseMac(input), JSON.stringify(input)).toBe('009033ABCDEF');
    }
  });

  it('adds the prefix to six digits only, and keeps another prefix of twelve digits', () => {
    expect(parseMac('000001')).toBe(`${VENDOR_PREFIX}000001`);
    // RMA devices (seed: Devices → List) and other vendors' boxes keep their own first half.
    expect(parseMac('01-90-33-08-20-20')).toBe('019033082020');
  });

  it('gives the canonical form the protocol carries', () => {
    const hw = parseMac('00:90:33:08:20:20');
    expect(isCanonicalHardwareId(hw)).toBe(true);
    expect(HardwareId.safeParse(hw).success).toBe(true);
  });

  it.each([
    ['00-90-33-zz', 'non-hex digits'],
    ['00-90-33-zz-zz-zz', 'non-hex digits in full form'],
    ['00-90:33-01-23-45', 'mixed separators'],
    ['00:90:33-01:23:45', 'mixed separators'],
    ['00-90-33:01-23-45', 'mixed separators'],
    ['0090330123456', '13 digits'],
    ['00903301234', '11 digits'],
    ['01234', '5 digits'],
    ['', 'empty'],
    ['   ', 'only spaces'],
    ['00 90 33 01 23 45', 'space separators'],
    ['00-90-33-01-23-45-67', 'seven groups'],
    ['0-90-33-01-23-45', 'a group of one digit'],
    ['009033-012345', 'one separator in the middle'],
    ['00.90.33.01.23.45', 'dots'],
  ])('refuses %j (%s) with MAC_INVALID', (input) => {
    expect(codeOf(() => parseMac(input))).toBe('MAC_INVALID');
  });

  it('names the accepted forms in its error message', () => {
    try {
      parseMac('00-90-33-zz');
      expect.unreachable();
    } catch (e) {
      expect((e as MylicError).message).toContain('00-90-33-zz');
      expect((e as MylicError).message).toMatch(/00-90-33-xx-xx-xx/);
      expect((e as MylicError).status).toBe(400);
    }
  });

  it('refuses the vendor prefix alone instead of turning it into a MAC', () => {
    // "00-90-33" is the prefix a person typed before the device part; it is none of the four
    // forms of the seed, yet it would become the device 00-90-33-00-90-33.
    expect(codeOf(() => parseMac('00-90-33'))).toBe('MAC_INVALID');
    expect(codeOf(() => parseMac('00:90:33'))).toBe('MAC_INVALID');
  });

  it('refuses a non-ASCII letter that only upper-cases to hex digits (issue 11)', () => {
    // U+FB00 LATIN SMALL LIGATURE FF upper-cases to the two ASCII letters "FF": checked after
    // upper-casing, "00-90-33-01-02-\uFB00" became the device 00-90-33-01-02-FF.
    for (const input of [
      '00-90-33-01-02-\uFB00',
      '00:90:33:01:02:\uFB00',
      '0090330102\uFB00',
      '0102\uFB00',
      'abcd\uFB00',
    ]) {
      expect(
        codeOf(() => parseMac(input)),
        JSON.stringify(input),
      ).toBe('MAC_INVALID');
      expect(
        codeOf(() => parseHardwareId(input)),
        JSON.stringify(input),
      ).toBe('MAC_INVALID');
    }
    expect(MacInput.safeParse('00-90-33-01-02-\uFB00').success).toBe(false);
    // Other letters whose upper case is ASCII (long s, dotless i) or full-width hex digits stay refused too.
    for (const input of [
      '00-90-33-01-02-\u017F\u017F',
      '00-90-33-01-02-\uFF21\uFF22',
      '\uFF10\uFF10\uFF19\uFF10\uFF13\uFF13012345',
    ]) {
      expect(
        codeOf(() => parseMac(input)),
        JSON.stringify(input),
      ).toBe('MAC_INVALID');
    }
  });
});

describe('parseIpei and non-ASCII input', () => {
  it("takes ASCII digits only: full-width or other scripts' digits are refused, not folded", () => {
    expect(parseIpei('00077 0123456 5')).toBe('0007701234565');
    // Arabic-Indic and full-width digits look like an IPEI to a person; they are not one.
    for (const input of [
      '\u0660\u0660\u0660\u0667\u0667 0123456 5',
      '\uFF10\uFF10\uFF10\uFF17\uFF17 0123456 5',
      '00077 0123456 \uFF15',
    ]) {
      expect(
        codeOf(() => parseIpei(input)),
        JSON.stringify(input),
      ).toBe('IPEI_INVALID');
      expect(['IPEI_INVALID', 'MAC_INVALID']).toContain(codeOf(() => parseHardwareId(input)));
    }
  });
});

describe('MAC ranges (issue 11)', () => {
  it('never leave the vendor prefix (the first three bytes) of their start', () => {
    // 00-90-33-FF-FF-FE … 00-90-34-00-00-01 is four addresses, two of them another vendor's.
    const e = (() => {
      try {
        macRange('00-90-33-FF-FF-FE', '00-90-34-00-00-01');
      } catch (err) {
        return err as MylicError;
      }
      return null;
    })();
    expect(e?.code).toBe('DEVICE_RANGE_INVALID');
    expect(e?.message).toContain('00-90-33');
    expect(e?.message).toContain('00-90-34-00-00-01');
    // Six-digit ends take the vendor prefix and so can never leave it; twelve-digit ends of another
    // prefix stay within theirs.
    expect(macRange('FFFFFE', 'FFFFFF').map((i) => i.hardwareId)).toEqual(['009033FFFFFE', '009033FFFFFF']);
    expect(macRange('01-90-33-FF-FF-FF', '01-90-33-FF-FF-FF').map((i) => i.hardwareId)).toEqual([
      '019033FFFFFF',
    ]);
    expect(codeOf(() => macRange('01-90-33-FF-FF-FF', '01-90-34-00-00-00'))).toBe('DEVICE_RANGE_INVALID');
    expect(codeOf(() => macRange('00-90-33-00-00-00', '01-90-33-00-00-01'))).toBe('DEVICE_RANGE_INVALID');
  });
});

describe('MacInput', () => {
  it('parses a typed MAC to the canonical form and reports a bad one as a schema issue', () => {
    expect(MacInput.parse(' 00:90:33:ab:cd:ef ')).toBe('009033ABCDEF');
    const bad = MacInput.safeParse('00-90-33-zz');
    expect(bad.success).toBe(false);
    expect(MacInput.safeParse('x'.repeat(65)).success).toBe(false);
  });
});

describe('formatMac', () => {
  it('shows a hardware id with dashes, as the portal does', () => {
    expect(formatMac('009033012345')).toBe('00-90-33-01-23-45');
    expect(formatMac('009033ABCDEF')).toBe('00-90-33-AB-CD-EF');
  });

  it('round-trips with parseMac', () => {
    for (const hw of ['009033000000', '009033FFFFFF', '019033082020']) {
      expect(parseMac(formatMac(hw))).toBe(hw);
    }
  });
});
