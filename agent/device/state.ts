import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';

/**
 * What the device keeps on disk, each file parsed by its schema when read: a device whose files were
 * tampered with or half-written says so instead of acting on garbage.
 *
 * Written with zod/mini, not the full zod the protocol uses: `mylic status`, `reset` and `config` read
 * these files and nothing else, and full zod alone costs them about half of node's own start (see
 * README, Agent). The protocol parts they hold (hardware id, license version, license entry) are the
 * same rules as in protocol/; test/unit/agent-state-schemas.test.ts proves both give the same JSON
 * Schema, so they cannot drift apart.
 */
z.config(en());

const datetime = () => z.iso.datetime();

/** protocol/hardware-id.ts HardwareId. */
export const HardwareId = z
  .string()
  .check(z.regex(/^[0-9A-F]{12}$/, 'hardware id must be 12 upper-case hex digits'));
/** protocol/documents/payloads.ts Version. */
export const Version = z.int().check(z.gte(5), z.lte(14));
/** protocol/documents/payloads.ts LicenseEntry. */
export const LicenseEntry = z.object({
  serial: z.string().check(z.regex(/^[A-Z0-9-]{6,40}$/)),
  type: z.string().check(z.minLength(1), z.maxLength(64)),
  units: z.int().check(z.gt(0), z.lte(1_000_000)),
  returnable: z.boolean(),
  bindDate: z.iso.date(),
  ssaEnd: z.nullable(z.iso.date()),
  externalKey: z.nullable(z.string().check(z.maxLength(64))),
  testEnd: z.optional(z.nullable(z.iso.date())),
});

export const DeviceState = z.object({
  hardwareId: HardwareId,
  deviceType: z.string().check(z.minLength(1)),
  /** e.g. "13.2": the device runs licenses of version 13. */
  firmware: z.string().check(z.regex(/^\d{1,2}\.\d{1,3}$/)),
  config: z.object({
    portalUrl: z.url(),
    ntpServer: z._default(z.nullable(z.string()), null),
    dnsServer: z._default(z.nullable(z.string()), null),
    /** How far the device clock may be off (NTP check) or a document be ahead of it. */
    toleranceSeconds: z._default(z.int().check(z.gte(1), z.lte(86_400)), 300),
  }),
  /** The latest time the device has seen from a trusted source (NTP, signed documents). */
  latestTrustedTime: z._default(z.nullable(datetime()), null),
  /** Counter of the last invalidation document this device created. */
  counter: z.int().check(z.gte(0)),
  /** Counter of the last invalidation the portal confirmed; older license files are refused. */
  confirmedCounter: z.int().check(z.gte(0)),
  resetRequired: z.boolean(),
  session: z.nullable(
    z.object({
      token: z.string(),
      email: z.string(),
      expiresAt: datetime(),
      company: z.object({ id: z.number(), name: z.string() }),
      project: z.object({ id: z.number(), name: z.string() }),
    }),
  ),
});
export type DeviceState = z.infer<typeof DeviceState>;

export const InstalledLicenses = z.object({
  fileId: z.uuid(),
  version: Version,
  issuedAt: datetime(),
  deviceCounter: z.int().check(z.gte(0)),
  encrypted: z.boolean(),
  licenses: z.array(LicenseEntry),
});
export type InstalledLicenses = z.infer<typeof InstalledLicenses>;

/** The invalidation journal: one pending invalidation, kept until its confirmation is applied. */
export const PendingInvalidation = z.object({
  documentId: z.uuid(),
  counter: z.int().check(z.gte(1)),
  serials: z.array(z.string()).check(z.minLength(1)),
  documentXml: z.string().check(z.minLength(1)),
  createdAt: datetime(),
  /** created → sent (transfer tried) or saved (backup file written). */
  state: z.enum(['created', 'sent', 'saved']),
  backupFile: z.nullable(z.string()),
});
export type PendingInvalidation = z.infer<typeof PendingInvalidation>;

export const firmwareMajor = (firmware: string): number => Number(firmware.split('.')[0]);
