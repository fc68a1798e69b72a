import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import {
  DEVICE_TYPE_ROWS,
  DeviceTypeRow,
  LICENSE_TYPE_ROWS,
  LicenseTypeRow,
  VERSION_ROWS,
  VersionRow,
  WARRANTY_RULES,
  WarrantyRules,
  type LicenseKind,
} from './catalog-data.js';

/**
 * The reviewed catalog of versions, license types and device types: data, not code (ARCHITECTURE §3).
 * The rows live in catalog-data.ts; here they are parsed by the schema — each row, then the rules
 * between rows — when the module loads, and looked up by the services.
 *
 * Release dates V5–V8 are the seed's ("Release dates"); V9–V14 are ours and documented in
 * docs/architecture.md.
 */
export type LicenseType = LicenseTypeRow;
export type DeviceType = DeviceTypeRow;
export type { LicenseKind } from './catalog-data.js';

const CatalogSchema = z
  .strictObject({
    versions: z.array(VersionRow).min(1),
    licenseTypes: z.array(LicenseTypeRow).min(1),
    deviceTypes: z.array(DeviceTypeRow).min(1),
    warranty: WarrantyRules,
  })
  .superRefine((c, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const versions = c.versions.map((v) => v.version);
    if (versions.some((v, i) => i > 0 && v !== versions[i - 1]! + 1))
      issue('versions must be consecutive and ascending');
    if (c.versions.some((v, i) => i > 0 && v.released <= c.versions[i - 1]!.released))
      issue('release dates must ascend with the versions');
    const names = new Set<string>();
    for (const t of c.licenseTypes) {
      if (names.has(t.name)) issue(`license type ${t.name} is listed twice`);
      names.add(t.name);
      if (t.version !== null && !versions.includes(t.version))
        issue(`${t.name}: version ${t.version} is not in the versions table`);
      if (t.family === 'warranty' && (t.returnable || t.warranty === null))
        issue(`${t.name}: warranty extensions never return and name their window`);
      if (t.family !== 'warranty' && t.warranty !== null)
        issue(`${t.name}: only warranty extensions have a window`);
      if (t.family === 'gateway' && t.returnable)
        issue(`${t.name}: gateway licenses never return (seed: Invalidation)`);
      if (!t.bindable && t.family !== 'ssc') issue(`${t.name}: only SSC stays in the balance`);
      if (t.packSize > 1 && (t.kind !== 'pbx-port' || t.version === null || t.version < 8))
        issue(`${t.name}: packs exist for V8+ PBX ports only`);
      if (
        t.upgradeFrom !== null &&
        (t.kind !== 'pbx-upgrade' || t.version === null || t.upgradeFrom !== t.version - 1)
      )
        issue(`${t.name}: an upgrade lifts the previous version`);
      if (t.dependsOnPbx !== null && t.version === null)
        issue(`${t.name}: dependent amounts follow the PBX of one version`);
      if (t.series !== null && t.version === null)
        issue(`${t.name}: a series spans versions, so its types have one`);
    }
    const seriesVersions = new Map<string, number[]>();
    for (const t of c.licenseTypes) {
      if (t.series === null) continue;
      const vs = seriesVersions.get(t.series) ?? [];
      if (vs.includes(t.version!)) issue(`series ${t.series} has two types for V${t.version}`);
      seriesVersions.set(t.series, [...vs, t.version!]);
    }
    for (const t of c.licenseTypes) {
      if (
        t.dependsOnPbx !== null &&
        !c.licenseTypes.some((p) => p.kind === 'pbx-port' && p.version === t.version)
      )
        issue(`${t.name}: no PBX ports of V${t.version} to depend on`);
    }
    const deviceNames = new Set<string>();
    for (const d of c.deviceTypes) {
      if (deviceNames.has(d.name)) issue(`device type ${d.name} is listed twice`);
      deviceNames.add(d.name);
      if (d.firmware && d.firmware.from > d.firmware.to) issue(`${d.name}: firmware range is empty`);
      if (d.maxima.ssc !== undefined) issue(`${d.name}: SSC is never bound to a device`);
      if (d.maxima.warranty === undefined || d.maxima.warranty > c.warranty.maxExtensionYears)
        issue(
          `${d.name}: every device takes warranty extensions, at most ${c.warranty.maxExtensionYears} years`,
        );
      if (d.firmware === null && Object.keys(d.maxima).some((k) => k !== 'warranty'))
        issue(`${d.name}: a device without license files takes warranty extensions only`);
      if (d.maxima.floating !== undefined && (d.firmware === null || d.firmware.from > 7))
        issue(`${d.name}: a V7 floating license needs V7 firmware`);
    }
  });

