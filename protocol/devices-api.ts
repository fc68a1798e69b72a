import * as z from 'zod';
import { IdText, WholeText } from './ids.js';
import { SsaApplied, SsaConfirmation } from './ssa-api.js';

/**
 * Portal API (/api/v1) of the devices area (seed: Devices → List, Add, Check status, Download devices
 * of an order as CSV, Properties, Move device, Remove; RMA; Search; Errors and Warnings). Pure schemas.
 */

/** At most this many devices per range, file or order add (seed: "maximum 50 at once"). */
export const MAX_DEVICES_PER_BATCH = 50;
/** Search: at least 3 characters, 5 for activation keys (seed: Search). */
export const SEARCH_MIN = 3;
export const SEARCH_KEYS_MIN = 5;

const Id = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
/** A device as a person types it: a MAC in any form of the seed, or an IPEI; the core parses it. */
const DeviceInput = z.string().trim().min(1).max(64);
/** Order numbers of the vendor: letters, digits, `.`, `_`, `-` (they travel in paths). */
export const ORDER_NUMBER_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
export const OrderNumber = z
  .string()
  .trim()
  .regex(ORDER_NUMBER_RE, 'an order number has 1 to 40 letters, digits, ".", "_" or "-"');

export const DeviceParams = z.object({ deviceId: IdText });
export const OrderParams = z.object({ orderNumber: OrderNumber });

// ---------------------------------------------------------------------------------------------
// devices

export const RmaInfo = z.object({
  state: z.enum(['requested', 'arrived', 'reshipped']),
  reason: z.string().nullable(),
  requestedAt: z.string().nullable(),
  arrivedAt: z.string().nullable(),
  reshippedAt: z.string().nullable(),
  /**
   * Active requests of the companies that hold the device (issue 11): each sees every request, the
   * reason of its own only, and withdraws only its own.
   */
  requests: z.array(z.object({ yours: z.boolean(), reason: z.string().nullable(), requestedAt: z.string() })),
});

