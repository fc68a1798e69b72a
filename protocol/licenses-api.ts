import * as z from 'zod';
import { IdListText, IdText, WholeText } from './ids.js';
import { SsaApplied, SsaConfirmation, SsaIntoPreview } from './ssa-api.js';

/**
 * Licenses on devices in the portal API (seed: Devices → Licenses: Add licenses from balance, from free
 * licenses, V7 floating license, warranty extensions, Download licenses, Move licenses; Free licenses).
 * Pure: schemas only. The rules are the core's (bridge/core/license-selection.ts and friends).
 */

const Id = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
const VersionNo = z.number().int().min(5).max(14);
const Units = z.number().int().positive().max(1_000_000);
const Serial = z.string().trim().min(1).max(40);
const Text = (max: number) => z.string().trim().max(max);
/** `true`/`false`/`1`/`0` in a query string. */
const QueryBool = z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1');

export const DeviceParams = z.object({ deviceId: IdText });
export const ProjectParams = z.object({ projectId: IdText });

// ---------------------------------------------------------------------------------------------
// catalog

export const CatalogView = z.object({
  currentVersion: z.number().int(),
  versions: z.array(z.object({ version: z.number().int(), released: z.string() })),
  licenseTypes: z.array(
    z.object({
      name: z.string(),
      family: z.string(),
      kind: z.string(),
      version: z.number().int().nullable(),
      sscPerUnitYear: z.number().int(),
      returnable: z.boolean(),
      bindable: z.boolean(),
      packSize: z.number().int(),
      price: z.number().int(),
      series: z.string().nullable(),
      upgradeFrom: z.number().int().nullable(),
      dependsOnPbx: z.enum(['equal', 'at-most']).nullable(),
      externalKey: z.string().nullable(),
      warranty: z.enum(['early', 'late']).nullable(),
      /** Covered by the project's SSA (gets its end date, costs SSC); false for warranty, floating, SSC. */
      ssa: z.boolean(),
    }),
  ),
  deviceTypes: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      category: z.string(),
      identity: z.enum(['mac', 'ipei']),
      firmware: z.object({ from: z.number().int(), to: z.number().int() }).nullable(),
      maxima: z.record(z.string(), z.number().int()),
    }),
  ),
  warranty: z.object({ earlyWindowDays: z.number().int(), maxExtensionYears: z.number().int() }),
});

// ---------------------------------------------------------------------------------------------
// a device's licenses

export const BoundLicense = z.object({
  serial: z.string(),
  type: z.string(),
  family: z.string(),
  units: z.number().int(),
  version: z.number().int().nullable(),
  returnable: z.boolean(),
  bindDate: z.string(),
  ssaEnd: z.string().nullable(),
  externalKey: z.string().nullable(),
  /** Versions this license can be downloaded in. */
  versions: z.array(z.number().int()),
});
export type BoundLicense = z.infer<typeof BoundLicense>;

export const DeviceLicenseList = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  deviceType: z.string(),
  projectId: z.number().int(),
  projectName: z.string(),
  /** Seed: Misc, "No downgrade". */
  noDowngrade: z.boolean(),
  inRma: z.boolean(),
  licenses: z.array(BoundLicense),
});

// ---------------------------------------------------------------------------------------------
// add from balance

export const OfferQuery = z.object({
  version: WholeText(5, 14),
  /** Seed: "whether you want to summate the current licencing"; default yes. */
  summate: QueryBool.default(true),
  /** Wished overall amount of V8+ PBX ports: the cheapest pack combination is pre-filled. */
  ports: WholeText(0, 100_000).optional(),
  /** Comma-separated ids of own projects to draw from as well. */
  drawFrom: IdListText().optional(),
});

const ProjectUnits = z.object({
  projectId: z.number().int(),
  projectName: z.string(),
  units: z.number().int(),
});
const Line = z.object({ type: z.string(), units: z.number().int() });

