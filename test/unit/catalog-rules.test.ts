import { describe, expect, it } from 'vitest';
import {
  DEVICE_TYPE_ROWS,
  LICENSE_TYPE_ROWS,
  VERSION_ROWS,
  WARRANTY_RULES,
} from '../../bridge/core/catalog-data.js';
import { catalog, parseCatalog, typeUnderSsa } from '../../bridge/core/catalog.js';
import { deviceVersions } from '../../bridge/core/licenses/index.js';
import {
  amounts,
  checkDeviceLicenses,
  type HeldLicense,
  type RuleInput,
} from '../../bridge/core/licenses/index.js';
import { cheapestPacks } from '../../bridge/core/licenses/index.js';

/**
 * The catalog table and the rules over it (seed: Add licenses from balance; Add licenses from free
 * licenses; Add V7 floating license; Download licenses): the table is checked at load, and every rule of
 * a device's licenses answers its own code.
 */

const data = () =>
  structuredClone({
    versions: VERSION_ROWS,
    licenseTypes: LICENSE_TYPE_ROWS,
    deviceTypes: DEVICE_TYPE_ROWS,
    warranty: WARRANTY_RULES,
  });
const messages = (mutate: (d: ReturnType<typeof data>) => void): string => {
  const d = data();
  mutate(d);
  try {
    parseCatalog(d);
  } catch (e) {
    return String((e as Error).message);
  }
  return '';
};

describe('the catalog table', () => {
  it('parses as shipped: V5–V14, the required device types, V8+ packs of 1, 5 and 20 for every version', () => {
    expect(() => parseCatalog(data())).not.toThrow();
    expect(catalog.deviceTypes).toEqual(
      expect.arrayContaining([
        'IP6000',
        'IP811',
        'IP0011',
        'IP1200',
        'IP1060',
        'IP222',
        'IP232',
        'IP241',
        'DECT-Handset',
      ]),
    );
    for (let v = 8; v <= 14; v++) expect(catalog.portPacks(v).map((t) => t.packSize)).toEqual([20, 5, 1]);
    expect(catalog.portPacks(7)).toEqual([]);
    for (const name of [
      'PBX-Port13',
      'PBX-Port14',
      'GW-Channel',
      'Warranty-1Y',
      'SSC',
      'PORT8*20',
      'PBX7#15',
      'PBX6',
      'PBX-Voicemail14',
    ])
      expect(catalog.licenseType(name).name).toBe(name);
    expect(catalog.licenseType('Dect-Multicell-Ari')).toMatchObject({
      externalKey: 'dect-ari',
      returnable: true,
    });
    expect(catalog.maximum(catalog.deviceType('IP6000'), 'relay-pri')).toBe(4);
  });

  it('refuses a table that breaks its own rules, naming the row', () => {
    expect(messages((d) => d.licenseTypes.push({ ...d.licenseTypes[0]! }))).toContain('listed twice');
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'GW-Channel')!, { returnable: true }),
      ),
    ).toContain('gateway licenses never return');
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'Warranty-1Y')!, { returnable: true }),
      ),
    ).toContain('warranty extensions never return');
    expect(
      messages((d) => Object.assign(d.licenseTypes.find((t) => t.name === 'Relay-PRI')!, { packSize: 5 })),
    ).toContain('packs exist for V8+ PBX ports only');
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'PBX-Upgrade14')!, { upgradeFrom: 12 }),
      ),
    ).toContain('an upgrade lifts the previous version');
    expect(messages((d) => Object.assign(d.versions[9]!, { released: '2001-01-01' }))).toContain(
      'release dates must ascend',
    );
    expect(
      messages((d) => Object.assign(d.deviceTypes.find((t) => t.name === 'IP0011')!.maxima, { floating: 1 })),
    ).toContain('needs V7 firmware');
    expect(
      messages((d) =>
        Object.assign(d.deviceTypes.find((t) => t.name === 'IP222')!.maxima, { 'gw-channel': 2 }),
      ),
    ).toContain('warranty extensions only');
    expect(
      messages((d) => Object.assign(d.deviceTypes.find((t) => t.name === 'IP811')!.maxima, { warranty: 5 })),
    ).toContain('at most 4 years');
    expect(
      messages((d) => Object.assign(d.licenseTypes.find((t) => t.name === 'PBX6')!, { family: 'pbxx' })),
    ).not.toBe('');
    // A type under SSA must cost SSC (else SSA and conversion would be free); a type without SSA none.
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'PBX7#15')!, { sscPerUnitYear: 0 }),
      ),
    ).toContain('PBX7#15: a type under SSA costs SSC');
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'Warranty-1Y')!, { sscPerUnitYear: 2 }),
      ),
    ).toContain('Warranty-1Y: a type without SSA costs no SSC');
    expect(
      messages((d) =>
        Object.assign(d.licenseTypes.find((t) => t.name === 'PBX7-Floating')!, {
          ssa: true,
          sscPerUnitYear: 1,
        }),
      ),
    ).toContain('floating licenses are never under SSA');
  });

  it('shows the type a license has under its SSA', () => {
    expect(typeUnderSsa({ type: 'PBX-Port11', version: 11, ssaEnd: '2030-01-01' })).toBe('PBX-Port14');
    expect(typeUnderSsa({ type: 'PBX-Port11*5', version: 11, ssaEnd: catalog.released(12)! })).toBe(
      'PBX-Port12*5',
    );
    expect(typeUnderSsa({ type: 'PORT8*20', version: 8, ssaEnd: '2030-01-01' })).toBe('PBX-Port14*20');
    expect(typeUnderSsa({ type: 'PBX-Port11', version: 11, ssaEnd: null })).toBe('PBX-Port11');
    expect(typeUnderSsa({ type: 'GW-Channel', version: null, ssaEnd: '2030-01-01' })).toBe('GW-Channel');
  });

  it('offers versions within what the device runs, and none below V8 after "No downgrade"', () => {
    expect(deviceVersions({ device_type: 'IP811', no_downgrade_at: null })).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
    expect(deviceVersions({ device_type: 'IP6000', no_downgrade_at: '2024-01-01T00:00:00Z' })).toEqual([
      8, 9, 10, 11, 12, 13, 14,
    ]);
    expect(deviceVersions({ device_type: 'IP1060', no_downgrade_at: null })).toEqual([10, 11, 12, 13, 14]);
    expect(deviceVersions({ device_type: 'IP222', no_downgrade_at: null })).toEqual([]);
  });
});

