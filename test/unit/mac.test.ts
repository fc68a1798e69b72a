import { describe, expect, it } from 'vitest';
import { MylicError } from '../../protocol/errors.js';
import { formatMac, HardwareId, isCanonicalHardwareId, MacInput, parseMac, VENDOR_PREFIX } from '../../protocol/hardware-id.js';
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
    for (const input of ['00-90-33-ab-cd-ef', '00:90:33:ab:cd:ef', '009033abcdef', 'abcdef', '00-90-33-Ab-cD-eF']) {
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
