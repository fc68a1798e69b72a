import * as z from 'zod';

/**
 * The reviewed catalog table (ARCHITECTURE §3: "License type catalog: data, not code"). Everything the
 * license rules need to know about versions, license types and device types is here, in rows;
 * `catalog.ts` parses the rows with the schemas below (plus cross-row checks) when the module loads,
 * so a typo fails the start, not a customer's download. `mylic-bridge catalog` prints all of it.
 *
 * Conventions (seed: Add licenses from balance; ARCHITECTURE §3):
 * - PBX license names carry the version from V9 on (`PBX-Port14`); V5–V8 keep their legacy names
 *   (`PBX5`, `PBX6`, `PBX7#15`, `PORT8`, `PORT8*5`, `PORT8*20`).
 * - `*5` / `*20` are pack sub-types of the V8+ PBX port licenses: one unit is a pack of 5 or 20 ports
 *   (`packSize`), cheaper per port (`price`, list price per unit in cents: the tiers the pack optimiser
 *   compares). `#15` on the V7 PBX is the V7 era's price tier; one unit is one port.
 * - Amounts: a license's amount is units × packSize (ports for PBX licenses, years for warranty).
 *   Device maxima and the dependent-amount rules compare amounts per kind.
 * - SSC per unit per year: a pack costs less SSC per port than single ports (seed: "20 units of
 *   PBX-Port8*20 licenses with a SSC value of 54").
 * - SSA: every type a project's SSA covers (`ssa: true`) costs SSC, so putting it under SSA, bringing
 *   it in or converting it is never free; warranty extensions, the V7 floating license and SSC itself
 *   carry no SSA (`ssa: false`, SSC 0): they never get an SSA end and are not listed as "not covered".
 *   Values (review, 2026-11; the seed gives only PORT8*20 = 54): a one-port license of any version is
 *   3 SSC per year like `PBX-PortN` — so V5–V7 (`PBX5`, `PBX6`, `PBX7#15`) are 3 (seed: "V7
 *   PBX-PBX7#15 … SSA is calculated from 7/12/2009", so V7 licenses cost SSC); the versionless types
 *   follow the single port's ratio of about 3 SSC per 10.00 of list price, rounded up: `GW-Channel`
 *   8 (25.00), `Dect-Multicell-Ari` 15 (50.00), `Relay-PRI` 24 (80.00). Each row is checked: SSA ⇔ SSC > 0.
 */

export const FAMILIES = ['pbx', 'gateway', 'dect', 'app', 'warranty', 'floating', 'ssc'] as const;
/** What a license counts as on a device: maxima and dependent-amount rules are per kind. */
export const KINDS = [
  'pbx-port',
  'pbx-upgrade',
  'voicemail',
  'standby',
  'registration',
  'gw-channel',
  'relay-pri',
  'dect-ari',
  'floating',
  'warranty',
  'ssc',
] as const;
export type LicenseKind = (typeof KINDS)[number];

const VersionNo = z.number().int().min(5).max(14);

export const VersionRow = z.strictObject({ version: VersionNo, released: z.iso.date() });
export type VersionRow = z.infer<typeof VersionRow>;

/** Families that are never under SSA: warranty runs on its own clock, floating licenses are free, SSC pays. */
export const NO_SSA_FAMILIES: readonly string[] = ['warranty', 'floating', 'ssc'];

