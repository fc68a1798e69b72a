import { describe, expect, it } from 'vitest';
import { macRange, parseDeviceFile } from '../../bridge/core/devices/index.js';
import { deviceMatch, hardwareIdPart } from '../../bridge/core/devices/index.js';
import { looksLikeHardwareId } from '../../bridge/core/devices/index.js';
import { licenseQuery } from '../../bridge/core/devices/index.js';
import type { MylicError } from '../../protocol/errors.js';
import {
  formatHardwareId,
  formatIpei,
  hardwareIdKind,
  ipeiCheckDigit,
  isIpei,
  parseHardwareId,
  parseIpei,
} from '../../protocol/hardware-id.js';
import { codeOf } from '../support/error-code.js';

/**
 * IPEI of DECT handsets (issue 5): 5-digit manufacturer + 7-digit serial + check digit = sum of
 * position × digit over the 12 digits mod 11, 10 written `*`. And the other pure pieces of the devices
 * area: device ids in files and ranges, names that pose as ids, the search's matching forms.
 */

describe('IPEI check digit', () => {
  it('is the sum of position × digit mod 11, worked by hand', () => {
    // 0·1+0·2+0·3+7·4+7·5+0·6+1·7+2·8+3·9+4·10+5·11+6·12 = 280; 280 mod 11 = 5
    expect(ipeiCheckDigit('000770123456')).toBe('5');
    // … with the last digit 7: 280 − 72 + 84 = 292; 292 mod 11 = 6
    expect(ipeiCheckDigit('000770123457')).toBe('6');
    // … with the last digit 0: 280 − 72 = 208; 208 mod 11 = 10, written *
    expect(ipeiCheckDigit('000770123450')).toBe('*');
    expect(ipeiCheckDigit('000000000000')).toBe('0');
    // 1·1 = 1
    expect(ipeiCheckDigit('100000000000')).toBe('1');
  });

  it('agrees with a direct computation for many serials', () => {
    for (let n = 0; n < 2000; n++) {
      const digits = `0${String(77 + (n % 13)).padStart(4, '0')}${String(n * 4999)
        .padStart(7, '0')
        .slice(-7)}`;
      const sum = [...digits].reduce((s, d, i) => s + (i + 1) * Number(d), 0) % 11;
      expect(ipeiCheckDigit(digits)).toBe(sum === 10 ? '*' : String(sum));
    }
  });

  it('needs exactly 12 digits', () => {
    expect(codeOf(() => ipeiCheckDigit('00077012345'))).toBe('IPEI_INVALID');
    expect(codeOf(() => ipeiCheckDigit('00077012345A'))).toBe('IPEI_INVALID');
  });
});

describe('parseIpei', () => {
  it.each([
    ['0007701234565', 'thirteen characters'],
    ['00077 0123456 5', 'groups with spaces, as shown'],
    ['00077-0123456-5', 'groups with dashes'],
    ['00077.0123456.5', 'groups with dots'],
    ['  00077 0123456 5 ', 'surrounding white space'],
  ])('accepts %s (%s)', (input) => {
    expect(parseIpei(input)).toBe('0007701234565');
  });

  it('keeps * as the check digit 10', () => {
    expect(parseIpei('00077 0123450 *')).toBe('000770123450*');
    expect(isIpei('000770123450*')).toBe(true);
    expect(formatIpei('000770123450*')).toBe('00077 0123450 *');
  });

  it('refuses a wrong check digit with the expected one in the message', () => {
    let message = '';
    try {
      parseIpei('00077 0123456 4');
    } catch (e) {
      message = (e as Error).message;
      expect((e as MylicError).code).toBe('IPEI_INVALID');
    }
    expect(message).toContain('expected 5');
    expect(codeOf(() => parseIpei('00077 0123450 0'))).toBe('IPEI_INVALID');
  });

  it('refuses a missing check digit, letters and wrong group sizes', () => {
    for (const bad of [
      '000770123456',
      '00077 0123456',
      '0007 70123456 5',
      'A0077 0123456 5',
      '00077 0123456 55',
      '',
      '00077  0123456 5',
    ]) {
      expect(
        codeOf(() => parseIpei(bad)),
        JSON.stringify(bad),
      ).toBe('IPEI_INVALID');
    }
  });
});

