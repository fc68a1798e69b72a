import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import type { RmaState } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { projectScope, selectedCompany } from '../access.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { hydratePlacements } from './device-list.js';
import { unindexPlacement } from './device-search-index.js';
import { placementInScope } from './devices.js';
import { recordHistory } from '../history.js';
import {
  activeRequests,
  addRmaRequest,
  endRmaRequests,
  RMA_ACTIVE,
  toRmaInfo,
  type RmaInfo,
} from './rma-requests.js';

export { RMA_ACTIVE, toRmaInfo, type RmaInfo, type RmaRequestView } from './rma-requests.js';

/**
 * RMA of a physical device (seed: Devices, "Red marked device names are devices, which are currently
 * in RMA"; Device properties, "Request RMA"; RMA; Project Freed_RMA_licenses; Licenses → Move, "After
 * moving licenses, the former device will be marked as a RMA device").
 *
 * States of `devices.rma_state`: null (never) → 'requested' (while a company that holds the device has
 * an active request: rma-requests.ts) → 'arrived' (operator: the device is at the vendor; only now are
 * its licenses movable without the right move-licenses) → 'reshipped' (operator: it went to another
 * customer; its unmoved licenses were freed). A reshipped device can be requested again. "In RMA" means
 * requested or arrived. Requests are per company (issue 11): each holder sees that the device is in
 * RMA, but the reason and the right to withdraw belong to the company that asked.
 */

/** The RMA state of a device, or null when it was never in RMA (or does not exist). */
export async function rmaState(tx: Tx, deviceId: number): Promise<RmaState | null> {
  const row = await tx
    .selectFrom('devices')
    .select('rma_state')
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return row?.rma_state ?? null;
}

/** Requested or arrived: the device is currently in RMA. */
export async function isInRma(tx: Tx, deviceId: number): Promise<boolean> {
  const state = await rmaState(tx, deviceId);
  return state !== null && RMA_ACTIVE.includes(state);
}

/** The device arrived at the vendor: the only RMA state that waives the right move-licenses (seed: RMA). */
export async function hasArrived(tx: Tx, deviceId: number): Promise<boolean> {
  return (await rmaState(tx, deviceId)) === 'arrived';
}

/** RMA info of one device as `viewerCompanyId` sees it. */
export async function rmaInfo(
  tx: Tx,
  deviceId: number,
  viewerCompanyId: number | null,
): Promise<RmaInfo | null> {
  const row = await tx
    .selectFrom('devices')
    .select([
      'rma_state',
      'rma_reason',
      'rma_requested_at',
      'rma_requested_by',
      'rma_arrived_at',
      'rma_reshipped_at',
    ])
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return row ? toRmaInfo(row, await activeRequests(tx, [deviceId]), viewerCompanyId) : null;
}

// ---------------------------------------------------------------------------------------------
// the RMA steps

/** The project that receives the freed licenses of a reshipped RMA device (seed: Project Freed_RMA_licenses). */
export const FREED_RMA_PROJECT = 'Freed_RMA_licenses';

/**
 * Request RMA from the device properties (seed: Properties, "directly request RMA for this device"),
 * for the selected company. Refused while that company already has a request, or the device is at the
 * vendor. Another company holding the device may have its own request; neither moves a license.
 * The event goes to this company's history with the reason, and to every other holder's without it.
 */
export async function requestRma(core: Core, actor: Actor, deviceId: number, reason: string) {
  const text = reason.trim();
  if (!text || text.length > 2000)
    throw new MylicError('VALIDATION_FAILED', 'Give a reason of 1 to 2000 characters.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const p = await placementInScope(tx, actor, deviceId);
    const state = await rmaState(tx, p.deviceId);
    if (state === 'arrived')
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Device ${formatHardwareId(p.hardwareId)} has already arrived at the vendor.`,
      );
    const made = await addRmaRequest(tx, at, {
      deviceId: p.deviceId,
      hardwareId: p.hardwareId,
      companyId: p.selectedCompanyId,
      userId: actor.userId,
      reason: text,
    });
    if (!made)
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Your company has already requested RMA for device ${formatHardwareId(p.hardwareId)}.`,
      );
    await recordHistory(tx, at, {
      event: 'device.rma_requested',
      companyId: p.selectedCompanyId,
      projectId: p.external ? null : p.projectId,
      userId: actor.userId,
      deviceId: p.deviceId,
      detail: { hardwareId: p.hardwareId, reason: text },
    });
    return (await rmaInfo(tx, p.deviceId, p.selectedCompanyId))!;
  });
}