export const LicenseOffer = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  deviceType: z.string(),
  projectId: z.number().int(),
  projectName: z.string(),
  external: z.boolean(),
  version: z.number().int(),
  summate: z.boolean(),
  /** PBX ports the device holds for this version (the amount Voicemail, Standby and Registrations follow). */
  pbxInstalled: z.number().int(),
  /** A V7 floating license is installed (it excludes V7 PBX licenses). */
  floating: z.boolean(),
  licenses: z.array(
    z.object({
      type: z.string(),
      family: z.string(),
      kind: z.string(),
      version: z.number().int().nullable(),
      packSize: z.number().int(),
      price: z.number().int(),
      sscPerUnitYear: z.number().int(),
      returnable: z.boolean(),
      dependsOnPbx: z.enum(['equal', 'at-most']).nullable(),
      upgradeFrom: z.number().int().nullable(),
      projectBalance: z.number().int(),
      /** Over all own projects of the company; null in a project reached through rights. */
      allProjectsBalance: z.number().int().nullable(),
      installedUnits: z.number().int(),
      /** Own projects that hold this type (to draw from). */
      otherProjects: z.array(ProjectUnits),
    }),
  ),
  /** Installed amount (counted for this version) and maximum per kind. */
  kinds: z.array(z.object({ kind: z.string(), installed: z.number().int(), maximum: z.number().int() })),
  packPlan: z
    .object({
      ports: z.number().int(),
      fromProjects: z.array(z.number().int()),
      /** The cheapest pack combination from those projects; null when they cannot make the amount. */
      choice: z.array(Line).nullable(),
      price: z.number().int().nullable(),
      /** When the chosen projects cannot: the combination all own projects together could make. */
      companyChoice: z.array(Line).nullable(),
    })
    .nullable(),
});
export type LicenseOffer = z.infer<typeof LicenseOffer>;

export const OnCredit = z.strictObject({ orderNumber: Text(100).default('') });

/**
 * The answer to the SSC summary when the device's project is under SSA (seed: "you'll have the
 * possibility to set SSA for the new licenses to this SSA end date or … change this date"); applied by
 * the SSA area (bridge/core/ssa.ts `ssaForNewLicenses`). Without it, SSC due → SSA_CONFIRMATION_REQUIRED
 * with the summary.
 */
export const NewLicenseSsa = z.strictObject({
  endDate: z.iso.date().optional(),
  /** Free licenses: serials that get no SSA (seed: "select for each license, if you want SSA for it or not"). */
  optOut: z.array(z.string().max(60)).max(500).optional(),
  /**
   * Licenses from balance: indexes of `lines` whose licenses get no SSA (their serials are made only when
   * they are bound; the summary shows each license's `line`). Lines of one type become one license: opt
   * out all of them or none.
   */
  optOutLines: z.array(z.number().int().min(0).max(49)).max(50).optional(),
  /** The SSC total the user saw; another total now → SSA_SUMMARY_CHANGED. */
  expectedTotal: z.number().int().min(0).optional(),
  onCredit: OnCredit.optional(),
  fromProjectIds: z.array(Id).max(50).optional(),
});

export const AddFromBalanceRequest = z.strictObject({
  version: VersionNo,
  summate: z.boolean().default(true),
  lines: z
    .array(z.strictObject({ type: z.string().trim().min(1).max(40), units: Units }))
    .min(1)
    .max(50),
  /** Own projects to draw from after the device's project, in this order. */
  drawFrom: z.array(Id).max(50).optional(),
  /** Buy what the balances lack on credit (right 'buy-on-credit'). */
  onCredit: OnCredit.optional(),
  ssa: NewLicenseSsa.optional(),
});
export type AddFromBalanceRequest = z.input<typeof AddFromBalanceRequest>;

/**
 * The SSC summary of a selection from balance before it is made (nothing changes): the same request,
 * and with `ssa.calculationDate` a preview for another day (seed: "You can preview the SSC calculation
 * for another calculation date … you can't confirm this calculation for another date"). Lines carry
 * `line` (the request line) and a placeholder serial: serials are made when the licenses are bound.
 */
export const AddFromBalanceSsaPreviewRequest = AddFromBalanceRequest.extend({
  ssa: NewLicenseSsa.extend({ calculationDate: z.iso.date().optional() }).optional(),
});
export type AddFromBalanceSsaPreviewRequest = z.input<typeof AddFromBalanceSsaPreviewRequest>;
export const AddFromBalanceSsaPreview = SsaIntoPreview;

export const NewLicense = z.object({
  serial: z.string(),
  type: z.string(),
  units: z.number().int(),
  version: z.number().int().nullable(),
  /** The project whose balance paid. */
  projectId: z.number().int(),
  externalKey: z.string().nullable(),
  onCredit: z.boolean(),
});

export const AddFromBalanceResult = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  projectId: z.number().int(),
  version: z.number().int(),
  licenses: z.array(NewLicense),
  drawn: z.array(z.object({ projectId: z.number().int(), type: z.string(), units: z.number().int() })),
  onCredit: z.object({ orderNumber: z.string(), lines: z.array(Line) }).nullable(),
  ssa: z.unknown(),
});

// ---------------------------------------------------------------------------------------------
// free licenses

export const FreeLicense = z.object({
  serial: z.string(),
  /** Seed: "Original Type". */
  type: z.string(),
  /** Seed: "the correct license type is shown in column 'License Type'" — the type its SSA reaches. */
  typeUnderSsa: z.string(),
  units: z.number().int(),
  version: z.number().int().nullable(),
  versions: z.array(z.number().int()),
  bindDate: z.string(),
  ssaEnd: z.string().nullable(),
  externalKey: z.string().nullable(),
  projectId: z.number().int(),
  projectName: z.string(),
});
export type FreeLicense = z.infer<typeof FreeLicense>;