const L = (type: string, units: number, extra: Partial<HeldLicense> = {}): HeldLicense => ({
  type,
  units,
  version: catalog.licenseType(type).version,
  ssaEnd: null,
  ...extra,
});
const check = (
  input: Omit<Partial<RuleInput>, 'device' | 'added'> & { device: string; added: HeldLicense[] },
) =>
  checkDeviceLicenses({
    version: 14,
    mode: 'summate',
    installed: [],
    source: 'balance',
    ...input,
    device: catalog.deviceType(input.device),
  }).map((v) => v.code);

describe("the rules of a device's licenses", () => {
  it('passes a right selection', () => {
    expect(
      check({
        device: 'IP6000',
        added: [
          L('PBX-Port14*20', 1),
          L('PBX-Port14*5', 1),
          L('PBX-Voicemail14', 25),
          L('PBX-Standby14', 25),
          L('PBX-Registration14', 10),
          L('Relay-PRI', 4),
        ],
      }),
    ).toEqual([]);
  });

  it('breaks each rule with its own code', () => {
    expect(check({ device: 'IP1060', version: 8, added: [L('PORT8', 1)] })).toEqual([
      'VERSION_NOT_FOR_DEVICE',
    ]);
    expect(check({ device: 'IP222', added: [L('Warranty-1Y', 1)] })).toEqual(['VERSION_NOT_FOR_DEVICE']);
    expect(check({ device: 'IP1200', added: [L('PBX-Port14', 1)] })).toEqual(['LICENSE_TYPE_NOT_FOR_DEVICE']);
    expect(check({ device: 'IP6000', added: [L('Warranty-1Y', 1)] })).toEqual(['LICENSE_TYPE_NOT_OFFERED']);
    expect(check({ device: 'IP6000', added: [L('PBX-Port13', 1)] })).toEqual(['LICENSE_VERSION_MISMATCH']);
    expect(check({ device: 'IP6000', installed: [L('Relay-PRI', 3)], added: [L('Relay-PRI', 2)] })).toEqual([
      'LICENSE_MAXIMUM_EXCEEDED',
    ]);
    expect(check({ device: 'IP0011', added: [L('PBX-Port14*20', 3)] })).toEqual(['LICENSE_MAXIMUM_EXCEEDED']);
    expect(check({ device: 'IP6000', added: [L('PBX-Port14', 10), L('PBX-Standby14', 9)] })).toEqual([
      'LICENSE_AMOUNT_NOT_EQUAL_PBX',
    ]);
    expect(check({ device: 'IP6000', added: [L('PBX-Port14', 10), L('PBX-Registration14', 11)] })).toEqual([
      'LICENSE_AMOUNT_ABOVE_PBX',
    ]);
    expect(
      check({
        device: 'IP6000',
        mode: 'exact',
        installed: [L('PBX-Port13', 4)],
        added: [L('PBX-Upgrade14', 5)],
      }),
    ).toEqual(['LICENSE_UPGRADE_WITHOUT_BASE']);
    expect(
      check({ device: 'IP811', version: 7, installed: [L('PBX7-Floating', 1)], added: [L('PBX7#15', 3)] }),
    ).toEqual(['FLOATING_EXCLUSIVE']);
    expect(
      check({
        device: 'IP811',
        version: 7,
        source: 'floating',
        installed: [L('PBX7#15', 3)],
        added: [L('PBX7-Floating', 1)],
      }),
    ).toEqual(['FLOATING_EXCLUSIVE']);
    expect(check({ device: 'IP811', source: 'free', added: [L('PBX-Port13', 1)] })).toEqual([
      'FREE_LICENSE_NOT_FOR_VERSION',
    ]);
  });

  it('checks what a selection touches: a device already beyond a rule still takes unrelated licenses', () => {
    const over = [L('PBX-Port14', 10), L('PBX-Voicemail14', 4)];
    expect(check({ device: 'IP6000', installed: over, added: [L('GW-Channel', 2)] })).toEqual([]);
    expect(check({ device: 'IP6000', installed: over, added: [L('PBX-Port14', 1)] })).toEqual([
      'LICENSE_AMOUNT_NOT_EQUAL_PBX',
    ]);
    // Adding the ports also demands the voicemail to follow.
    expect(
      check({
        device: 'IP6000',
        installed: [L('PBX-Port14', 10), L('PBX-Voicemail14', 10)],
        added: [L('PBX-Port14', 5)],
      }),
    ).toEqual(['LICENSE_AMOUNT_NOT_EQUAL_PBX']);
    expect(
      check({
        device: 'IP6000',
        installed: [L('PBX-Port14', 10), L('PBX-Voicemail14', 10)],
        added: [L('PBX-Port14', 5), L('PBX-Voicemail14', 5)],
      }),
    ).toEqual([]);
  });

  it('counts older licenses as the selected version when summating, and upgrades in place of their base otherwise', () => {
    const installed = [L('PBX-Port13', 10), L('PBX6', 5), L('PBX-Upgrade14', 4)];
    expect(amounts(installed, 14, 'summate').pbx).toBe(15);
    expect(amounts(installed, 14, 'exact').pbx).toBe(4);
    expect(amounts([L('PBX-Port14*20', 2), L('PBX-Port14*5', 1)], 14, 'exact').pbx).toBe(45);
    expect(
      check({
        device: 'IP6000',
        mode: 'exact',
        installed: [L('PBX-Port13', 10)],
        added: [L('PBX-Upgrade14', 10), L('PBX-Voicemail14', 10)],
      }),
    ).toEqual([]);
    expect(
      check({
        device: 'IP6000',
        mode: 'exact',
        installed: [L('PBX-Port13', 10)],
        added: [L('PBX-Voicemail14', 10)],
      }),
    ).toEqual(['LICENSE_AMOUNT_NOT_EQUAL_PBX']);
    expect(
      check({
        device: 'IP6000',
        mode: 'summate',
        installed: [L('PBX-Port13', 10)],
        added: [L('PBX-Voicemail14', 10)],
      }),
    ).toEqual([]);
    // A free V11 license under SSA is usable in V14.
    expect(
      check({ device: 'IP6000', source: 'free', added: [L('PBX-Port11', 2, { ssaEnd: '2030-01-01' })] }),
    ).toEqual([]);
  });
});

