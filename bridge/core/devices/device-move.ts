import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import type { Tx } from '../../db/store.js';
import { type ProjectAccess, projectAccess } from '../access.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { placementInScope, type ScopedPlacement } from './devices.js';
import { recordHistory } from '../history.js';
import {
  applySsaForMove,
  assertPayerProjects,
  historyDetail,
  previewSsaForMove,
  type SsaConfirmation,
  type SsaIntoPreview,
} from '../ssa/index.js';

/**
 * Move one or several devices to another project of the same company (seed: Move device; "Actions on
 * multiple devices"). All or none, in one transaction; one `device.moved` history event per device.
 *
 * Decided: the placement moves, and the device's bound licenses that belong to the source project
 * (`licenses.project_id`) move with it to the target project. A project's licenses are then always the
 * licenses of its devices, which is what project SSA works on (seed: Projects → SSA, "all SSA licenses
 * of all devices in this project"; Move device, "the SSA date for each SSA license will be extended"),
 * and an emptied project can be deleted. Which balance paid for a license stays in the ledger. Licenses
 * of the device that other companies paid for (the device is in several companies) are not touched.
 *
 * Not for users of a company with rights on the source project: moving a device out of a project
 * removes it from there (seed: Rights, "restricted in removing devices"). The target must be an own
 * project of the device's company; any other project answers PROJECT_NOT_FOUND.
 *
 * SSA (seed: Move device, "If the other project is under SSA, you will first see a SSC calculation, which
 * you have to confirm"): when the target is under SSA, the bound licenses of the moving devices that the
 * company paid for are brought to the target's SSA end (or `ssa.endDate`) in the same transaction,
 * before anything moves (ssa.ts applySsaForMove: one summary for the whole move, paid once). SSC due
 * and no `ssa` confirmation → SSA_CONFIRMATION_REQUIRED with the summary, and nothing moves. The
 * summary to show first is `previewDeviceMove` (POST /projects/:id/ssa/move-preview), which plans the
 * move exactly like this (`planMove`), so the preview's total is what the move asks.
 */
export async function moveDevices(
  core: Core,
  actor: Actor,
  deviceIds: readonly number[],
  targetProjectId: number,
  ssa?: SsaConfirmation,
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { target, toMove, unchanged } = await planMove(tx, actor, deviceIds, targetProjectId);
    await assertPayerProjects(tx, target.company_id, ssa);
    // SSA (issue 6): one summary for all licenses coming in, confirmed (or refused) before anything
    // moves; the licenses are found by device, so the placement can change afterwards.
    const applied = toMove.length
      ? await applySsaForMove(tx, at, {
          userId: actor.userId,
          companyId: target.company_id,
          deviceIds: toMove.map((p) => p.deviceId),
          toProjectId: target.id,
          confirm: ssa,
        })
      : null;
    const moved: { deviceId: number; fromProjectId: number; licenses: number }[] = [];
    for (const p of toMove) {
      await tx
        .updateTable('device_projects')
        .set({ project_id: target.id })
        .where('device_id', '=', p.deviceId)
        .where('company_id', '=', p.companyId)
        .execute();
      const licenses = await tx
        .updateTable('licenses')
        .set({ project_id: target.id, updated_at: at })
        .where('device_id', '=', p.deviceId)
        .where('state', '=', 'bound')
        .where('project_id', '=', p.projectId)
        .executeTakeFirst();
      const n = Number(licenses.numUpdatedRows);
      moved.push({ deviceId: p.deviceId, fromProjectId: p.projectId, licenses: n });
      await recordHistory(tx, at, {
        event: 'device.moved',
        companyId: p.companyId,
        projectId: target.id,
        userId: actor.userId,
        deviceId: p.deviceId,
        detail: {
          hardwareId: p.hardwareId,
          from: { id: p.projectId, name: p.projectName },
          to: { id: target.id, name: target.name },
          licenses: n,
          // The move's SSA (the same in every event of one move: one summary, paid once).
          ...(applied ? { ssa: historyDetail(applied) } : {}),
        },
      });
    }
    return { projectId: target.id, moved, unchanged, ssa: applied };
  });
}

