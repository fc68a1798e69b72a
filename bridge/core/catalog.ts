import { z } from 'zod';
import { MylicError } from '../../protocol/errors.js';

/**
 * The reviewed catalog of versions and license types: data, not code (ARCHITECTURE §3).
 *
 * Release dates V5–V8 are the seed's ("Release dates"); V9–V14 are ours and documented in
 * docs/architecture.md. The catalog is parsed by a schema when the module loads, so a typo fails the
 * start, not a customer's download.
 */
const VersionRow = z.object({ version: z.number().int().min(5).max(14), released: z.iso.date() });

const LicenseTypeRow = z.object({
  name: z.string().regex(/^[A-Za-z0-9#*%.-]+$/),
  family: z.enum(['pbx', 'gateway', 'dect', 'app', 'warranty', 'floating', 'ssc']),
  /** null: the license works in every version (gateway channels, warranty). */
  version: z.number().int().min(5).max(14).nullable(),
  /** SSC per unit per year (seed: Add licenses from balance, "SSC/Unit"). */
  sscPerUnitYear: z.number().int().min(0),
  /** Gateway licenses and warranty extensions never return (seed: Invalidation → Informations). */
  returnable: z.boolean(),
  /** SSC itself is balance only: it pays for SSA and is never bound to a device. */
  bindable: z.boolean(),
});
export type LicenseType = z.infer<typeof LicenseTypeRow>;

const VERSIONS = z.array(VersionRow).parse([
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
]);

const pbx = (name: string, version: number, ssc: number): LicenseType =>
  ({ name, family: 'pbx', version, sscPerUnitYear: ssc, returnable: true, bindable: true });

const LICENSE_TYPES = z.array(LicenseTypeRow).parse([
  pbx('PBX6', 6, 0),
  pbx('PBX7#15', 7, 0),
  pbx('PORT8*20', 8, 54),
  pbx('PBX-Port9', 9, 3),
  pbx('PBX-Port10', 10, 3),
  pbx('PBX-Port11', 11, 3),
  pbx('PBX-Port12', 12, 3),
  pbx('PBX-Port13', 13, 3),
  pbx('PBX-Port14', 14, 3),
  pbx('PBX-Voicemail14', 14, 1),
  { name: 'GW-Channel', family: 'gateway', version: null, sscPerUnitYear: 0, returnable: false, bindable: true },
  { name: 'Warranty-1Y', family: 'warranty', version: null, sscPerUnitYear: 0, returnable: false, bindable: true },
  { name: 'SSC', family: 'ssc', version: null, sscPerUnitYear: 0, returnable: false, bindable: false },
]);

/** Device types; which license types each accepts and their maxima come with the device catalog. */
const DEVICE_TYPES = z.array(z.string().regex(/^[A-Z0-9-]+$/)).parse(['IP6000', 'IP811', 'IP0011', 'IP1200', 'IP1060', 'IP222', 'IP232', 'IP241']);

const byName = new Map(LICENSE_TYPES.map((t) => [t.name, t]));

export const catalog = {
  versions: VERSIONS,
  licenseTypes: LICENSE_TYPES,
  deviceTypes: DEVICE_TYPES,
  currentVersion: Math.max(...VERSIONS.map((v) => v.version)),
  /** Invalidation needs V8 (seed: Invalidation → Requirements); V5–V7 files are not encrypted. */
  firstEncryptedVersion: 8,
  /** Downgrades are possible down to version 6 only (seed: Download licenses). */
  lowestDowngrade: 6,
  licenseType(name: string): LicenseType {
    const t = byName.get(name);
    if (!t) throw new MylicError('LICENSE_TYPE_UNKNOWN', `There is no license type "${name}".`);
    return t;
  },
  assertDeviceType(name: string): string {
    if (!DEVICE_TYPES.includes(name)) throw new MylicError('VALIDATION_FAILED', `Unknown device type "${name}" (known: ${DEVICE_TYPES.join(', ')}).`);
    return name;
  },
  isVersion(v: number): boolean {
    return VERSIONS.some((r) => r.version === v);
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
