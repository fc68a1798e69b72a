import * as z from 'zod';
import { HardwareId } from './hardware-id.js';
import { Version } from './documents/payloads.js';

/**
 * The device protocol (agent ↔ bridge, HTTPS under /device/v1). Every request and response body is
 * one of these schemas; both sides parse what they receive.
 */
export const DEVICE_API = '/device/v1';

export const ChallengeRequest = z.strictObject({ hardwareId: HardwareId });
export const ChallengeResponse = z.object({
  challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  expiresAt: z.iso.datetime(),
});

export const DeviceLoginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
  hardwareId: HardwareId,
  /** The device certificate (PEM); the portal checks it chains to the device CA and names this hardware id. */
  certificate: z.string().min(1).max(16_384),
  challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** base64 RSA-PSS-SHA256 over deviceProofBytes(challenge, hardwareId) with the device key. */
  signature: z.base64().max(2048),
});
export const DeviceLoginResponse = z.object({
  token: z.string().min(20),
  expiresAt: z.iso.datetime(),
  company: z.object({ id: z.number().int(), name: z.string() }),
  project: z.object({ id: z.number().int(), name: z.string() }),
});

export const DeviceLicense = z.object({
  serial: z.string(),
  type: z.string(),
  units: z.number().int(),
  version: z.number().int().nullable(),
  returnable: z.boolean(),
  bindDate: z.iso.date(),
  ssaEnd: z.iso.date().nullable(),
  externalKey: z.string().nullable(),
  versions: z.array(z.number().int()),
});
export type DeviceLicense = z.infer<typeof DeviceLicense>;

export const DeviceLicensesResponse = z.object({
  hardwareId: HardwareId,
  deviceType: z.string(),
  project: z.object({ id: z.number().int(), name: z.string() }),
  licenses: z.array(DeviceLicense),
  /** Versions a license file can be downloaded in; each file holds the licenses valid in it. */
  versions: z.array(
    z.object({ version: z.number().int(), encrypted: z.boolean(), licenses: z.number().int() }),
  ),
});
export type DeviceLicensesResponse = z.infer<typeof DeviceLicensesResponse>;

export const LicenseFileRequest = z.strictObject({ version: Version });

export const CertificateRequest = z.strictObject({ csr: z.string().min(1).max(16_384) });
export const CertificateResponse = z.object({ certificate: z.string().min(1), issuer: z.string().min(1) });

export const TestLicenseRequest = z
  .strictObject({
    version: Version,
    slave: z.boolean().default(false),
    pbx: z.number().int().min(1).max(1000).optional(),
  })
  .refine((r) => r.slave || r.pbx !== undefined, {
    message: 'give the number of PBX test licenses, or slave',
  });

/** The signed bytes of the device's login proof: domain-separated like the documents. */
export const deviceProofBytes = (challenge: string, hardwareId: string): Buffer =>
  Buffer.from(`device-login/${challenge}/${hardwareId}`, 'utf8');

export const XML_CONTENT_TYPE = 'application/xml';
