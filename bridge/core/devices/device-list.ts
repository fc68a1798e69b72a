import { MylicError } from '../../../protocol/errors.js';
import type { DeviceDetail, DeviceSummary } from '../../../protocol/devices-api.js';
import { formatHardwareId, hardwareIdKind } from '../../../protocol/hardware-id.js';
import type { Tx } from '../../db/store.js';
import { externalProjectIds, projectAccess, selectedCompany } from '../access.js';
import type { Actor, Core } from '../context.js';
import {
  deviceMatch,
  devicePredicate,
  indexCandidates,
  scopeCompanies,
  inScope,
  scopeAtMost,
  searchTuning,
  type Scope,
} from './device-search-index.js';
import { placementInScope } from './devices.js';
import { activeRequests, RMA_ACTIVE, toRmaInfo } from './rma-requests.js';

/**
 * Devices → List and Properties (seed: "A List of your devices in the currently selected project. You
 * can deselect the current project/device to list all your devices"; filter field; Properties).
 *
 * Lists are ordered by device id (the order devices first came into the portal; a range or file
 * arrives in its own order), which the index (project_id, device_id) serves without sorting for one
 * project. Paging by offset and limit, with the total.
 */

export interface PlacementKey {
  deviceId: number;
  companyId: number;
}

/**
 * Full rows for placements, in the order of `keys`. `selectedCompanyId` tells own from external
 * placements. One query; the licence count is a correlated count on licenses(device_id).
 */
export async function hydratePlacements(
  tx: Tx,
  keys: readonly PlacementKey[],
  selectedCompanyId: number,
): Promise<DeviceSummary[]> {
  if (!keys.length) return [];
  const rows = await tx
    .selectFrom('device_projects as dp')
    .innerJoin('devices as d', 'd.id', 'dp.device_id')
    .innerJoin('projects as p', 'p.id', 'dp.project_id')
    .select((eb) => [
      'dp.device_id',
      'dp.company_id',
      'dp.project_id',
      'dp.name',
      'dp.comment',
      'dp.added_at',
      'p.name as project_name',
      'd.hardware_id',
      'd.device_type',
      'd.rma_state',
      'd.rma_reason',
      'd.rma_requested_at',
      'd.rma_arrived_at',
      'd.rma_reshipped_at',
      eb
        .selectFrom('licenses as l')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('l.device_id', '=', 'dp.device_id')
        .where('l.state', '=', 'bound')
        .as('licenses'),
    ])
    .where((eb) =>
      eb.or(
        keys.map((k) => eb.and([eb('dp.device_id', '=', k.deviceId), eb('dp.company_id', '=', k.companyId)])),
      ),
    )
    .execute();
  const byKey = new Map(rows.map((r) => [`${r.device_id}/${r.company_id}`, r]));
  const requests = await activeRequests(
    tx,
    rows.filter((r) => r.rma_state !== null).map((r) => r.device_id),
  );
  const out: DeviceSummary[] = [];
  for (const k of keys) {
    const r = byKey.get(`${k.deviceId}/${k.companyId}`);
    if (!r) continue;
    const rma = toRmaInfo(
      r,
      requests.filter((q) => q.deviceId === r.device_id),
      selectedCompanyId,
    );
    out.push({
      id: r.device_id,
      hardwareId: r.hardware_id,
      display: formatHardwareId(r.hardware_id),
      idKind: hardwareIdKind(r.hardware_id),
      type: r.device_type,
      name: r.name,
      comment: r.comment,
      projectId: r.project_id,
      projectName: r.project_name,
      companyId: r.company_id,
      external: r.company_id !== selectedCompanyId,
      addedAt: r.added_at,
      inRma: rma !== null && RMA_ACTIVE.includes(rma.state),
      rma,
      licenses: Number(r.licenses ?? 0),
    });
  }
  return out;
}

