import * as z from 'zod';
import { IdText } from './ids.js';

/**
 * Balance and activation keys in the portal API (seed: Balance, Activations, Own Activations, License
 * certificate). Pure: schemas and the key-code format, no I/O.
 */

// ---------------------------------------------------------------------------------------------
// key codes

/** 32 symbols without the look-alikes 0/O and 1/I: 5 bits a character. */
export const KEY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 25 characters = 125 random bits; shown in groups of five. */
export const KEY_LENGTH = 25;
export const KEY_GROUP = 5;

const KEY_RE = new RegExp(`^[${KEY_ALPHABET}]{${KEY_LENGTH}}$`);

/**
 * The stored form of a key typed by a person: case-insensitive, with or without dashes and spaces.
 * Returns null when the input cannot be a key.
 */
export function normaliseKeyCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '');
  // ASCII first, then upper case: 'ﬀ' (U+FB00) upper-cases to 'FF' and must not pass as a key's letters.
  if (!/^[\x21-\x7e]*$/.test(code)) return null;
  const upper = code.toUpperCase();
  if (upper.length === PLAY_KEY_PREFIX.length + KEY_LENGTH && upper.startsWith(PLAY_KEY_PREFIX))
    return KEY_RE.test(upper.slice(PLAY_KEY_PREFIX.length)) ? upper : null;
  return KEY_RE.test(upper) ? upper : null;
}

/**
 * Keys made in myplay, the sandbox portal, carry this prefix (seed L338 "These will have the prefix
 * "PLAY-" to identify them as play activation keys"): stored as `PLAY` + the 25 characters, shown as
 * `PLAY-ABCDE-…`. The live portal refuses them (PLAY_KEY_NOT_LIVE).
 */
export const PLAY_KEY_PREFIX = 'PLAY';
export const isPlayKeyCode = (code: string) => code.length === PLAY_KEY_PREFIX.length + KEY_LENGTH;

/** `ABCDE-FGHJK-…`: how a key is shown and printed. */
export function formatKeyCode(code: string): string {
  if (isPlayKeyCode(code)) return `${PLAY_KEY_PREFIX}-${formatKeyCode(code.slice(PLAY_KEY_PREFIX.length))}`;
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += KEY_GROUP) groups.push(code.slice(i, i + KEY_GROUP));
  return groups.join('-');
}

// ---------------------------------------------------------------------------------------------
// shared pieces

const Id = z.number().int().positive();
const LicenseTypeName = z.string().trim().min(1).max(40);
/** Units in one line of a request; large enough for any order, small enough to never overflow a sum. */
const MAX_UNITS = 1_000_000;
const Units = z.number().int().positive().max(MAX_UNITS);
const Text = (max: number) => z.string().trim().max(max);
/** What a person types as a key: the format is checked by the core, which answers KEY_NOT_FOUND. */
const KeyInput = z.string().min(1).max(100);

export const LicenseLine = z.object({ type: z.string(), units: z.number().int() });
export type LicenseLine = z.infer<typeof LicenseLine>;

export const IdParams = z.object({ keyId: IdText });
export const ProjectParams = z.object({ projectId: IdText });

// ---------------------------------------------------------------------------------------------
// balance

export const ProjectBalance = z.object({
  projectId: z.number().int(),
  projectName: z.string(),
  companyId: z.number().int(),
  /** Reached through rights granted to the user's company (seed: Projects → Rights). */
  external: z.boolean(),
  licenses: z.array(LicenseLine),
});
export type ProjectBalance = z.infer<typeof ProjectBalance>;

export const BalanceQuery = z.object({
  /** `selected` (default): the selected project, or all projects when none is selected; `all`: all projects. */
  scope: z.enum(['selected', 'all']).default('selected'),
});

export const BalanceOverview = z.object({
  /** `project`: one project's balance; `all`: every project of the selected company (never external ones). */
  scope: z.enum(['project', 'all']),
  companyId: z.number().int(),
  total: z.array(LicenseLine),
  projects: z.array(ProjectBalance),
});
export type BalanceOverview = z.infer<typeof BalanceOverview>;

// ---------------------------------------------------------------------------------------------
// redeeming (Activations)