/** Parses a catalog table (the rows of catalog-data.ts, or a test's variant): each row and the rules between rows. */
export const parseCatalog = (data: z.input<typeof CatalogSchema>) => CatalogSchema.parse(data);

const parsed = parseCatalog({
  versions: VERSION_ROWS,
  licenseTypes: LICENSE_TYPE_ROWS,
  deviceTypes: DEVICE_TYPE_ROWS,
  warranty: WARRANTY_RULES,
});

const VERSIONS = parsed.versions;
const LICENSE_TYPES = parsed.licenseTypes;
const DEVICE_TYPES = parsed.deviceTypes;

const byName = new Map(LICENSE_TYPES.map((t) => [t.name, t]));
const deviceByName = new Map(DEVICE_TYPES.map((d) => [d.name, d]));

export const catalog = {
  versions: VERSIONS,
  licenseTypes: LICENSE_TYPES,
  /** Names of the device types (the full rows: `devices`). */
  deviceTypes: DEVICE_TYPES.map((d) => d.name),
  devices: DEVICE_TYPES,
  warranty: parsed.warranty,
  currentVersion: Math.max(...VERSIONS.map((v) => v.version)),
  /** Invalidation needs V8 (seed: Invalidation → Requirements); V5–V7 files are not encrypted. */
  firstEncryptedVersion: 8,
  /** Downgrades are possible down to version 6 only (seed: Download licenses). */
  lowestDowngrade: 6,
  /** Free licenses converted to balance cost this many years of SSC per unit (seed: Free licenses). */
  conversionSscYears: 1,
  licenseType(name: string): LicenseType {
    const t = byName.get(name);
    if (!t) throw new MylicError('LICENSE_TYPE_UNKNOWN', `There is no license type "${name}".`);
    return t;
  },
  deviceType(name: string): DeviceType {
    const d = deviceByName.get(name);
    if (!d)
      throw new MylicError(
        'VALIDATION_FAILED',
        `Unknown device type "${name}" (known: ${catalog.deviceTypes.join(', ')}).`,
      );
    return d;
  },
  assertDeviceType(name: string): string {
    return catalog.deviceType(name).name;
  },
  isVersion(v: number): boolean {
    return VERSIONS.some((r) => r.version === v);
  },
  released(v: number): string | undefined {
    return VERSIONS.find((r) => r.version === v)?.released;
  },
  /** The type of `series` in `version`, if the catalog has one (PBX-Port11 → PBX-Port14 under SSA). */
  seriesType(series: string, version: number): LicenseType | undefined {
    return LICENSE_TYPES.find((t) => t.series === series && t.version === version);
  },
  /** Whether the device type takes licenses of this kind at all. */
  accepts(device: DeviceType, type: LicenseType): boolean {
    return type.bindable && device.maxima[type.kind] !== undefined;
  },
  /** Whether the device's hardware runs firmware `version`. */
  runs(device: DeviceType, version: number): boolean {
    return device.firmware !== null && version >= device.firmware.from && version <= device.firmware.to;
  },
  maximum(device: DeviceType, kind: LicenseKind): number {
    return device.maxima[kind] ?? 0;
  },
  /**
   * The license types a user's name in the search field stands for (seed L41: "Enter e.g. "PBX-Port8"
   * to find all devices with Port8 licenses or enter "PBX-Port8=100" to find all devices with Port8
   * licenses >= 100"; issue 15 item 7), case-insensitive, bindable types only, or null:
   * - `PBX-PortN`, for every version N: all PBX port licenses of that version with their packs
   *   (`PBX-Port8` → PORT8, PORT8*5, PORT8*20; `PBX-Port14` → PBX-Port14, *5, *20; `PBX-Port7` →
   *   PBX7#15; `PBX-Port5` → PBX5).
   * - `PBX-` before a catalog name (the portal's own prefix for the legacy names): `PBX-PBX7#15` →
   *   PBX7#15, `PBX-PORT8*5` → PORT8*5.
   * - any catalog name itself: that type only.
   * Amounts are compared as units × pack size (licenseAmount), so packs add up as ports.
   */
  searchTypes(query: string): { name: string; types: LicenseType[] } | null {
    const q = query.trim().toLowerCase();
    const series = /^pbx-port(\d{1,2})$/.exec(q);
    if (series) {
      const v = Number(series[1]);
      const types = LICENSE_TYPES.filter((t) => t.kind === 'pbx-port' && t.version === v && t.bindable).sort(
        (a, b) => a.packSize - b.packSize || a.name.localeCompare(b.name),
      );
      if (types.length) return { name: `PBX-Port${v}`, types };
    }
    const exact = (name: string) => LICENSE_TYPES.find((t) => t.name.toLowerCase() === name && t.bindable);
    const own = exact(q) ?? (q.startsWith('pbx-') ? exact(q.slice(4)) : undefined);
    return own ? { name: own.name, types: [own] } : null;
  },
  /** The pack sub-types of the V8+ PBX ports of one version, largest pack first. */
  portPacks(version: number): LicenseType[] {
    return LICENSE_TYPES.filter((t) => t.kind === 'pbx-port' && t.version === version && version >= 8).sort(
      (a, b) => b.packSize - a.packSize,
    );
  },
};

