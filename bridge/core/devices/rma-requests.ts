import type { RmaState } from '../../db/schema.js';
import type { RmaRequestEnd } from '../../db/schema-devices.js';
import type { Tx } from '../../db/store.js';
import { recordHistory } from '../history.js';

/**
 * RMA requests per company (issue 11; migration 012). A device can be held by several companies (seed:
 * Warnings, "Several Companies"), so a request belongs to the company that made it: it shows in every
 * company that holds the device (its history and the device's properties), and only the company that
 * made it can take it back. `devices.rma_state` remains the vendor's view of the physical device:
 * 'requested' while any request is active; 'arrived' and 'reshipped' only the operator sets.
 *
 * This file knows only the table and the device row, so devices, license moves and the RMA steps can all
 * use it without importing one another.
 */
export const RMA_ACTIVE: readonly RmaState[] = ['requested', 'arrived'];

export interface ActiveRequest {
  id: number;
  deviceId: number;
  companyId: number;
  userId: number | null;
  reason: string;
  requestedAt: string;
}

/** Active requests of the given devices, oldest first. */
export async function activeRequests(tx: Tx, deviceIds: readonly number[]): Promise<ActiveRequest[]> {
  if (!deviceIds.length) return [];
  const rows = await tx
    .selectFrom('rma_requests')
    .select(['id', 'device_id', 'company_id', 'user_id', 'reason', 'requested_at'])
    .where('device_id', 'in', [...new Set(deviceIds)])
    .where('ended_at', 'is', null)
    .orderBy('requested_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.device_id,
    companyId: r.company_id,
    userId: r.user_id,
    reason: r.reason,
    requestedAt: r.requested_at,
  }));
}

/**
 * Brings `devices.rma_state` in step with the active requests: 'requested' (with the oldest request's
 * date) while one is active, back to what it was before (none, or 'reshipped') when the last one ends.
 * An arrived device is the vendor's and stays as it is.
 */
export async function syncDeviceRmaState(tx: Tx, deviceId: number): Promise<void> {
  const device = await tx
    .selectFrom('devices')
    .select(['rma_state', 'rma_reshipped_at'])
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!device || device.rma_state === 'arrived') return;
  const [first] = await activeRequests(tx, [deviceId]);
  if (first && device.rma_state !== 'requested') {
    await tx
      .updateTable('devices')
      .set({
        rma_state: 'requested',
        rma_reason: first.reason.slice(0, 2000),
        rma_requested_at: first.requestedAt,
        rma_requested_by: first.userId,
        rma_arrived_at: null,
      })
      .where('id', '=', deviceId)
      .execute();
  } else if (!first && device.rma_state === 'requested') {
    await tx
      .updateTable('devices')
      .set({
        rma_state: device.rma_reshipped_at !== null ? 'reshipped' : null,
        rma_reason: null,
        rma_requested_at: null,
        rma_requested_by: null,
      })
      .where('id', '=', deviceId)
      .execute();
  }
}

/** The companies that hold a device, with the project each placed it in. */
export async function holders(tx: Tx, deviceId: number) {
  return tx
    .selectFrom('device_projects')
    .select(['company_id', 'project_id'])
    .where('device_id', '=', deviceId)
    .orderBy('company_id')
    .execute();
}

/**
 * Tells every other company holding the device what one company did with its RMA request: an event in
 * their history without the user, the company or the reason (those are the requesting company's).
 */
export async function tellOtherHolders(
  tx: Tx,
  at: string,
  deviceId: number,
  hardwareId: string,
  byCompanyId: number,
  event: 'device.rma_requested' | 'device.rma_withdrawn',
  detail: Record<string, unknown> = {},
) {
  for (const h of await holders(tx, deviceId)) {
    if (h.company_id === byCompanyId) continue;
    await recordHistory(tx, at, {
      event,
      companyId: h.company_id,
      projectId: h.project_id,
      deviceId,
      detail: { hardwareId, byAnotherCompany: true, ...detail },
    });
  }
}

/**
 * Records a request of `companyId` inside the caller's transaction unless that company already has an
 * active one (then nothing changes: the first reason and date stay). Returns whether a request was made.
 * The caller writes its own company's history event; the other holders are told here.
 */
