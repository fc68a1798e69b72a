import * as z from 'zod';
import { IdText } from './ids.js';

/**
 * Software service agreements in the portal API (seed: Projects → SSA, Join; Move device). Pure
 * schemas. Dates are calendar dates `YYYY-MM-DD`; SSC are whole licenses.
 */
const Id = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
export const IsoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD');
const Serial = z.string().min(1).max(64);
const OptOut = z
  .array(Serial)
  .max(10_000)
  .describe('Serials of licenses that get no SSA (no SSC, no new end date)');
const Units = z.number().int().min(0).max(1_000_000_000);

export const SsaProjectParams = z.object({ projectId: IdText });

// ---------------------------------------------------------------------------------------------
// the summary

export const SsaLine = z.object({
  serial: z.string(),
  hardwareId: z.string().nullable(),
  type: z.string(),
  units: z.number(),
  optedOut: z.boolean(),
  start: z.string().describe('The "bind date" column: where the paid period starts'),
  startReason: z.enum(['bind-date', 'next-release', 'running-ssa', 'expired-ssa']),
  daysTwice: z.number().describe('Days before the calculation date, paid twice ("days*2")'),
  days: z.number().describe('Days from the calculation date to the end date, paid once'),
  multiplier: z.string().describe('(2 × daysTwice + days) / 365, rounded half up to 4 decimals'),
  sscPerUnit: z.number(),
  ssc: z.number().describe('units × SSC/unit × multiplier, rounded up to a whole SSC'),
  newSsaEnd: z.string().nullable(),
  line: z
    .number()
    .int()
    .optional()
    .describe('New licenses: the request line they come from (opt them out by line, `optOutLines`)'),
});

export const SsaSummary = z.object({
  calculationDate: z.string(),
  endDate: z.string(),
  lines: z.array(SsaLine),
  total: z.number(),
});

export const SsaPreviewRequest = z.strictObject({
  endDate: IsoDate,
  calculationDate: IsoDate.optional().describe(
    'Another calculation date for a preview; default today. Only today can be confirmed.',
  ),
  optOut: OptOut.optional(),
});

/** The same as query parameters (GET): optOut as a comma-separated list. */
export const SsaPreviewQuery = z.strictObject({
  endDate: IsoDate,
  calculationDate: IsoDate.optional(),
  optOut: z
    .string()
    .max(100_000)
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    ),
});

export const SsaPreviewResponse = z.object({
  projectId: z.number(),
  projectSsaEnd: z.string().nullable(),
  summary: SsaSummary,
  confirmable: z.boolean().describe('true for a calculation for today, by a user of the owning company'),
  payment: z.object({
    projectSsc: z.number().describe("SSC in this project's balance"),
    companySsc: z
      .number()
      .describe('SSC in the balances it may be paid from (this project, and for own projects the others)'),
    missing: z.number().describe('SSC missing from those balances for this total'),
    onCreditAllowed: z.boolean(),
  }),
});

const OnCredit = z
  .strictObject({ orderNumber: z.string().trim().max(64).optional() })
  .describe("Buy on credit (right 'buy-on-credit'), with an optional order number");

export const SsaConfirmRequest = z.strictObject({
  endDate: IsoDate,
  optOut: OptOut.optional(),
  onCredit: OnCredit.optional(),
  expectedTotal: Units.optional().describe(
    'The total shown in the summary; refused with SSA_SUMMARY_CHANGED when it changed since',
  ),
  fromProjectIds: z
    .array(Id)
    .max(1000)
    .optional()
    .describe('Other projects of the company to draw SSC from after this one; default all, in id order'),
});

export const SsaApplied = z.object({
  calculationDate: z.string(),
  endDate: z.string(),
  total: z.number(),
  paid: z.array(z.object({ projectId: z.number(), units: z.number() })),
  onCredit: z.object({ orderNumber: z.string().nullable(), units: z.number() }).nullable(),
  licenses: z.array(z.object({ serial: z.string(), ssaEnd: z.string() })),
  optedOut: z.array(z.string()),
});

export const SsaConfirmResponse = z.object({
  projectId: z.number(),
  ssaEnd: z.string(),
  before: z.string().nullable(),
  summary: SsaSummary,
  applied: SsaApplied,
});

export const SsaStatus = z.object({
  projectId: z.number(),
  ssaEnd: z.string().nullable(),
  underSsa: z.boolean(),
  sendMails: z.boolean().describe('"Send SSA expiry mails"'),
  licenses: z.object({
    total: z.number(),
    covered: z.number(),
    notCovered: z
      .array(z.string())
      .describe(
        "Licenses of the project whose SSA ends before the project's (types under SSA only: warranty extensions and floating licenses have none)",
      ),
  }),
});

export const SsaMailsRequest = z.strictObject({ sendMails: z.boolean() });

// ---------------------------------------------------------------------------------------------
// licenses that come into an SSA project: move device, join project

const IntoOptions = {
  endDate: IsoDate.optional().describe("Default: the target project's SSA end date"),
  calculationDate: IsoDate.optional(),
  optOut: OptOut.optional(),
};

/** The devices as POST /devices/move takes them (`deviceIds`), or by MAC/IPEI in any form (`hardwareIds`), or both. */
export const SsaMovePreviewRequest = z
  .strictObject({
    deviceIds: z.array(Id).min(1).max(500).optional().describe('The deviceIds of the move'),
    hardwareIds: z
      .array(z.string().min(1).max(32))
      .min(1)
      .max(50)
      .optional()
      .describe('MACs or IPEIs, in any form'),
    ...IntoOptions,
  })
  .refine((o) => o.deviceIds !== undefined || o.hardwareIds !== undefined, {
    message: 'Give deviceIds or hardwareIds.',
  });
export const SsaJoinPreviewRequest = z.strictObject({ intoProjectId: Id, ...IntoOptions });

export const SsaIntoPreview = z.object({
  target: z.object({ projectId: z.number(), ssaEnd: z.string().nullable() }),
  summary: SsaSummary.nullable().describe('null: the target is not under SSA'),
  confirmationRequired: z.boolean().describe('SSC must be paid: the move or join needs the confirmation'),
});

/** What a move or join carries to confirm the summary. */
export const SsaConfirmation = z.strictObject({
  endDate: IsoDate.optional(),
  optOut: OptOut.optional(),
  onCredit: OnCredit.optional(),
  expectedTotal: Units.optional(),
  fromProjectIds: z.array(Id).max(1000).optional(),
});

export const SsaJoinRequest = z.strictObject({ intoProjectId: Id, ssa: SsaConfirmation });
export const SsaJoinResponse = z
  .object({
    projectId: z.number(),
    intoProjectId: z.number(),
    devices: z.number(),
    ssa: SsaApplied.nullable(),
  })
  .loose();