/** What a move would do: the target, the placements that change project, the devices already there. */
export interface MovePlan {
  target: ProjectAccess['project'];
  toMove: ScopedPlacement[];
  unchanged: number[];
}

/**
 * Plans a move with every check of the move (walls, same company, not out of an external project), in
 * the caller's transaction or on the database for a preview. Nothing changes.
 */
export async function planMove(
  tx: Tx,
  actor: Actor,
  deviceIds: readonly number[],
  targetProjectId: number,
): Promise<MovePlan> {
  const target = await projectAccess(tx, actor, targetProjectId);
  if (target.external)
    throw new MylicError(
      'FORBIDDEN',
      'Devices cannot be moved into a project your company only has rights on: add them there instead.',
    );
  const toMove: ScopedPlacement[] = [];
  const unchanged: number[] = [];
  for (const id of new Set(deviceIds)) {
    const p = await placementInScope(tx, actor, id);
    if (p.external)
      throw new MylicError(
        'FORBIDDEN',
        'Users of a company with rights on this project cannot move its devices out of it.',
      );
    if (p.companyId !== target.project.company_id)
      throw new MylicError(
        'PROJECT_NOT_FOUND',
        'A device can only be moved to another project of the same company.',
      );
    if (p.projectId === target.project.id) unchanged.push(p.deviceId);
    else toMove.push(p);
  }
  return { target: target.project, toMove, unchanged };
}

/**
 * The SSC summary of a move (the move's own plan, so the same devices and licenses): null when the
 * target is not under SSA; `confirmationRequired` when the move needs `ssa`. `calculationDate` other
 * than today is a preview only.
 */
export async function previewDeviceMove(
  core: Core,
  actor: Actor,
  deviceIds: readonly number[],
  targetProjectId: number,
  opts: {
    endDate?: string | undefined;
    calculationDate?: string | undefined;
    optOut?: readonly string[] | undefined;
  } = {},
): Promise<SsaIntoPreview> {
  const tx = core.store.db;
  const plan = await planMove(tx, actor, deviceIds, targetProjectId);
  return previewSsaForMove(tx, {
    companyId: plan.target.company_id,
    deviceIds: plan.toMove.map((p) => p.deviceId),
    toProjectId: plan.target.id,
    today: today(core),
    ...(opts.endDate ? { endDate: opts.endDate } : {}),
    ...(opts.calculationDate ? { calculationDate: opts.calculationDate } : {}),
    ...(opts.optOut ? { optOut: opts.optOut } : {}),
  });
}

/**
 * Devices moved into `toProjectId`: what their licenses would cost (seed: Move device). The devices are
 * given as the move takes them (`deviceIds`) or by MAC/IPEI in any form (`hardwareIds`), and the move's
 * own plan decides which licenses come in (device-move.ts planMove): the same checks, so what the preview
 * shows is what POST /devices/move asks to confirm.
 */
export async function previewMoveSsa(
  core: Core,
  actor: Actor,
  toProjectId: number,
  req: {
    deviceIds?: readonly number[];
    hardwareIds?: readonly string[];
    endDate?: string;
    calculationDate?: string;
    optOut?: readonly string[];
  },
): Promise<SsaIntoPreview> {
  const tx = core.store.db;
  // The target's walls first: who may not use the project learns nothing about devices.
  await projectAccess(tx, actor, toProjectId);
  const deviceIds = [...(req.deviceIds ?? [])];
  for (const input of req.hardwareIds ?? []) {
    const { hardwareId } = parseHardwareId(input);
    const device = await tx
      .selectFrom('devices')
      .select('id')
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirst();
    // Unknown, or (planMove) not in the actor's projects: the same answer, so devices cannot be probed.
    if (!device)
      throw new MylicError(
        'DEVICE_NOT_FOUND',
        `There is no device ${formatHardwareId(hardwareId)} in your projects.`,
      );
    deviceIds.push(device.id);
  }
  if (!deviceIds.length)
    throw new MylicError('VALIDATION_FAILED', 'Give the devices to move (deviceIds or hardwareIds).');
  return previewDeviceMove(core, actor, deviceIds, toProjectId, req);
}