export async function addRmaRequest(
  tx: Tx,
  at: string,
  r: { deviceId: number; hardwareId: string; companyId: number; userId: number | null; reason: string },
): Promise<boolean> {
  const existing = await tx
    .selectFrom('rma_requests')
    .select('id')
    .where('device_id', '=', r.deviceId)
    .where('company_id', '=', r.companyId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (existing) return false;
  await tx
    .insertInto('rma_requests')
    .values({
      device_id: r.deviceId,
      company_id: r.companyId,
      user_id: r.userId,
      reason: r.reason.slice(0, 2000),
      requested_at: at,
    })
    .execute();
  await syncDeviceRmaState(tx, r.deviceId);
  await tellOtherHolders(tx, at, r.deviceId, r.hardwareId, r.companyId, 'device.rma_requested');
  return true;
}

/**
 * Ends the active requests of one company (or of every company with `companyId` null) for a device, and
 * tells the other holders. Returns how many ended.
 */
export async function endRmaRequests(
  tx: Tx,
  at: string,
  e: {
    deviceId: number;
    hardwareId: string;
    companyId: number | null;
    userId: number | null;
    why: RmaRequestEnd;
  },
): Promise<number> {
  let q = tx
    .updateTable('rma_requests')
    .set({ ended_at: at, ended_by: e.userId, end_reason: e.why })
    .where('device_id', '=', e.deviceId)
    .where('ended_at', 'is', null);
  if (e.companyId !== null) q = q.where('company_id', '=', e.companyId);
  const ended = Number((await q.executeTakeFirst()).numUpdatedRows);
  if (!ended) return 0;
  await syncDeviceRmaState(tx, e.deviceId);
  if (e.companyId !== null)
    await tellOtherHolders(tx, at, e.deviceId, e.hardwareId, e.companyId, 'device.rma_withdrawn', {
      why: e.why,
    });
  return ended;
}

// ---------------------------------------------------------------------------------------------
// what a company sees

export interface RmaRequestView {
  /** Made by the viewer's company. */
  yours: boolean;
  /** The reason, for the company that asked only. */
  reason: string | null;
  requestedAt: string;
}

export interface RmaInfo {
  state: RmaState;
  /** The viewer's own request's reason, or the vendor's note (e.g. arrived without a request); never another company's. */
  reason: string | null;
  requestedAt: string | null;
  arrivedAt: string | null;
  reshippedAt: string | null;
  /** Active requests of the companies holding the device. */
  requests: RmaRequestView[];
}

type DeviceRmaRow = {
  rma_state: RmaState | null;
  rma_reason: string | null;
  rma_requested_at: string | null;
  rma_requested_by?: number | null;
  rma_arrived_at: string | null;
  rma_reshipped_at: string | null;
};

/**
 * The RMA info a company sees: every active request (its own with the reason), the top-level reason its
 * own (or the vendor's note when no company asked). `requests` are the device's active requests.
 * `viewerCompanyId` null is the vendor's operator, who sees every reason.
 */
export function toRmaInfo(
  row: DeviceRmaRow,
  requests: readonly ActiveRequest[],
  viewerCompanyId: number | null,
): RmaInfo | null {
  if (row.rma_state === null) return null;
  if (viewerCompanyId === null) {
    return {
      state: row.rma_state,
      reason: row.rma_reason,
      requestedAt: row.rma_requested_at,
      arrivedAt: row.rma_arrived_at,
      reshippedAt: row.rma_reshipped_at,
      requests: requests.map((r) => ({ yours: false, reason: r.reason, requestedAt: r.requestedAt })),
    };
  }
  const own = requests.find((r) => r.companyId === viewerCompanyId);
  const vendorNote = requests.length === 0 && row.rma_state === 'arrived' ? row.rma_reason : null;
  return {
    state: row.rma_state,
    reason: own?.reason ?? vendorNote,
    requestedAt: own?.requestedAt ?? requests[0]?.requestedAt ?? row.rma_requested_at,
    arrivedAt: row.rma_arrived_at,
    reshippedAt: row.rma_reshipped_at,
    requests: requests.map((r) => ({
      yours: r.companyId === viewerCompanyId,
      reason: r.companyId === viewerCompanyId ? r.reason : null,
      requestedAt: r.requestedAt,
    })),
  };
}