export const FreeQuery = z.object({ projectId: IdText.optional() });
export const FreeList = z.object({ scope: z.enum(['project', 'all']), licenses: z.array(FreeLicense) });

export const FreeOfferQuery = z.object({ version: WholeText(5, 14) });
export const FreeOffer = z.object({
  deviceId: z.number().int(),
  version: z.number().int(),
  licenses: z.array(FreeLicense),
});

export const AssignFreeRequest = z.strictObject({
  version: VersionNo,
  serials: z.array(Serial).min(1).max(200),
  ssa: NewLicenseSsa.optional(),
});
export const AssignFreeResult = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  version: z.number().int(),
  licenses: z.array(FreeLicense),
  ssa: z.unknown(),
});

export const ConvertRequest = z.strictObject({
  licenses: z
    .array(z.strictObject({ serial: Serial, version: VersionNo.optional() }))
    .min(1)
    .max(200),
  onCredit: OnCredit.optional(),
});
export const ConvertResult = z.object({
  lines: z.array(
    z.object({
      serial: z.string(),
      fromType: z.string(),
      toType: z.string(),
      units: z.number().int(),
      projectId: z.number().int(),
      ssc: z.number().int(),
    }),
  ),
  ssc: z.number().int(),
  /** SSC taken per project, or bought on credit. */
  paid: z.array(z.object({ projectId: z.number().int(), units: z.number().int() })),
  onCredit: z.object({ orderNumber: z.string().nullable(), units: z.number().int() }).nullable(),
  done: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// V7 floating license

export const FloatingResult = z.object({
  deviceId: z.number().int(),
  serial: z.string(),
  type: z.string(),
  deleted: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// warranty extensions

const WarrantyChoice = z.enum(['early', 'late']);
export const DeviceWarrantyRequest = z.strictObject({
  years: z.number().int().min(1).max(4),
  type: WarrantyChoice.optional(),
});
export const ProjectWarrantyRequest = z
  .strictObject({
    /** The same years for every device of the project (seed: "by entering the number in the list header"). */
    years: z.number().int().min(0).max(4).optional(),
    devices: z
      .array(
        z.strictObject({
          deviceId: Id,
          years: z.number().int().min(0).max(4),
          type: WarrantyChoice.optional(),
        }),
      )
      .max(5000)
      .optional(),
  })
  .refine(
    (r) => r.years !== undefined || r.devices !== undefined,
    'give years for all devices, or per device',
  );

export const WarrantyOverview = z.object({
  projectId: z.number().int(),
  /** The receipt of a device is the day it was shipped, else the day it was first added. */
  lines: z.array(
    z.object({
      deviceId: z.number().int(),
      hardwareId: z.string(),
      deviceType: z.string(),
      receipt: z.string(),
      earlyUntil: z.string(),
      installedYears: z.number().int(),
      years: z.number().int(),
      type: z.string().nullable(),
      serial: z.string().nullable(),
    }),
  ),
  totals: z.array(z.object({ type: z.string(), units: z.number().int(), projectBalance: z.number().int() })),
  sufficient: z.boolean(),
  done: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// downloads

export const DownloadOptions = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  deviceType: z.string(),
  projectId: z.number().int(),
  certificate: z.boolean(),
  noDowngrade: z.boolean(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      encrypted: z.boolean(),
      licenses: z.number().int(),
      makesNonReturnable: z.array(z.string()),
    }),
  ),
});
export const PortalLicenseFileRequest = z.strictObject({
  version: VersionNo,
  /** Required for V5–V7, and for `encrypted: false`: the file is not encrypted and its licenses become non-returnable. */
  acceptNonReturnable: z.boolean().default(false),
  /**
   * false: a V8+ file without encryption (seed L203–204, issue 15 item 5); needs acceptNonReturnable.
   * Absent or true: V8+ files are encrypted to the device certificate on record.
   */
  encrypted: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------
// moving licenses

export const MoveLicensesRequest = z.strictObject({
  targetDeviceId: Id,
  /** When the target device is in another project under SSA: the confirmation of its SSC summary. */
  ssa: SsaConfirmation.optional(),
});
export const MoveLicensesResult = z.object({
  from: z.object({ deviceId: z.number().int(), hardwareId: z.string(), rma: z.boolean() }),
  to: z.object({ deviceId: z.number().int(), hardwareId: z.string() }),
  serials: z.array(z.string()),
  /** The SSA applied on the way in (null when the target's project is not under SSA or is the same). */
  ssa: SsaApplied.nullable(),
});