export interface ListQuery {
  filter?: string | undefined;
  projectId?: number | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

/**
 * The project a list covers (the one asked for, else the session's), which the actor must reach as a
 * project of the selected company or one granted to it; null: all of them.
 */
export async function listProject(
  tx: Tx,
  actor: Actor,
  companyId: number,
  asked: number | undefined,
): Promise<number | null> {
  const projectId = asked ?? actor.projectId ?? null;
  if (projectId === null) return null;
  const access = await projectAccess(tx, actor, projectId);
  // Another company of the user is reached by selecting it first.
  if (!access.external && access.project.company_id !== companyId) throw new MylicError('PROJECT_NOT_FOUND');
  return projectId;
}

/**
 * The list with its total. Without a filter the placements are read in device order from the index
 * (company_id, device_id) or (project_id, device_id). With a filter, a scope larger than
 * `searchTuning.scanLimit` is narrowed by the trigram index first (`device_id in (…)`), and every row is
 * checked with the exact rule, so the total is exact either way.
 */
export async function listDevices(core: Core, actor: Actor, q: ListQuery) {
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  const projectId = await listProject(tx, actor, companyId, q.projectId);
  const s: Scope = {
    companyId,
    external: projectId === null ? await externalProjectIds(tx, actor.userId, companyId) : [],
    projectId,
  };
  const filter = (q.filter ?? '').trim();
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 100;

  let total: number;
  let keys: { device_id: number; company_id: number }[];
  if (!filter) {
    const base = tx.selectFrom('device_projects as dp').where(inScope(s));
    total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    keys = await base
      .select(['dp.device_id', 'dp.company_id'])
      .orderBy('dp.device_id')
      .orderBy('dp.company_id')
      .limit(limit)
      .offset(offset)
      .execute();
  } else {
    const m = deviceMatch(filter);
    let base = tx
      .selectFrom('device_projects as dp')
      .innerJoin('devices as d', 'd.id', 'dp.device_id')
      .where(inScope(s))
      .where(devicePredicate(m));
    if (!(await scopeAtMost(tx, s, searchTuning.scanLimit)))
      base = base.where('dp.device_id', 'in', indexCandidates(tx, m, await scopeCompanies(tx, s)));
    total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    keys = await base
      .select(['dp.device_id', 'dp.company_id'])
      .orderBy('dp.device_id')
      .orderBy('dp.company_id')
      .limit(limit)
      .offset(offset)
      .execute();
  }
  const devices = await hydratePlacements(
    tx,
    keys.map((k) => ({ deviceId: k.device_id, companyId: k.company_id })),
    companyId,
  );
  return { projectId, filter, total, offset, limit, devices };
}

/** Properties of one device as the actor reaches it. */
export async function getDevice(core: Core, actor: Actor, deviceId: number): Promise<DeviceDetail> {
  const tx = core.store.db;
  const p = await placementInScope(tx, actor, deviceId);
  const [summary] = await hydratePlacements(
    tx,
    [{ deviceId: p.deviceId, companyId: p.companyId }],
    p.selectedCompanyId,
  );
  if (!summary) throw new MylicError('DEVICE_NOT_FOUND');
  const device = await tx
    .selectFrom('devices')
    .select(['shipped_on'])
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
  // The order is shown only to the company it was shipped to.
  const order = await tx
    .selectFrom('device_order_lines as ol')
    .innerJoin('device_orders as o', 'o.order_number', 'ol.order_number')
    .select('ol.order_number')
    .where('ol.hardware_id', '=', p.hardwareId)
    .where('o.company_id', '=', p.companyId)
    .orderBy('ol.created_at', 'desc')
    .executeTakeFirst();
  const others = await tx
    .selectFrom('device_projects')
    .select('company_id')
    .where('device_id', '=', deviceId)
    .where('company_id', '!=', p.companyId)
    .executeTakeFirst();
  return {
    ...summary,
    shippedOn: device.shipped_on,
    orderNumber: order?.order_number ?? null,
    otherCompanies: others !== undefined,
  };
}