export const LicenseTypeRow = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9#*%.-]+$/),
    family: z.enum(FAMILIES),
    kind: z.enum(KINDS),
    /** null: the license works in every version (gateway channels, relay, DECT, warranty). */
    version: VersionNo.nullable(),
    /** SSC per unit per year (seed: Add licenses from balance, "SSC/Unit"). */
    sscPerUnitYear: z.number().int().min(0),
    /** Gateway licenses and warranty extensions never return (seed: Invalidation → Informations). */
    returnable: z.boolean(),
    /** SSC itself is balance only: it pays for SSA and conversions and is never bound to a device. */
    bindable: z.boolean(),
    /** Amount one unit stands for (ports of a pack). */
    packSize: z.number().int().min(1),
    /** List price per unit in cents; the pack optimiser's price tiers. */
    price: z.number().int().min(0),
    /**
     * The same license in other versions ("pbx-port*5" is PORT8*5, PBX-Port9*5, … PBX-Port14*5): used to
     * show the type a license has under SSA and to convert a free license to another version.
     */
    series: z.string().nullable(),
    /** Upgrade licenses lift ports of version `upgradeFrom` to this type's version (seed: "Base/Upgrade licenses"). */
    upgradeFrom: VersionNo.nullable(),
    /** Seed: "Voicemail and Standby lics must always have the same amount as the selected PBX-PBX… license"; "The maximum amount of PBX-Registration licenses equals the amount of the selected PBX". */
    dependsOnPbx: z.enum(['equal', 'at-most']).nullable(),
    /** An external key the license keeps wherever it goes (seed: Free licenses, "DECT-Multi-Cell-Ari"). */
    externalKey: z.enum(['dect-ari']).nullable(),
    /** Warranty extensions: `early` only within the window after receipt, `late` any time. */
    warranty: z.enum(['early', 'late']).nullable(),
    /**
     * Licenses of this type are covered by their project's SSA: they get its end date and cost
     * `sscPerUnitYear` (which must then be above 0). false: never under SSA (warranty, floating, SSC).
     */
    ssa: z.boolean(),
  })
  .superRefine((t, ctx) => {
    if (t.ssa !== t.sscPerUnitYear > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${t.name}: ${t.ssa ? 'a type under SSA costs SSC (sscPerUnitYear above 0)' : 'a type without SSA costs no SSC'}`,
      });
    }
    if (t.ssa && NO_SSA_FAMILIES.includes(t.family))
      ctx.addIssue({ code: 'custom', message: `${t.name}: ${t.family} licenses are never under SSA` });
  });
export type LicenseTypeRow = z.infer<typeof LicenseTypeRow>;

export const DeviceTypeRow = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9-]+$/),
  description: z.string().min(1),
  category: z.enum(['gateway', 'pbx', 'dect-base', 'phone', 'dect-handset']),
  /** How the device is known: a MAC, or for DECT handsets an IPEI (ARCHITECTURE §3). */
  identity: z.enum(['mac', 'ipei']),
  /** Firmware versions the hardware runs; null: no license files at all (telephones: warranty only). */
  firmware: z.strictObject({ from: VersionNo, to: VersionNo }).nullable(),
  /** Kinds the device accepts and the maximum amount of each (a kind not listed is not accepted). */
  maxima: z.partialRecord(z.enum(KINDS), z.number().int().min(1)),
});
export type DeviceTypeRow = z.infer<typeof DeviceTypeRow>;

export const WarrantyRules = z.strictObject({
  /** Days after receipt in which the cheaper extension may be bought (seed: "immediately after the receipt"). */
  earlyWindowDays: z.number().int().min(1),
  /** Seed: "You can extend the warranty for a maximum of four years." */
  maxExtensionYears: z.number().int().min(1),
});

// ---------------------------------------------------------------------------------------------
// versions (seed: Release dates for V5–V8; V9–V14 are ours, see docs/architecture.md)

export const VERSION_ROWS = [
  { version: 5, released: '2003-01-01' },
  { version: 6, released: '2006-11-02' },
  { version: 7, released: '2008-11-14' },
  { version: 8, released: '2009-12-07' },
  { version: 9, released: '2011-06-01' },
  { version: 10, released: '2013-03-04' },
  { version: 11, released: '2014-10-06' },
  { version: 12, released: '2016-05-02' },
  { version: 13, released: '2019-01-14' },
  { version: 14, released: '2023-06-05' },
];

// ---------------------------------------------------------------------------------------------
// license types

type Row = z.input<typeof LicenseTypeRow>;
const base = {
  returnable: true,
  bindable: true,
  packSize: 1,
  series: null,
  upgradeFrom: null,
  dependsOnPbx: null,
  externalKey: null,
  warranty: null,
  ssa: true,
} as const;

/** V8+ PBX port names: legacy PORT8… for V8, PBX-PortN… from V9 (ARCHITECTURE §3). */
const portName = (v: number, pack: 1 | 5 | 20) =>
  `${v === 8 ? 'PORT8' : `PBX-Port${v}`}${pack === 1 ? '' : `*${pack}`}`;

/** Pack tiers of the V8+ PBX ports: [pack size, price per unit in cents, SSC per unit per year]. */
const PORT_TIERS: [1 | 5 | 20, number, number][] = [
  [1, 1000, 3],
  [5, 4500, 14],
  [20, 16000, 54],
];

const rows: Row[] = [
  // One port per unit, 3 SSC per year like PBX-PortN (see the file comment).
  {
    ...base,
    name: 'PBX5',
    family: 'pbx',
    kind: 'pbx-port',
    version: 5,
    sscPerUnitYear: 3,
    price: 1200,
    series: 'pbx-port*1',
  },
  {
    ...base,
    name: 'PBX6',
    family: 'pbx',
    kind: 'pbx-port',
    version: 6,
    sscPerUnitYear: 3,
    price: 1200,
    series: 'pbx-port*1',
  },
  {
    ...base,
    name: 'PBX7#15',
    family: 'pbx',
    kind: 'pbx-port',
    version: 7,
    sscPerUnitYear: 3,
    price: 1100,
    series: 'pbx-port*1',
  },
  // V7 floating license for a slave PBX (seed: Add V7 floating license): exclusive with V7 PBX ports.
  // Issued free of charge and deleted, never returned: it only ever lives in unencrypted V7 files.
  {
    ...base,
    name: 'PBX7-Floating',
    family: 'floating',
    kind: 'floating',
    version: 7,
    sscPerUnitYear: 0,
    price: 0,
    returnable: false,
    ssa: false,
  },
];
for (let v = 8; v <= 14; v++) {
  for (const [pack, price, ssc] of PORT_TIERS) {
    rows.push({
      ...base,
      name: portName(v, pack),
      family: 'pbx',
      kind: 'pbx-port',
      version: v,
      sscPerUnitYear: ssc,
      price,
      packSize: pack,
      series: `pbx-port*${pack}`,
    });
  }
  rows.push({
    ...base,
    name: `PBX-Voicemail${v}`,
    family: 'pbx',
    kind: 'voicemail',
    version: v,
    sscPerUnitYear: 1,
    price: 300,
    series: 'voicemail',
    dependsOnPbx: 'equal',
  });
  rows.push({
    ...base,
    name: `PBX-Standby${v}`,
    family: 'pbx',
    kind: 'standby',
    version: v,
    sscPerUnitYear: 1,
    price: 300,
    series: 'standby',
    dependsOnPbx: 'equal',
  });
  rows.push({
    ...base,
    name: `PBX-Registration${v}`,
    family: 'pbx',
    kind: 'registration',
    version: v,
    sscPerUnitYear: 1,
    price: 200,
    series: 'registration',
    dependsOnPbx: 'at-most',
  });
  if (v >= 9)
    rows.push({
      ...base,
      name: `PBX-Upgrade${v}`,
      family: 'pbx',
      kind: 'pbx-upgrade',
      version: v,
      sscPerUnitYear: 2,
      price: 500,
      series: 'pbx-upgrade',
      upgradeFrom: v - 1,
    });
}
rows.push(
  {
    ...base,
    name: 'GW-Channel',
    family: 'gateway',
    kind: 'gw-channel',
    version: null,
    sscPerUnitYear: 8,
    price: 2500,
    returnable: false,
  },
  // Relay licenses of the PRI interfaces (seed: "only 4 Relay-PRI licenses on an IP6000"); they return like PBX licenses.
  {
    ...base,
    name: 'Relay-PRI',
    family: 'app',
    kind: 'relay-pri',
    version: null,
    sscPerUnitYear: 24,
    price: 8000,
  },
  // The multicell ARI of a DECT base stays with its license (seed: Free licenses; Add licenses from free licenses).
  {
    ...base,
    name: 'Dect-Multicell-Ari',
    family: 'dect',
    kind: 'dect-ari',
    version: null,
    sscPerUnitYear: 15,
    price: 5000,
    externalKey: 'dect-ari',
  },
  // Warranty extensions, one unit = one year (seed: Add warranty extension licenses).
  {
    ...base,
    name: 'Warranty-1Y',
    family: 'warranty',
    kind: 'warranty',
    version: null,
    sscPerUnitYear: 0,
    price: 3000,
    returnable: false,
    warranty: 'early',
    ssa: false,
  },
  {
    ...base,
    name: 'Warranty-1Y-Late',
    family: 'warranty',
    kind: 'warranty',
    version: null,
    sscPerUnitYear: 0,
    price: 5000,
    returnable: false,
    warranty: 'late',
    ssa: false,
  },
  {
    ...base,
    name: 'SSC',
    family: 'ssc',
    kind: 'ssc',
    version: null,
    sscPerUnitYear: 0,
    price: 100,
    returnable: false,
    bindable: false,
    ssa: false,
  },
);
export const LICENSE_TYPE_ROWS = rows;

// ---------------------------------------------------------------------------------------------
// device types

const PBX_KINDS = (ports: number) =>
  ({
    'pbx-port': ports,
    'pbx-upgrade': ports,
    voicemail: ports,
    standby: ports,
    registration: ports,
  }) as const;

export const DEVICE_TYPE_ROWS: z.input<typeof DeviceTypeRow>[] = [
  {
    name: 'IP6000',
    description: 'large gateway and PBX, 4 PRI interfaces',
    category: 'gateway',
    identity: 'mac',
    firmware: { from: 5, to: 14 },
    maxima: { ...PBX_KINDS(10000), 'gw-channel': 120, 'relay-pri': 4, floating: 1, warranty: 4 },
  },
  {
    name: 'IP811',
    description: 'gateway and PBX, 1 PRI interface',
    category: 'gateway',
    identity: 'mac',
    firmware: { from: 6, to: 14 },
    maxima: { ...PBX_KINDS(1000), 'gw-channel': 30, 'relay-pri': 1, floating: 1, warranty: 4 },
  },
  {
    name: 'IP0011',
    description: 'small gateway and PBX, 4 analogue lines',
    category: 'gateway',
    identity: 'mac',
    firmware: { from: 8, to: 14 },
    maxima: { ...PBX_KINDS(50), 'gw-channel': 4, warranty: 4 },
  },
  {
    name: 'IP1060',
    description: 'PBX appliance without gateway',
    category: 'pbx',
    identity: 'mac',
    firmware: { from: 10, to: 14 },
    maxima: { ...PBX_KINDS(300), warranty: 4 },
  },
  {
    name: 'IP1200',
    description: 'DECT base station',
    category: 'dect-base',
    identity: 'mac',
    firmware: { from: 8, to: 14 },
    maxima: { 'dect-ari': 1, warranty: 4 },
  },
  {
    name: 'IP222',
    description: 'desk telephone',
    category: 'phone',
    identity: 'mac',
    firmware: null,
    maxima: { warranty: 4 },
  },
  {
    name: 'IP232',
    description: 'desk telephone',
    category: 'phone',
    identity: 'mac',
    firmware: null,
    maxima: { warranty: 4 },
  },
  {
    name: 'IP241',
    description: 'desk telephone',
    category: 'phone',
    identity: 'mac',
    firmware: null,
    maxima: { warranty: 4 },
  },
  {
    name: 'DECT-Handset',
    description: 'DECT handset, known by its IPEI',
    category: 'dect-handset',
    identity: 'ipei',
    firmware: null,
    maxima: { warranty: 4 },
  },
];

/**
 * Warranty window: 90 days after receipt (ours; the seed says "immediately after the receipt"). The
 * receipt is when the device was placed in the company (its placement date), see warranty.ts.
 */
export const WARRANTY_RULES: z.input<typeof WarrantyRules> = { earlyWindowDays: 90, maxExtensionYears: 4 };
