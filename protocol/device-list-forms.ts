import * as z from 'zod';
import { IdText } from './ids.js';
import { CsrfForm, field } from './portal-forms.js';

/**
 * The devices list and the "Add new devices" pages (bridge/web/devices/device-list-page.tsx,
 * device-add-page.tsx): the list's GET query and the form posts. As in portal-forms.ts, a field in an
 * odd shape reads as empty (or as the default), never as a crash.
 */

export const DEVICE_LIST_SORTS = ['added', 'added-desc', 'mac', 'mac-desc'] as const;

/** The list's scope: a project id, "all", or absent (the session's selected project). */
const ProjectChoice = z
  .union([z.literal('all'), IdText])
  .optional()
  .catch(undefined);

/** What the list shows: filter text, project, order and the page's cursor (also kept by its forms). */
export const DeviceListParams = z.object({
  q: z.string().trim().max(100).catch(''),
  project: ProjectChoice,
  sort: z.enum(DEVICE_LIST_SORTS).catch('added'),
  after: z
    .string()
    .regex(/^[0-9A-F*]{1,13}\.[0-9]{1,10}$/)
    .optional()
    .catch(undefined),
});
export type DeviceListParams = z.infer<typeof DeviceListParams>;

export const DeviceListQuery = DeviceListParams.extend({
  /** The row shown with its name and comment as fields (edit mode without JavaScript). */
  edit: IdText.optional().catch(undefined),
});

const Ids = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(IdText).max(500))
  .catch([]);

export const DeviceEditForm = CsrfForm.extend(DeviceListParams.shape).extend({
  deviceId: IdText.optional().catch(undefined),
  name: field(200),
  comment: field(1200),
});

/** The selected rows and what to do with them (seed L132: move, remove). */
export const DeviceBatchForm = CsrfForm.extend(DeviceListParams.shape).extend({
  deviceIds: Ids,
  action: z.enum(['move', 'remove']).optional().catch(undefined),
  /** "yes" on the confirmation's button (remove). */
  confirmed: field(3),
  targetProjectId: IdText.optional().catch(undefined),
  /** The SSC total the confirmation showed (a move into a project under SSA); -1: none shown. */
  expectedTotal: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .catch(-1),
});

const ProjectId = IdText.optional().catch(undefined);

/** The add forms take no device type: it is the vendor database's (issue 15 item 8); one sent is ignored. */
export const DeviceAddSingleForm = CsrfForm.extend({
  device: z.string().trim().max(64).catch(''),
  projectId: ProjectId,
});

export const DeviceAddRangeForm = CsrfForm.extend({
  from: z.string().trim().max(64).catch(''),
  to: z.string().trim().max(64).catch(''),
  projectId: ProjectId,
});

/** The file itself is read apart (multipart, a size limit); these are its form's other fields. */
export const DeviceAddFileForm = CsrfForm.extend({
  projectId: ProjectId,
});

export const DeviceAddOrderForm = CsrfForm.extend({
  orderNumber: z.string().trim().max(40).catch(''),
  projectId: ProjectId,
});
