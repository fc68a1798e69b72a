import * as z from 'zod';

/** Accounts and history in the portal API (seed: First steps, Account, History). */
export const LanguageCode = z.enum(['en', 'de', 'it', 'nl', 'fr']);
const Password = z.string().min(10, 'at least 10 characters').max(1024);
const Name = z.string().trim().min(1).max(200);

export const RegisterRequest = z.strictObject({
  email: z.email().max(254),
  password: Password,
  name: Name,
  phone: z.string().max(50).default(''),
  language: LanguageCode.default('en'),
});
export const RegisterResponse = z.object({ id: z.number().int(), email: z.string(), activationSent: z.literal(true) });

export const ActivateQuery = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an activation token') });
export const ActivateResponse = z.object({ activated: z.literal(true), email: z.string() });

export const Profile = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  phone: z.string(),
  language: LanguageCode,
  mailOptIn: z.boolean(),
  selectedCompanyId: z.number().int().nullable(),
  selectedProjectId: z.number().int().nullable(),
  companies: z.array(z.object({ id: z.number().int(), name: z.string(), admin: z.boolean(), locked: z.boolean() })),
});

export const ProfileChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  name: Name.optional(),
  phone: z.string().max(50).optional(),
  language: LanguageCode.optional(),
  mailOptIn: z.boolean().optional(),
  newPassword: Password.optional(),
});

export const EmailChangeRequest = z.strictObject({ currentPassword: z.string().min(1).max(1024), newEmail: z.email().max(254) });
export const EmailChangeResponse = z.object({ email: z.string(), activationSent: z.literal(true) });

export const ApiTokenRequest = z.strictObject({ label: z.string().trim().min(1).max(100) });
export const ApiTokenCreated = z.object({ token: z.string(), expiresAt: z.string(), label: z.string() });
export const ApiTokenList = z.array(z.object({ id: z.string(), label: z.string(), companyId: z.number().int().nullable(), createdAt: z.string(), expiresAt: z.string() }));

export const HistoryQuery = z.object({
  context: z.enum(['company', 'user', 'device']).default('company'),
  userId: z.coerce.number().int().positive().optional(),
  hardwareId: z.string().max(32).optional(),
  period: z.enum(['day', 'week', 'month', 'year', 'always']).default('week'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export const HistoryPage = z.object({
  companyId: z.number().int().describe('The company whose history this is (the selected one)'),
  projectId: z.number().int().nullable().describe('The selected project the events are narrowed to; null: all projects'),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasMore: z.boolean(),
  events: z.array(
    z.object({
      id: z.number().int(),
      at: z.string(),
      event: z.string(),
      userId: z.number().int().nullable(),
      projectId: z.number().int().nullable(),
      deviceId: z.number().int().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});