export const KeyPreviewRequest = z.strictObject({
  key: KeyInput,
  /** The project the key would go into; default: the selected project. */
  projectId: Id.optional(),
});
export const KeyPreview = z.object({
  key: z.string(),
  /** Only the licenses: nothing else of a key is shown before it is redeemed. */
  licenses: z.array(LicenseLine),
  projectId: z.number().int(),
  projectName: z.string(),
});
export type KeyPreview = z.infer<typeof KeyPreview>;

export const RedeemRequest = z.strictObject({
  key: KeyInput,
  comment: Text(500).default(''),
  projectId: Id.optional(),
});
export const Redemption = z.object({
  keyId: z.number().int(),
  key: z.string(),
  projectId: z.number().int(),
  projectName: z.string(),
  licenses: z.array(LicenseLine),
  /** The project's balance after the key. */
  balance: z.array(LicenseLine),
});
export type Redemption = z.infer<typeof Redemption>;

/** A key redeemed into one of the user's projects (seed: Activations list). */
export const ActivationItem = z.object({
  keyId: z.number().int(),
  key: z.string(),
  kind: z.enum(['vendor', 'own']),
  licenses: z.array(LicenseLine),
  comment: z.string(),
  orderNumber: z.string(),
  orderReference: z.string(),
  issuer: z.string(),
  projectId: z.number().int(),
  projectName: z.string(),
  redeemedAt: z.string(),
});
export type ActivationItem = z.infer<typeof ActivationItem>;
export const ActivationList = z.object({ scope: z.enum(['project', 'all']), keys: z.array(ActivationItem) });
export const ActivationQuery = z.object({ projectId: IdText.optional() });

// ---------------------------------------------------------------------------------------------
// own keys (Own Activations)

const CreateLine = z.strictObject({
  type: LicenseTypeName,
  units: Units,
  /** The project whose balance pays; default: the request's projectId, else the selected project. */
  projectId: Id.optional(),
});
const UpdateLine = z.strictObject({
  type: LicenseTypeName,
  /** Positive: more units from a balance; negative: units back into a balance. */
  units: z
    .number()
    .int()
    .min(-MAX_UNITS)
    .max(MAX_UNITS)
    .refine((n) => n !== 0, 'must not be 0'),
  /** Positive: the paying project; negative: the project receiving the units back. */
  projectId: Id.optional(),
});

export const OwnKeyCreateRequest = z.strictObject({
  projectId: Id.optional(),
  licenses: z.array(CreateLine).min(1).max(50),
  comment: Text(500).default(''),
  orderNumber: Text(100).default(''),
  orderReference: Text(100).default(''),
});
export type OwnKeyCreateRequest = z.input<typeof OwnKeyCreateRequest>;

export const OwnKeyUpdateRequest = z
  .strictObject({
    licenses: z.array(UpdateLine).max(50).optional(),
    comment: Text(500).optional(),
    orderNumber: Text(100).optional(),
    orderReference: Text(100).optional(),
  })
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'nothing to change');
export type OwnKeyUpdateRequest = z.input<typeof OwnKeyUpdateRequest>;

export const OwnKeyDeleteQuery = z.object({
  /** Where the licenses go back; default: the selected project, else the projects they came from. */
  projectId: IdText.optional(),
});

export const OwnKey = z.object({
  keyId: z.number().int(),
  key: z.string(),
  companyId: z.number().int(),
  licenses: z.array(LicenseLine),
  sources: z.array(
    z.object({
      projectId: z.number().int(),
      projectName: z.string(),
      type: z.string(),
      units: z.number().int(),
    }),
  ),
  comment: z.string(),
  orderNumber: z.string(),
  orderReference: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set once someone redeemed the key; the project is named only when it is one of the company's own. */
  redeemed: z
    .object({ at: z.string(), projectId: z.number().int().nullable(), projectName: z.string().nullable() })
    .nullable(),
});
export type OwnKey = z.infer<typeof OwnKey>;
export const OwnKeyList = z.object({ scope: z.enum(['project', 'all']), keys: z.array(OwnKey) });
export const OwnKeyQuery = z.object({ projectId: IdText.optional() });

export const OwnKeyDeleted = z.object({
  keyId: z.number().int(),
  returned: z.array(z.object({ projectId: z.number().int(), type: z.string(), units: z.number().int() })),
});
export type OwnKeyDeleted = z.infer<typeof OwnKeyDeleted>;