export const DeviceSummary = z.object({
  id: z.number().int(),
  /** Canonical: 12 hex digits (MAC) or 13 characters (IPEI). */
  hardwareId: z.string(),
  /** As shown: 00-90-33-01-23-45 or 00077 0123456 5. */
  display: z.string(),
  idKind: z.enum(['mac', 'ipei']),
  type: z.string(),
  /** The company's own name for the device; null: it is shown by its MAC/IPEI. */
  name: z.string().nullable(),
  comment: z.string(),
  projectId: z.number().int(),
  projectName: z.string(),
  companyId: z.number().int(),
  /** Placed in a project of another company that granted rights to the selected company. */
  external: z.boolean(),
  addedAt: z.string(),
  /** Requested or arrived (seed: "Red marked device names are devices, which are currently in RMA"). */
  inRma: z.boolean(),
  rma: RmaInfo.nullable(),
  /** Bound licenses of the device. */
  licenses: z.number().int(),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

export const DeviceDetail = DeviceSummary.extend({
  /** Date the vendor shipped the device (from its order), if known. */
  shippedOn: z.string().nullable(),
  orderNumber: z.string().nullable(),
  /** In other companies too (seed: Warnings, "Several Companies"). */
  otherCompanies: z.boolean(),
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

export const DeviceListQuery = z.object({
  /** Part of the name, comment or MAC/IPEI (any form); empty: all devices. */
  filter: z.string().max(100).optional(),
  /** A project of the scope; default: the session's selected project, or all. */
  projectId: IdText.optional(),
  offset: WholeText(0, 10_000_000).default(0),
  limit: WholeText(1, 500).default(100),
});
export const DeviceList = z.object({
  /** The project listed, or null: every project of the selected company and those granted to it. */
  projectId: z.number().int().nullable(),
  filter: z.string(),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  devices: z.array(DeviceSummary),
});

export const UpdateDeviceRequest = z
  .strictObject({
    /** null or "": back to showing the MAC/IPEI. A name may not be a MAC or an IPEI. */
    name: z.string().trim().max(100).nullable().optional(),
    comment: z.string().trim().max(1000).optional(),
  })
  .refine((o) => o.name !== undefined || o.comment !== undefined, { message: 'Give a name or a comment.' });

// ---------------------------------------------------------------------------------------------
// adding (seed: Devices → Add; Errors; Warnings)

/**
 * Warnings of an added device. SEVERAL_COMPANIES: it is placed in another company too. SEVERAL_USERS:
 * the seed's "licenses from several users of the old license manager"; here, its bound licenses were
 * paid by more than one company, so the one adding it does not necessarily own the box.
 */
export const DeviceWarning = z.object({
  code: z.enum(['SEVERAL_COMPANIES', 'SEVERAL_USERS']),
  message: z.string(),
});
export type DeviceWarning = z.infer<typeof DeviceWarning>;

/*
 * Adding places a device of the vendor's device database in a project (issue 15 item 8; seed L146,
 * L312–314): a MAC or IPEI it does not know fails with DEVICE_UNKNOWN, and the type is the database's.
 * The requests have no type: a `type` field is refused as unknown (400 VALIDATION_FAILED), so no
 * client believes it chose one.
 */
export const AddDeviceRequest = z.strictObject({
  device: DeviceInput.describe(
    'MAC (00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx, xxxxxx) or IPEI (00077 0123456 5) of a device in the vendor database',
  ),
  projectId: Id.optional().describe('Default: the selected project'),
});
export const AddedDevice = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  display: z.string(),
  /** The type in the vendor's device database. */
  type: z.string(),
  projectId: z.number().int(),
  warnings: z.array(DeviceWarning),
});

export const AddRangeRequest = z.strictObject({
  from: DeviceInput,
  to: DeviceInput,
  projectId: Id.optional(),
});
/** Up to 64 KiB of text: one MAC/IPEI per line; blank lines and surrounding white space are ignored. */
export const AddFileRequest = z.strictObject({
  text: z.string().max(65536),
  projectId: Id.optional(),
});
export const AddFileQuery = z.strictObject({ projectId: IdText.optional() });
export const AddOrderRequest = z.strictObject({ orderNumber: OrderNumber, projectId: Id.optional() });

export const BatchRow = z.object({
  /** 1-based position in the range, file (line number) or order. */
  line: z.number().int(),
  input: z.string(),
  hardwareId: z.string(),
  display: z.string(),
  outcome: z.enum(['added', 'failed']),
  deviceId: z.number().int().nullable(),
  /** Why the row failed: DEVICE_ALREADY_IN_COMPANY, DEVICE_UNKNOWN, … (protocol/errors.ts). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  warnings: z.array(DeviceWarning),
});
export const BatchResult = z.object({
  source: z.enum(['range', 'file', 'order']),
  projectId: z.number().int(),
  added: z.number().int(),
  failed: z.number().int(),
  rows: z.array(BatchRow),
});
export type BatchResult = z.infer<typeof BatchResult>;

// ---------------------------------------------------------------------------------------------
// move and remove (seed: Move device, Remove, "Actions on multiple devices")

const DeviceIds = z.array(Id).min(1).max(500);
export const MoveDevicesRequest = z.strictObject({
  deviceIds: DeviceIds,
  projectId: Id,
  ssa: SsaConfirmation.optional().describe(
    'Into a project under SSA: the confirmation of the SSC summary (POST /projects/{projectId}/ssa/move-preview). Without it a move that costs SSC answers 409 SSA_CONFIRMATION_REQUIRED with the summary',
  ),
});
export const MoveDevicesResult = z.object({
  projectId: z.number().int(),
  moved: z.array(
    z.object({ deviceId: z.number().int(), fromProjectId: z.number().int(), licenses: z.number().int() }),
  ),
  /** Already in the target project. */
  unchanged: z.array(z.number().int()),
  /** The SSA the moved licenses got (the target is under SSA), or null. */
  ssa: SsaApplied.nullable(),
});
export const RemoveDevicesRequest = z.strictObject({ deviceIds: DeviceIds });
export const RemoveDevicesResult = z.object({
  removed: z.array(z.object({ deviceId: z.number().int(), projectId: z.number().int() })),
});

// ---------------------------------------------------------------------------------------------
// RMA

export const RmaRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const RmaWithdrawn = z.object({
  deviceId: z.number().int(),
  hardwareId: z.string(),
  rma: RmaInfo.nullable(),
});
export const RmaListQuery = z.object({
  /** arrived (default; seed: "RMA devices, which arrived … their licenses are moveable"), requested, or active (both). */
  state: z.enum(['arrived', 'requested', 'active']).default('arrived'),
});
export const RmaList = z.object({
  state: z.enum(['arrived', 'requested', 'active']),
  devices: z.array(DeviceSummary),
});

// ---------------------------------------------------------------------------------------------
// status of a foreign device (seed: Check licence, SSA and warranty status of a device)

export const DeviceStatusQuery = z.object({ device: DeviceInput });
export const DeviceStatus = z.object({
  hardwareId: z.string(),
  display: z.string(),
  type: z.string(),
  inYourCompany: z.boolean(),
  inRma: z.boolean(),
  rma: RmaInfo.nullable(),
  licenses: z.array(
    z.object({
      serial: z.string(),
      type: z.string(),
      units: z.number().int(),
      version: z.number().int().nullable(),
      bindDate: z.string(),
      ssaEnd: z.string().nullable(),
    }),
  ),
  warranty: z.object({
    /** The day the warranty starts: shipped (order date) or, unknown that, first added to the portal. */
    start: z.string(),
    startSource: z.enum(['shipped', 'added']),
    baseYears: z.number().int(),
    extensionYears: z.number().int(),
    extensions: z.array(z.object({ serial: z.string(), type: z.string(), years: z.number().int() })),
    end: z.string(),
  }),
});

// ---------------------------------------------------------------------------------------------
// orders (seed: Add "according to your received order number"; Download devices of an order as CSV)

export const OrderDevices = z.object({
  orderNumber: z.string(),
  orderedOn: z.string(),
  devices: z.array(
    z.object({
      hardwareId: z.string(),
      display: z.string(),
      type: z.string(),
      /** Placed in a project of the selected company. */
      projectId: z.number().int().nullable(),
      name: z.string().nullable(),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// search (seed: Search)

export const SearchQuery = z.object({ q: z.string().max(200) });
export const SearchResult = z.object({
  query: z.string(),
  devices: z.array(DeviceSummary),
  devicesTruncated: z.boolean(),
  projects: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      description: z.string(),
      companyId: z.number().int(),
      external: z.boolean(),
    }),
  ),
  projectsTruncated: z.boolean(),
  /** Own activation keys; searched from 5 characters on (null: the query was too short for keys). */
  keys: z
    .array(
      z.object({
        keyId: z.number().int(),
        key: z.string(),
        comment: z.string(),
        orderNumber: z.string(),
        redeemed: z.boolean(),
      }),
    )
    .nullable(),
  /** `PBX-Port14` or `PBX-Port14=100`: devices with bound licenses of that type (at least that many units). */
  licenses: z
    .object({
      type: z.string(),
      minUnits: z.number().int(),
      devices: z.array(DeviceSummary.extend({ units: z.number().int() })),
      truncated: z.boolean(),
    })
    .nullable(),
});
export type SearchResult = z.infer<typeof SearchResult>;
