import * as z from 'zod';
import { IdText, WholeText } from './ids.js';

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
/**
 * The same answer for a new address and for one that already has an account (the owner of a taken
 * address gets a mail instead), so registration cannot tell whether an address is registered: no id.
 */
export const RegisterResponse = z.object({ email: z.string(), activationSent: z.literal(true) });

export const ActivateQuery = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an activation token'),
});
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
  pendingEmail: z
    .string()
    .nullable()
    .describe('A new address waiting for its confirmation link; the account keeps `email` until then'),
  companies: z.array(
    z.object({ id: z.number().int(), name: z.string(), admin: z.boolean(), locked: z.boolean() }),
  ),
});

export const ProfileChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  name: Name.optional(),
  phone: z.string().max(50).optional(),
  language: LanguageCode.optional(),
  mailOptIn: z.boolean().optional(),
  newPassword: Password.optional(),
});

export const EmailChangeRequest = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newEmail: z.email().max(254),
});
export const EmailChangeResponse = z.object({
  email: z
    .string()
    .describe('The new address, waiting for its confirmation; the current one stays in use until then'),
  activationSent: z.literal(true),
});

/**
 * What an API token may do (issue 11). Each portal route needs exactly one scope when an API token calls
 * it (bridge/http/api/router.ts decides which, in one place; a route with none is refused to tokens):
 * - `read`: every GET, and the previews that only compute (warranty, SSA, conversion, key preview);
 * - `devices`: add, edit, move, remove devices, RMA requests;
 * - `licenses`: put licenses on devices (balance, free pool, floating), move them, warranty, license files;
 * - `keys`: redeem activation keys, make, change and delete own keys;
 * - `invalidations`: upload an invalidation document for its confirmation;
 * - `ssa`: extend and change a project's SSA;
 * - `organisation`: company data, users, projects and their rights.
 * Account changes (password, e-mail, API tokens) and switching the company are never open to a token:
 * they need a session opened with the password.
 */
export const API_SCOPES = [
  'read',
  'devices',
  'licenses',
  'keys',
  'invalidations',
  'ssa',
  'organisation',
] as const;
export const ApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScope>;

export const ApiTokenRequest = z.strictObject({
  label: z.string().trim().min(1).max(100),
  scopes: z
    .array(ApiScope)
    .min(1)
    .max(API_SCOPES.length)
    .default(['read'])
    .describe('What the token may do; default only `read`. See the `x-scope` of each route.'),
});
export const ApiTokenCreated = z.object({
  token: z.string(),
  expiresAt: z.string(),
  label: z.string(),
  scopes: z.array(ApiScope),
});
export const ApiTokenList = z.array(
  z.object({
    id: z.string(),
    label: z.string(),
    scopes: z.array(ApiScope),
    companyId: z.number().int().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastUsedAt: z.string().nullable().describe('When the token was last used, to the minute; null: never'),
  }),
);

/** Password reset by mail (issue 11): the same answer whether the address has an account or not. */
export const PasswordResetRequest = z.strictObject({ email: z.email().max(254) });
export const PasswordResetRequested = z.object({
  mailSent: z.literal(true).describe('Always true: a mail goes out only if the address has an account'),
});
export const PasswordResetConfirm = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a reset token'),
  password: Password,
});
export const PasswordResetDone = z.object({ reset: z.literal(true), email: z.string() });

export const HistoryQuery = z.object({
  context: z.enum(['company', 'user', 'device']).default('company'),
  userId: IdText.optional(),
  hardwareId: z.string().max(32).optional(),
  period: z.enum(['day', 'week', 'month', 'year', 'always']).default('week'),
  page: WholeText(1, 100_000).default(1),
  pageSize: WholeText(1, 500).default(50),
});
export const HistoryPage = z.object({
  companyId: z.number().int().describe('The company whose history this is (the selected one)'),
  projectId: z
    .number()
    .int()
    .nullable()
    .describe('The selected project the events are narrowed to; null: all projects'),
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
