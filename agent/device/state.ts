import * as z from 'zod';
import { HardwareId } from '../../protocol/hardware-id.js';
import { LicenseEntry, Version } from '../../protocol/documents/payloads.js';

/**
 * What the device keeps on disk, each file parsed by its schema when read: a device whose files were
 * tampered with or half-written says so instead of acting on garbage.
 */
export const DeviceState = z.object({
  hardwareId: HardwareId,
  deviceType: z.string().min(1),
  /** e.g. "13.2": the device runs licenses of version 13. */
  firmware: z.string().regex(/^\d{1,2}\.\d{1,3}$/),
  config: z.object({
    portalUrl: z.url(),
    ntpServer: z.string().nullable().default(null),
    dnsServer: z.string().nullable().default(null),
    /** How far the device clock may be off (NTP check) or a document be ahead of it. */
    toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
  }),
  /** The latest time the device has seen from a trusted source (NTP, signed documents). */
  latestTrustedTime: z.iso.datetime().nullable().default(null),
  /** Counter of the last invalidation document this device created. */
  counter: z.number().int().min(0),
  /** Counter of the last invalidation the portal confirmed; older license files are refused. */
  confirmedCounter: z.number().int().min(0),
  resetRequired: z.boolean(),
  session: z
    .object({
      token: z.string(),
      email: z.string(),
      expiresAt: z.iso.datetime(),
      company: z.object({ id: z.number(), name: z.string() }),
      project: z.object({ id: z.number(), name: z.string() }),
    })
    .nullable(),
});
export type DeviceState = z.infer<typeof DeviceState>;

export const InstalledLicenses = z.object({
  fileId: z.uuid(),
  version: Version,
  issuedAt: z.iso.datetime(),
  deviceCounter: z.number().int().min(0),
  encrypted: z.boolean(),
  licenses: z.array(LicenseEntry),
});
export type InstalledLicenses = z.infer<typeof InstalledLicenses>;

/** The invalidation journal: one pending invalidation, kept until its confirmation is applied. */
export const PendingInvalidation = z.object({
  documentId: z.uuid(),
  counter: z.number().int().min(1),
  serials: z.array(z.string()).min(1),
  documentXml: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** created → sent (transfer tried) or saved (backup file written). */
  state: z.enum(['created', 'sent', 'saved']),
  backupFile: z.string().nullable(),
});
export type PendingInvalidation = z.infer<typeof PendingInvalidation>;

export const firmwareMajor = (firmware: string): number => Number(firmware.split('.')[0]);
