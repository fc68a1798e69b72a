import * as z from 'zod';

/**
 * The export of the old license manager (issue 15, item 1; seed: Projects → Import, L76–81), loaded by
 * `mylic-bridge legacy load FILE` (bridge/core/legacy). The format is documented in
 * docs/legacy-import.md, with a sample in docs/legacy-export.sample.json. JSON, UTF-8:
 *
 * - `groups`: every group of the old license manager (a user who belonged to no group is exported as a
 *   group of one); each with its `users`: e-mail, name, the password hash as the old system stored it,
 *   and that user's `balance` (license type → units). The balance the Import shows is summed over the
 *   group (seed L77: "the balance of all users, which belong to your old group").
 * - `devices`: the devices the old license manager knew, by MAC (or IPEI), with the device type, the
 *   old user who registered it (`owner`, optional) and its `licenses`, each with the old user who
 *   created it (`createdBy`), its type (the catalog's names), units, serial and bind date.
 *
 * Password hashes (docs/legacy-import.md): `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`,
 * the old license manager's scheme (PBKDF2-HMAC-SHA256, checked with node:crypto), or ours,
 * `scrypt$N$r$p$<salt base64>$<hash base64>` (bridge/core/accounts/passwords.ts).
 */
export const LEGACY_EXPORT_FORMAT = 'mylic-legacy-export';

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'not an e-mail address');
const PasswordHash = z
  .string()
  .max(500)
  .regex(
    /^(pbkdf2-sha256\$[0-9]{1,9}\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+|scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)$/,
    'password hashes are pbkdf2-sha256$iterations$salt$hash or scrypt$N$r$p$salt$hash',
  );
const Units = z.number().int().positive().max(1_000_000);
const TypeName = z.string().min(1).max(60);
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const LegacyUser = z
  .object({
    email: Email,
    name: z.string().max(200).default(''),
    passwordHash: PasswordHash,
    balance: z
      .array(z.object({ type: TypeName, units: Units }).strict())
      .max(500)
      .default([]),
  })
  .strict();

export const LegacyGroup = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().max(200).default(''),
    users: z.array(LegacyUser).min(1).max(10_000),
  })
  .strict();

export const LegacyLicense = z
  .object({
    serial: z.string().min(1).max(100),
    type: TypeName,
    units: Units,
    createdBy: Email,
    bindDate: Day,
  })
  .strict();

export const LegacyDevice = z
  .object({
    /** A MAC in any of the seed's forms, or an IPEI (protocol/hardware-id.ts). */
    hardwareId: z.string().min(1).max(40),
    type: z.string().min(1).max(40),
    owner: Email.optional(),
    licenses: z.array(LegacyLicense).max(1000).default([]),
  })
  .strict();

export const LegacyExport = z
  .object({
    format: z.literal(LEGACY_EXPORT_FORMAT),
    version: z.literal(1),
    exportedAt: z.string().max(40).optional(),
    groups: z.array(LegacyGroup).max(100_000),
    devices: z.array(LegacyDevice).max(1_000_000),
  })
  .strict();
export type LegacyExport = z.infer<typeof LegacyExport>;

/** The Import's errors (no checkbox) and warnings (seed: Errors, Warnings, L305–321). */
export const LEGACY_DEVICE_ERRORS = ['ALREADY_IN_COMPANY', 'ALREADY_IMPORTED', 'NOT_FOUND'] as const;
export type LegacyDeviceError = (typeof LEGACY_DEVICE_ERRORS)[number];
export const LEGACY_DEVICE_WARNINGS = ['SEVERAL_COMPANIES', 'SEVERAL_USERS'] as const;
export type LegacyDeviceWarning = (typeof LEGACY_DEVICE_WARNINGS)[number];