describe('device identities', () => {
  it('reads an IPEI as an IPEI and everything else as a MAC', () => {
    expect(parseHardwareId('00077 0123456 5')).toEqual({ hardwareId: '0007701234565', kind: 'ipei' });
    expect(parseHardwareId('00-90-33-08-20-20')).toEqual({ hardwareId: '009033082020', kind: 'mac' });
    expect(parseHardwareId('082020')).toEqual({ hardwareId: '009033082020', kind: 'mac' });
    // Twelve digits are a MAC (no check digit): an IPEI is never mistaken for one and back.
    expect(parseHardwareId('000770123456')).toEqual({ hardwareId: '000770123456', kind: 'mac' });
    expect(codeOf(() => parseHardwareId('00077 0123456 9'))).toBe('IPEI_INVALID');
    expect(codeOf(() => parseHardwareId('not a device'))).toBe('MAC_INVALID');
  });

  it('shows each kind in its own form', () => {
    expect(formatHardwareId('009033082020')).toBe('00-90-33-08-20-20');
    expect(formatHardwareId('0007701234565')).toBe('00077 0123456 5');
    expect(hardwareIdKind('0007701234565')).toBe('ipei');
    expect(hardwareIdKind('009033082020')).toBe('mac');
  });

  it('refuses names that pose as a MAC or an IPEI, and allows the rest', () => {
    for (const name of [
      '00-90-33-01-02-03',
      '00:90:33:01:02:03',
      '009033010203',
      'DEADBEEF0001',
      '00077 0123456 5',
      '00077 0123456 4',
    ]) {
      expect(looksLikeHardwareId(name), name).toBe(true);
    }
    for (const name of ['Reception', 'decade', 'cafe01', 'PBX Floor 2', '0815', 'IP6000 room 12']) {
      expect(looksLikeHardwareId(name), name).toBe(false);
    }
  });
});

describe('ranges and files of devices', () => {
  it('counts a range with both ends and refuses more than 50', () => {
    const r = macRange('00-90-33-08-20-00', '00-90-33-08-20-31');
    expect(r).toHaveLength(50);
    expect(r[0]).toMatchObject({ line: 1, hardwareId: '009033082000' });
    expect(r[49]).toMatchObject({ line: 50, hardwareId: '009033082031' });
    // The seed's own example holds 513 addresses.
    expect(codeOf(() => macRange('00-90-33-08-20-00', '00-90-33-08-22-00'))).toBe('DEVICE_BATCH_TOO_LARGE');
    expect(codeOf(() => macRange('00-90-33-08-20-01', '00-90-33-08-20-00'))).toBe('DEVICE_RANGE_INVALID');
    expect(macRange('0820FF', '082101').map((i) => i.input)).toEqual([
      '00-90-33-08-20-FF',
      '00-90-33-08-21-00',
      '00-90-33-08-21-01',
    ]);
  });

  it("reads one device per line, ignoring blank lines and white space, and the seed's one-line example", () => {
    const items = parseDeviceFile(
      '\uFEFF 00-90-33-08-20-20 \r\n\r\n\t00:90:33:08:20:21\n009033082022\n\n082023\n00077 0123456 5\n',
    );
    expect(items.map((i) => [i.line, i.hardwareId, i.kind])).toEqual([
      [1, '009033082020', 'mac'],
      [3, '009033082021', 'mac'],
      [4, '009033082022', 'mac'],
      [6, '009033082023', 'mac'],
      [7, '0007701234565', 'ipei'],
    ]);
    expect(
      parseDeviceFile('00-90-33-08-20-20 00-90-33-08-20-21 00-90-33-08-20-22 00-90-33-24-20-20').map(
        (i) => i.hardwareId,
      ),
    ).toEqual(['009033082020', '009033082021', '009033082022', '009033242020']);
  });

  it('lists every bad line at once and refuses empty or oversized files', () => {
    try {
      parseDeviceFile('00-90-33-08-20-20\nhello\n00-90-33-08-20-2G\n');
      throw new Error('no error');
    } catch (e) {
      expect((e as MylicError).code).toBe('MAC_INVALID');
      expect((e as MylicError).details).toMatchObject({
        lines: [
          { line: 2, input: 'hello' },
          { line: 3, input: '00-90-33-08-20-2G' },
        ],
      });
    }
    expect(codeOf(() => parseDeviceFile(' \n\n'))).toBe('VALIDATION_FAILED');
    const many = Array.from({ length: 51 }, (_, i) => (0x082000 + i).toString(16).padStart(6, '0')).join(
      '\n',
    );
    expect(codeOf(() => parseDeviceFile(many))).toBe('DEVICE_BATCH_TOO_LARGE');
  });
});

describe('search forms', () => {
  it('finds the compact hardware id in any typed form', () => {
    expect(hardwareIdPart('08-20-2')).toBe('08202');
    expect(hardwareIdPart('08:20:2')).toBe('08202');
    expect(hardwareIdPart('00077 01234')).toBe('0007701234');
    expect(hardwareIdPart('floor')).toBeNull();
    const m = deviceMatch('08-20-2');
    expect(m.indexPatterns).toEqual(['%08-20-2%', '%08202%']);
    expect(deviceMatch('50%_x').text).toBe('%50\\%\\_x%');
  });

  it('reads license-type queries, with or without a minimum', () => {
    expect(licenseQuery('PBX-Port14')).toEqual({ type: 'PBX-Port14', minUnits: 1 });
    expect(licenseQuery('pbx-port14=100')).toEqual({ type: 'PBX-Port14', minUnits: 100 });
    expect(licenseQuery('PBX-Port14 = 7')).toEqual({ type: 'PBX-Port14', minUnits: 7 });
    expect(licenseQuery('Reception')).toBeNull();
    // SSC stays in the balance: no device has it.
    expect(licenseQuery('SSC')).toBeNull();
  });
});
