import * as z from 'zod';

/** The portal API (/api/v1), for people's scripts and the portal pages. */
export const PORTAL_API = '/api/v1';

export const LoginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});
export const LoginResponse = z.object({ token: z.string(), expiresAt: z.iso.datetime() });

export const ConfirmationSummary = z.object({
  documentId: z.uuid(),
  hardwareId: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.object({ serial: z.string(), reason: z.string(), code: z.string().optional() })),
  replay: z.boolean(),
});
