import { describe, expect, it } from 'vitest';
import {
  calculateSsc,
  formatMultiplier,
  lineSsc,
  multiplier10k,
  type SscLicense,
  type Versions,
} from '../../bridge/core/ssa/index.js';
import { catalog } from '../../bridge/core/catalog.js';
import { conversionSsc, ssaSummaryForLicenses } from '../../bridge/core/ssa/index.js';
import { MylicError } from '../../protocol/errors.js';

/** The SSC calculator: a table of cases worked out by hand (the seed's among them) and properties. */
const versions: Versions = {
  current: catalog.currentVersion,
  released: (v) => catalog.versions.find((r) => r.version === v)?.released,
};
const lic = (over: Partial<SscLicense>): SscLicense => ({
  id: 'L-1',
  type: 'PBX-Port14',
  units: 1,
  version: 14,
  bindDate: '2026-01-01',
  ssaEnd: null,
  sscPerUnitYear: 3,
  ...over,
});
const one = (l: Partial<SscLicense>, calc: string, end: string) =>
  calculateSsc([lic(l)], calc, end, versions).lines[0]!;

describe('the SSC calculator, cases worked out by hand', () => {
  it("pays the seed's example: bind 24/06/2009, calculated 31/08/2009, end 12/12/2011 → 68 days twice, 833 days once", () => {
    const l = one({ version: 14, bindDate: '2009-06-24' }, '2009-08-31', '2011-12-12');
    expect(l).toMatchObject({ start: '2009-06-24', startReason: 'bind-date', daysTwice: 68, days: 833 });
    // (2 × 68 + 833) / 365 = 969 / 365 = 2.65479… → 2.6548
    expect(l.multiplier).toBe('2.6548');
    // 1 unit × 3 SSC × 2.6548 = 7.9644 → 8 (rounded up per line)
    expect(l.ssc).toBe(8);
  });

  it("pays the seed's multiplicator example: 20 units × 54 SSC × 1.0000 = 1080 SSC", () => {
    const l = one(
      { type: 'PORT8*20', units: 20, version: 14, bindDate: '2026-03-01', sscPerUnitYear: 54 },
      '2026-03-01',
      '2027-03-01',
    );
    expect(l).toMatchObject({ daysTwice: 0, days: 365, multiplier: '1.0000', ssc: 1080 });
  });

  it("starts an older version's license at the next version's release (seed: V7 bound 1/1/2010 pays from V8's 7/12/2009)", () => {
    const l = one(
      { type: 'PBX7#15', version: 7, bindDate: '2010-01-01', sscPerUnitYear: 10 },
      '2010-01-01',
      '2011-01-01',
    );
    expect(l).toMatchObject({ start: '2009-12-07', startReason: 'next-release', daysTwice: 25, days: 365 });
    // (50 + 365) / 365 = 1.13698… → 1.1370; 10 × 1.1370 = 11.37 → 12
    expect(l).toMatchObject({ multiplier: '1.1370', ssc: 12 });
  });

  it("charges SSC for the seed's V7 example through the real catalog: PBX7#15 bound 2010-01-01 pays from V8's release 2009-12-07", () => {
    const row = {
      serial: 'L-V7',
      license_type: 'PBX7#15',
      units: 10,
      version: 7,
      bind_date: '2010-01-01',
      ssa_end: null,
    };
    const l = ssaSummaryForLicenses(null, [row], '2010-01-01', '2011-01-01').lines[0]!;
    expect(l).toMatchObject({
      start: '2009-12-07',
      startReason: 'next-release',
      daysTwice: 25,
      days: 365,
      multiplier: '1.1370',
    });
    // The catalog's 3 SSC per port and year (like PBX-PortN): 10 × 3 × 1.1370 = 34.11 → 35.
    expect(l.sscPerUnit).toBe(3);
    expect(l.ssc).toBe(35);
  });

  it('never lets a license under SSA be free: every catalog type that carries SSA costs SSC, so do V5–V7, relay, DECT ARI and gateway', () => {
    for (const t of catalog.licenseTypes.filter((x) => x.ssa))
      expect(t.sscPerUnitYear, t.name).toBeGreaterThan(0);
    for (const name of ['PBX5', 'PBX6', 'PBX7#15', 'Relay-PRI', 'Dect-Multicell-Ari', 'GW-Channel'])
      expect(catalog.licenseType(name).ssa, name).toBe(true);
    // One year of SSC per unit for converting (seed: Free licenses), worked by hand from the catalog's values.
    const conv = conversionSsc([
      { serial: 'a', license_type: 'Dect-Multicell-Ari', units: 1 },
      { serial: 'b', license_type: 'Relay-PRI', units: 2 },
      { serial: 'c', license_type: 'PBX6', units: 4 },
    ]);
    expect(conv.lines.map((l) => l.ssc)).toEqual([15, 48, 12]);
    expect(conv.total).toBe(75);
  });

  it('charges only the difference after a running SSA end', () => {
    const l = one({ bindDate: '2020-01-01', ssaEnd: '2026-12-31', units: 10 }, '2026-06-01', '2027-12-31');
    expect(l).toMatchObject({
      start: '2026-12-31',
      startReason: 'running-ssa',
      daysTwice: 0,
      days: 365,
      multiplier: '1.0000',
      ssc: 30,
    });
  });

  it('charges the time since an SSA ran out twice', () => {
    const l = one({ bindDate: '2020-01-01', ssaEnd: '2026-01-01' }, '2026-03-02', '2027-03-02');
    // 2026-01-01 → 2026-03-02 is 60 days, paid twice; then 365 days once: 485/365 = 1.3288
    expect(l).toMatchObject({ startReason: 'expired-ssa', daysTwice: 60, days: 365, multiplier: '1.3288' });
    expect(l.ssc).toBe(4);
  });

  it('costs nothing to extend a license already covered to that end date, and keeps its end', () => {
    const l = one({ ssaEnd: '2028-01-01' }, '2026-06-01', '2027-06-01');
    expect(l).toMatchObject({ days: 0, daysTwice: 0, ssc: 0, newSsaEnd: '2028-01-01' });
  });

  it('charges nothing for an opted-out license and leaves its SSA end as it was', () => {
    const s = calculateSsc(
      [lic({ id: 'a', units: 5 }), lic({ id: 'b', units: 5, optOut: true })],
      '2026-01-01',
      '2027-01-01',
      versions,
    );
    expect(s.lines[1]).toMatchObject({ optedOut: true, ssc: 0, newSsaEnd: null });
    expect(s.total).toBe(s.lines[0]!.ssc);
    expect(s.total).toBe(15);
  });

  it('counts leap days as days (2028 is a leap year)', () => {
    expect(one({ bindDate: '2028-01-01' }, '2028-01-01', '2029-01-01')).toMatchObject({
      days: 366,
      multiplier: '1.0027',
    });
  });

  it('refuses an end date before the calculation date', () => {
    expect(() => calculateSsc([lic({})], '2026-06-01', '2026-05-31', versions)).toThrow(MylicError);
    try {
      calculateSsc([lic({})], '2026-06-01', '2026-05-31', versions);
    } catch (e) {
      expect((e as MylicError).code).toBe('SSA_END_IN_PAST');
    }
  });

  it('rounds the multiplier half up to four decimals and each line up to a whole SSC', () => {
    expect(formatMultiplier(multiplier10k(1))).toBe('0.0027');
    expect(formatMultiplier(multiplier10k(365))).toBe('1.0000');
    expect(formatMultiplier(multiplier10k(730))).toBe('2.0000');
    expect(lineSsc(1, 3, 27)).toBe(1);
    expect(lineSsc(20, 54, 10_000)).toBe(1080);
    expect(lineSsc(0, 54, 10_000)).toBe(0);
  });
});