describe('the pre-filled pack combination', () => {
  /** Every combination of the catalog's V14 packs within the balance, cheapest first, fewest units on ties. */
  function bruteForce(total: number, avail: number[]) {
    const packs = catalog.portPacks(14);
    let best: { cost: number; units: number } | null = null;
    const walk = (i: number, left: number, cost: number, units: number) => {
      if (i === packs.length) {
        if (left === 0 && (!best || cost < best.cost || (cost === best.cost && units < best.units)))
          best = { cost, units };
        return;
      }
      for (let k = 0; k <= avail[i]! && k * packs[i]!.packSize <= left; k++)
        walk(i + 1, left - k * packs[i]!.packSize, cost + k * packs[i]!.price, units + k);
    };
    walk(0, total, 0, 0);
    return best as { cost: number; units: number } | null;
  }

  it("is the exact optimum of the catalog's price tiers for every amount up to 80 (checked against brute force)", () => {
    for (const avail of [
      [2, 3, 30],
      [0, 10, 7],
      [4, 0, 0],
      [1, 1, 1],
      [3, 6, 12],
    ]) {
      const options = catalog
        .portPacks(14)
        .map((t, i) => ({ type: t.name, packSize: t.packSize, unitPrice: t.price, available: avail[i]! }));
      for (let total = 0; total <= 80; total++) {
        const plan = cheapestPacks(total, options);
        const best = bruteForce(total, avail);
        if (best === null) expect(plan, `${total} of ${avail}`).toBeNull();
        else expect({ cost: plan!.cost, units: plan!.units }, `${total} of ${avail}`).toEqual(best);
      }
    }
  });
});