/**
 * Withdraw the selected company's RMA request (issue 11: "can be withdrawn by whoever made it"): the
 * user who made it or an admin of that company, while the device has not arrived at the vendor. Other
 * companies' requests stay; the device leaves RMA when none is left.
 */
export async function withdrawRma(core: Core, actor: Actor, deviceId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const p = await placementInScope(tx, actor, deviceId);
    const { admin } = await selectedCompany(tx, actor);
    const mine = (await activeRequests(tx, [p.deviceId])).filter((r) => r.companyId === p.selectedCompanyId);
    if (!mine.length)
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Your company has no RMA request for device ${formatHardwareId(p.hardwareId)}.`,
      );
    if ((await rmaState(tx, p.deviceId)) === 'arrived')
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Device ${formatHardwareId(p.hardwareId)} has arrived at the vendor: the request can no longer be withdrawn.`,
      );
    if (!admin && !mine.some((r) => r.userId === actor.userId))
      throw new MylicError(
        'FORBIDDEN',
        'Only the user who requested RMA or a company admin can withdraw the request.',
      );
    await endRmaRequests(tx, at, {
      deviceId: p.deviceId,
      hardwareId: p.hardwareId,
      companyId: p.selectedCompanyId,
      userId: actor.userId,
      why: 'withdrawn',
    });
    await recordHistory(tx, at, {
      event: 'device.rma_withdrawn',
      companyId: p.selectedCompanyId,
      projectId: p.external ? null : p.projectId,
      userId: actor.userId,
      deviceId: p.deviceId,
      detail: { hardwareId: p.hardwareId, why: 'withdrawn' },
    });
    return {
      deviceId: p.deviceId,
      hardwareId: p.hardwareId,
      rma: await rmaInfo(tx, p.deviceId, p.selectedCompanyId),
    };
  });
}

/** Every placement of a device: for history events in each company concerned. */
async function placementsOf(tx: Tx, deviceId: number) {
  return tx
    .selectFrom('device_projects')
    .select(['company_id', 'project_id'])
    .where('device_id', '=', deviceId)
    .orderBy('company_id')
    .execute();
}

async function deviceByInput(tx: Tx, input: string) {
  const { hardwareId } = parseHardwareId(input);
  const device = await tx
    .selectFrom('devices')
    .select(['id', 'hardware_id', 'rma_state'])
    .where('hardware_id', '=', hardwareId)
    .executeTakeFirst();
  if (!device)
    throw new MylicError('DEVICE_NOT_FOUND', `There is no device ${formatHardwareId(hardwareId)}.`);
  return device;
}

/**
 * Operator: the device arrived at the vendor (`mylic-bridge ops rma arrived --mac M`). From then on its
 * licenses are movable (seed: RMA). A device that arrives without a request is taken as requested now.
 */
