import * as z from 'zod';
import { HardwareId } from '../hardware-id.js';

/**
 * The payloads of the three documents between device and portal (ARCHITECTURE §4).
 * Payloads travel as base64 of their UTF-8 JSON bytes inside an XML envelope; signatures cover
 * `kind + "/" + payloadBytes` so that a signature of one kind can never pass as another.
 */
export const DOCUMENT_KINDS = ['license', 'invalidation', 'confirmation', 'certificate'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const Version = z.number().int().min(5).max(14);
const IsoTime = z.iso.datetime({ offset: false });
const Serial = z.string().regex(/^[A-Z0-9-]{6,40}$/);

export const LicenseEntry = z.object({
  serial: Serial,
  type: z.string().min(1).max(64),
  units: z.number().int().positive().max(1_000_000),
  /** Returnable licenses can be invalidated; gateway licenses and warranty extensions never return. */
  returnable: z.boolean(),
  bindDate: z.iso.date(),
  ssaEnd: z.iso.date().nullable(),
  externalKey: z.string().max(64).nullable(),
  /** Set for test licenses: the last day they work (seed: Download test licenses). */
  testEnd: z.iso.date().nullable().optional(),
});
export type LicenseEntry = z.infer<typeof LicenseEntry>;

export const LicenseFilePayload = z.object({
  kind: z.literal('license'),
  hardwareId: HardwareId,
  version: Version,
  /** Unique per file. */
  fileId: z.uuid(),
  issuedAt: IsoTime,
  /**
   * The highest invalidation counter of this device the portal had accepted when it issued the file.
   * A device refuses a file whose counter is below its own last confirmed one: that file was issued
   * before licenses were returned, and installing it again would double them.
   */
  deviceCounter: z.number().int().min(0),
  encrypted: z.boolean(),
  licenses: z.array(LicenseEntry).max(10_000),
});
export type LicenseFilePayload = z.infer<typeof LicenseFilePayload>;

export const InvalidationPayload = z.object({
  kind: z.literal('invalidation'),
  hardwareId: HardwareId,
  documentId: z.uuid(),
  /** Strictly increasing per device; the portal refuses a new document that does not increase it. */
  deviceCounter: z.number().int().min(1),
  createdAt: IsoTime,
  /** The license file the licenses came from. */
  fileId: z.uuid(),
  version: Version,
  // A device holds far fewer licenses; the bound keeps an invalidation below MAX_INVALIDATION_BYTES.
  serials: z.array(Serial).min(1).max(1_000),
  /**
   * The user's agreement never to downgrade the device below V8 (seed L206, L227: "V7 licenses can be just
   * returned, if you agree, that you won't be able to downgrade below V8 anymore"). Signed with the rest;
   * without it the portal refuses the serials whose return would set "No downgrade"
   * (NO_DOWNGRADE_NOT_ACCEPTED). Absent in documents of agents before it: the same as false.
   */
  acceptNoDowngrade: z.boolean().optional(),
});
export type InvalidationPayload = z.infer<typeof InvalidationPayload>;

export const ConfirmationPayload = z.object({
  kind: z.literal('confirmation'),
  hardwareId: HardwareId,
  documentId: z.uuid(),
  deviceCounter: z.number().int().min(1),
  issuedAt: IsoTime,
  /** Serials now in the project's free pool. */
  accepted: z.array(Serial),
  /** Serials the portal did not take back, with why; they stay bound to the device. */
  rejected: z.array(
    z.object({
      serial: Serial,
      reason: z.string().max(200),
      /** A stable error code (protocol/errors.ts) where the refusal has one, e.g. NO_DOWNGRADE_NOT_ACCEPTED. */
      code: z.string().max(64).optional(),
    }),
  ),
});
export type ConfirmationPayload = z.infer<typeof ConfirmationPayload>;

const B64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/)
  .max(16_384);

/**
 * A new device certificate requested on the portal (seed L245–248: "If you created a new certificate …
 * you can later download the confirmation file, which you have to upload on the box"; "Request
 * certificate"). Signed by the license authority. The new private key travels encrypted to the key of
 * the certificate the portal had on record for the device (RSA-OAEP-SHA256 + AES-256-GCM, as license
 * files), so only the device that holds that key can install it — an expired certificate's key still
 * opens it.
 */
export const CertificatePayload = z.object({
  kind: z.literal('certificate'),
  hardwareId: HardwareId,
  documentId: z.uuid(),
  issuedAt: IsoTime,
  /** The new device certificate (PEM), issued by the Device Certification Authority. */
  certificate: z.string().min(1).max(16_384),
  /** The new private key (PKCS#8 PEM), encrypted to the previous certificate's key. */
  key: z.object({ key: B64, iv: B64, tag: B64, data: B64 }),
});
export type CertificatePayload = z.infer<typeof CertificatePayload>;