/** A small seeded PRNG so that property runs are repeatable. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('the SSC calculator, properties', () => {
  const rnd = prng(20261128);
  const randomLicense = (): SscLicense => {
    const version = 5 + Math.floor(rnd() * 10);
    return lic({
      version,
      units: 1 + Math.floor(rnd() * 50),
      sscPerUnitYear: Math.floor(rnd() * 60),
      bindDate: addDays('2008-01-01', Math.floor(rnd() * 6000)),
      ssaEnd: rnd() < 0.4 ? addDays('2010-01-01', Math.floor(rnd() * 7000)) : null,
    });
  };

  it('never charges less for a later end date', () => {
    for (let i = 0; i < 2000; i++) {
      const l = randomLicense();
      const calc = addDays('2012-01-01', Math.floor(rnd() * 5000));
      const end = addDays(calc, Math.floor(rnd() * 2000));
      const later = addDays(end, 1 + Math.floor(rnd() * 400));
      expect(one(l, calc, later).ssc).toBeGreaterThanOrEqual(one(l, calc, end).ssc);
    }
  });

  it('charges nothing to extend a license already under SSA to E, to E', () => {
    for (let i = 0; i < 2000; i++) {
      const l = randomLicense();
      const calc = addDays('2012-01-01', Math.floor(rnd() * 5000));
      const e = addDays(calc, Math.floor(rnd() * 2000));
      expect(one({ ...l, ssaEnd: e }, calc, e).ssc).toBe(0);
    }
  });

  it('sums the lines to the total and never charges an opted-out license', () => {
    for (let i = 0; i < 300; i++) {
      const ls = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, k) => ({
        ...randomLicense(),
        id: `L-${k}`,
        optOut: rnd() < 0.3,
      }));
      const calc = addDays('2012-01-01', Math.floor(rnd() * 5000));
      const s = calculateSsc(ls, calc, addDays(calc, Math.floor(rnd() * 1500)), versions);
      expect(s.total).toBe(s.lines.reduce((a, b) => a + b.ssc, 0));
      for (const line of s.lines) if (line.optedOut) expect(line.ssc).toBe(0);
    }
  });
});