/**
 * The versions a license can be downloaded in: its own, downgrades to V6, and with an SSA every
 * version released before the SSA end (seed: Download licenses; Projects → SSA). A V5 license stays V5.
 */
export function downloadableVersions(license: { version: number | null; ssaEnd: string | null }): number[] {
  const all = VERSIONS.map((v) => v.version);
  if (license.version === null) return all;
  const own = license.version;
  const ssaTop = license.ssaEnd
    ? Math.max(own, ...VERSIONS.filter((v) => v.released <= license.ssaEnd!).map((v) => v.version))
    : own;
  if (own < catalog.lowestDowngrade) return [own];
  return all.filter((v) => v >= catalog.lowestDowngrade && v <= ssaTop);
}

/** The type a license has in the highest version its SSA reaches (seed: Free licenses, "the correct license type"). */
export function typeUnderSsa(license: {
  type: string;
  version: number | null;
  ssaEnd: string | null;
}): string {
  const type = catalog.licenseType(license.type);
  if (type.series === null || license.version === null) return type.name;
  const top = Math.max(...downloadableVersions(license));
  return catalog.seriesType(type.series, top)?.name ?? type.name;
}

/**
 * Lines of a request merged by type (catalog names, first-seen order), each amount a positive whole
 * number (AMOUNT_INVALID): one rule for licenses from balance and for activation keys.
 */
export function mergeLicenseLines(
  lines: readonly { type: string; units: number }[],
): { type: string; units: number }[] {
  const merged = new Map<string, number>();
  for (const l of lines) {
    const type = catalog.licenseType(l.type).name;
    if (!Number.isInteger(l.units) || l.units <= 0) throw new MylicError('AMOUNT_INVALID');
    merged.set(type, (merged.get(type) ?? 0) + l.units);
  }
  return [...merged].map(([type, units]) => ({ type, units }));
}