export async function rmaArrived(core: Core, input: string) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const device = await deviceByInput(tx, input);
    if (device.rma_state === 'arrived')
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Device ${formatHardwareId(device.hardware_id)} has already arrived.`,
      );
    const requested = device.rma_state === 'requested';
    await tx
      .updateTable('devices')
      .set({
        rma_state: 'arrived',
        rma_arrived_at: at,
        rma_reshipped_at: null,
        ...(requested
          ? {}
          : { rma_requested_at: at, rma_reason: 'arrived without a request', rma_requested_by: null }),
      })
      .where('id', '=', device.id)
      .execute();
    // Every company holding the device sees that it arrived at the vendor.
    const placements = await placementsOf(tx, device.id);
    for (const p of placements) {
      await recordHistory(tx, at, {
        event: 'device.rma_arrived',
        companyId: p.company_id,
        projectId: p.project_id,
        deviceId: device.id,
        detail: { hardwareId: device.hardware_id, requestedBefore: requested, by: 'operator' },
      });
    }
    if (!placements.length)
      await recordHistory(tx, at, {
        event: 'device.rma_arrived',
        deviceId: device.id,
        detail: { hardwareId: device.hardware_id, requestedBefore: requested, by: 'operator' },
      });
    return {
      deviceId: device.id,
      hardwareId: device.hardware_id,
      display: formatHardwareId(device.hardware_id),
      ...(await rmaInfo(tx, device.id, null))!,
    };
  });
}

/**
 * Operator: the device goes to another customer (`mylic-bridge ops rma reship --mac M`). Its bound
 * licenses that were not moved go into the free pool of the project Freed_RMA_licenses of the company
 * that owns them (the company of the license's project), created if missing; the device leaves every
 * company's projects. One transaction; the `device.rma_reshipped` event is written once per company
 * concerned (each sees it in its history), naming what it got back.
 */
export async function rmaReship(core: Core, input: string) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const device = await deviceByInput(tx, input);
    if (device.rma_state !== 'arrived') {
      throw new MylicError(
        'RMA_STATE_INVALID',
        `Device ${formatHardwareId(device.hardware_id)} has not arrived at the vendor (RMA state: ${device.rma_state ?? 'none'}): mark it arrived first.`,
      );
    }
    const licenses = await tx
      .selectFrom('licenses as l')
      .innerJoin('projects as p', 'p.id', 'l.project_id')
      .select(['l.id', 'l.serial', 'l.license_type', 'l.units', 'p.company_id'])
      .where('l.device_id', '=', device.id)
      .where('l.state', '=', 'bound')
      .orderBy('l.id')
      .execute();
    const placements = await placementsOf(tx, device.id);
    const companies = [
      ...new Set([...licenses.map((l) => l.company_id), ...placements.map((p) => p.company_id)]),
    ].sort((a, b) => a - b);
    const freed: { companyId: number; projectId: number; projectCreated: boolean; serials: string[] }[] = [];
    for (const companyId of companies) {
      const mine = licenses.filter((l) => l.company_id === companyId);
      if (!mine.length) continue;
      let project = await tx
        .selectFrom('projects')
        .select('id')
        .where('company_id', '=', companyId)
        .where('name', '=', FREED_RMA_PROJECT)
        .executeTakeFirst();
      const projectCreated = !project;
      if (!project) {
        project = await tx
          .insertInto('projects')
          .values({
            company_id: companyId,
            name: FREED_RMA_PROJECT,
            description: 'Licenses of RMA devices that were reshipped to another customer.',
            ssa_end: null,
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      }
      const moved = await tx
        .updateTable('licenses')
        .set({ state: 'free', device_id: null, project_id: project.id, updated_at: at })
        .where(
          'id',
          'in',
          mine.map((l) => l.id),
        )
        .where('state', '=', 'bound')
        .where('device_id', '=', device.id)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== mine.length)
        throw new MylicError('INTERNAL', 'License rows changed during the reship.');
      freed.push({ companyId, projectId: project.id, projectCreated, serials: mine.map((l) => l.serial) });
    }
    await endRmaRequests(tx, at, {
      deviceId: device.id,
      hardwareId: device.hardware_id,
      companyId: null,
      userId: null,
      why: 'reshipped',
    });
    for (const p of placements) await unindexPlacement(tx, device.id, p.company_id);
    await tx.deleteFrom('device_projects').where('device_id', '=', device.id).execute();
    await tx
      .updateTable('devices')
      .set({ rma_state: 'reshipped', rma_reshipped_at: at })
      .where('id', '=', device.id)
      .execute();
    for (const companyId of companies) {
      const f = freed.find((x) => x.companyId === companyId);
      const left = placements.find((p) => p.company_id === companyId);
      await recordHistory(tx, at, {
        event: 'device.rma_reshipped',
        companyId,
        projectId: f?.projectId ?? left?.project_id ?? null,
        deviceId: device.id,
        detail: {
          hardwareId: device.hardware_id,
          leftProjectId: left?.project_id ?? null,
          freed: f ?? null,
          by: 'operator',
        },
      });
    }
    if (!companies.length)
      await recordHistory(tx, at, {
        event: 'device.rma_reshipped',
        deviceId: device.id,
        detail: { hardwareId: device.hardware_id, by: 'operator' },
      });
    return {
      deviceId: device.id,
      hardwareId: device.hardware_id,
      display: formatHardwareId(device.hardware_id),
      freed,
      removedFrom: placements.map((p) => ({ companyId: p.company_id, projectId: p.project_id })),
    };
  });
}

/**
 * The RMA page (seed: RMA, "all your RMA devices, which arrived innovaphone already. The licenses of
 * this macadresses are moveable"): devices of the session's scope (selected project or all) in that
 * state; `requested` and `active` show the others too.
 */
export async function listRma(
  core: Core,
  actor: Actor,
  state: 'arrived' | 'requested' | 'active' = 'arrived',
) {
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  const scope = await projectScope(tx, actor);
  if (!scope.length) return { state, devices: [] };
  const states: RmaState[] = state === 'active' ? [...RMA_ACTIVE] : [state];
  const keys = await tx
    .selectFrom('device_projects as dp')
    .innerJoin('devices as d', 'd.id', 'dp.device_id')
    .select(['dp.device_id', 'dp.company_id'])
    .where('dp.project_id', 'in', scope)
    .where('d.rma_state', 'in', states)
    .orderBy('dp.device_id')
    .limit(1000)
    .execute();
  return {
    state,
    devices: await hydratePlacements(
      tx,
      keys.map((k) => ({ deviceId: k.device_id, companyId: k.company_id })),
      companyId,
    ),
  };
}
