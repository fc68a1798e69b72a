import { describe, expect, it } from 'vitest';
import { catalog, downloadableVersions } from '../../bridge/core/catalog.js';
import { codeOf } from '../support/error-code.js';

/** Seed (Download licenses): downgrades down to V6; SSA opens the versions released before its end. */

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const released = (v: number) => catalog.versions.find((r) => r.version === v)!.released;
const dayBefore = (iso: string) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const dayAfter = (iso: string) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('downloadableVersions', () => {
  it('offers a V8 license as V6 to V8', () => {
    expect(downloadableVersions({ version: 8, ssaEnd: null })).toEqual([6, 7, 8]);
  });

  it('offers a V13 license as V6 to V13', () => {
    expect(downloadableVersions({ version: 13, ssaEnd: null })).toEqual(range(6, 13));
  });

  it('keeps a V5 license at V5: downgrades end at V6 and there is nothing below', () => {
    expect(downloadableVersions({ version: 5, ssaEnd: null })).toEqual([5]);
  });

  it('offers a V6 license only as V6 and a V7 license as V6 and V7', () => {
    expect(downloadableVersions({ version: 6, ssaEnd: null })).toEqual([6]);
    expect(downloadableVersions({ version: 7, ssaEnd: null })).toEqual([6, 7]);
  });

  it('offers a versionless license (gateway, warranty) in every version', () => {
    expect(downloadableVersions({ version: null, ssaEnd: null })).toEqual(range(5, 14));
    expect(downloadableVersions({ version: null, ssaEnd: '2010-01-01' })).toEqual(range(5, 14));
  });

  it("offers a V9 license with an SSA ending after V14's release up to V14", () => {
    expect(downloadableVersions({ version: 9, ssaEnd: dayAfter(released(14)) })).toEqual(range(6, 14));
    expect(downloadableVersions({ version: 9, ssaEnd: '2030-12-31' })).toEqual(range(6, 14));
  });

  it("offers a V9 license with an SSA ending before V10's release as V6 to V9", () => {
    expect(downloadableVersions({ version: 9, ssaEnd: dayBefore(released(10)) })).toEqual(range(6, 9));
    // An SSA that ended even before the license's own version gives nothing less.
    expect(downloadableVersions({ version: 9, ssaEnd: '2008-01-01' })).toEqual(range(6, 9));
  });

  it('offers a V9 license with an SSA ending between V11 and V12 up to V11', () => {
    expect(downloadableVersions({ version: 9, ssaEnd: dayAfter(released(11)) })).toEqual(range(6, 11));
    expect(downloadableVersions({ version: 9, ssaEnd: dayBefore(released(12)) })).toEqual(range(6, 11));
  });

  it('never offers a version below V6 to a license of V6 or later, whatever its SSA', () => {
    for (const version of range(6, 14)) {
      for (const ssaEnd of [null, '2000-01-01', '2100-01-01']) {
        const versions = downloadableVersions({ version, ssaEnd });
        expect(Math.min(...versions), `V${version} ssa ${ssaEnd}`).toBe(6);
        expect(versions).toContain(version);
        expect(Math.max(...versions)).toBe(ssaEnd === '2100-01-01' ? 14 : version);
      }
    }
  });
});

describe('catalog', () => {
  it("holds V5 to V14 with the seed's release dates for V5 to V8, in order", () => {
    expect(catalog.versions.map((v) => v.version)).toEqual(range(5, 14));
    expect(catalog.versions.slice(0, 4).map((v) => v.released)).toEqual([
      '2003-01-01',
      '2006-11-02',
      '2008-11-14',
      '2009-12-07',
    ]);
    const dates = catalog.versions.map((v) => v.released);
    expect([...dates].sort()).toEqual(dates);
    expect(catalog.currentVersion).toBe(14);
  });

  it('keeps gateway licenses and warranty extensions non-returnable, PBX licenses returnable', () => {
    expect(catalog.licenseType('GW-Channel')).toMatchObject({
      version: null,
      returnable: false,
      bindable: true,
    });
    expect(catalog.licenseType('Warranty-1Y')).toMatchObject({ returnable: false });
    expect(catalog.licenseType('PBX-Port13')).toMatchObject({ version: 13, returnable: true });
    expect(catalog.licenseType('SSC')).toMatchObject({ bindable: false });
  });

  it('refuses unknown license types and device types', () => {
    expect(codeOf(() => catalog.licenseType('PBX-Port99'))).toBe('LICENSE_TYPE_UNKNOWN');
    expect(codeOf(() => catalog.assertDeviceType('IP9999'))).toBe('VALIDATION_FAILED');
    expect(catalog.isVersion(4)).toBe(false);
    expect(catalog.isVersion(14)).toBe(true);
  });
});
