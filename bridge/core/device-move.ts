import { MylicError } from '../../protocol/errors.js';
import { projectAccess } from './access.js';
import { type Actor, type Core, isoNow } from './context.js';
import { placementInScope } from './devices.js';
import { recordHistory } from './history.js';

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
 */
export async function moveDevices(core: Core, actor: Actor, deviceIds: readonly number[], targetProjectId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const target = await projectAccess(tx, actor, targetProjectId);
    if (target.external) throw new MylicError('FORBIDDEN', 'Devices cannot be moved into a project your company only has rights on: add them there instead.');
    const moved: { deviceId: number; fromProjectId: number; licenses: number }[] = [];
    const unchanged: number[] = [];
    for (const id of new Set(deviceIds)) {
      const p = await placementInScope(tx, actor, id);
      if (p.external) throw new MylicError('FORBIDDEN', 'Users of a company with rights on this project cannot move its devices out of it.');
      if (p.companyId !== target.project.company_id) throw new MylicError('PROJECT_NOT_FOUND', 'A device can only be moved to another project of the same company.');
      if (p.projectId === target.project.id) {
        unchanged.push(p.deviceId);
        continue;
      }

      // SSA HOOK (issue 6, SSA engineer): when the target project is under SSA, the SSA end dates of the
      // licenses moving below are to be extended to the target's (seed: Move device, "you will first see
      // a SSC calculation, which you have to confirm"). Check the confirmation / recalculate here, before
      // anything moves, inside this transaction: the licenses concerned are
      //   licenses where device_id = p.deviceId and state = 'bound' and project_id = p.projectId.

      await tx.updateTable('device_projects').set({ project_id: target.project.id }).where('device_id', '=', p.deviceId).where('company_id', '=', p.companyId).execute();
      const licenses = await tx
        .updateTable('licenses')
        .set({ project_id: target.project.id, updated_at: at })
        .where('device_id', '=', p.deviceId)
        .where('state', '=', 'bound')
        .where('project_id', '=', p.projectId)
        .executeTakeFirst();
      const n = Number(licenses.numUpdatedRows);
      moved.push({ deviceId: p.deviceId, fromProjectId: p.projectId, licenses: n });
      await recordHistory(tx, at, {
        event: 'device.moved',
        companyId: p.companyId,
        projectId: target.project.id,
        userId: actor.userId,
        deviceId: p.deviceId,
        detail: { hardwareId: p.hardwareId, from: { id: p.projectId, name: p.projectName }, to: { id: target.project.id, name: target.project.name }, licenses: n },
      });
    }
    return { projectId: target.project.id, moved, unchanged };
  });
}
