import { MylicError } from '../../protocol/errors.js';
import { parseMac } from '../../protocol/hardware-id.js';
import type { Tx } from '../db/store.js';
import { ownProjectAccess, projectAccess } from './access.js';
import { catalog } from './catalog.js';
import { type Actor, type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * Devices (seed: Devices → Add). A device is one physical box, known once by its hardware id; each
 * company places it in one of its projects. Its licenses belong to the device, not to the placement
 * (seed: Remove, "If they have licenses, these won't be deleted").
 */
export async function addDevice(core: Core, actor: Actor, projectId: number, macInput: string, deviceType: string) {
  const hardwareId = parseMac(macInput);
  catalog.assertDeviceType(deviceType);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    // Users of a company with rights on the project may add devices to it (seed: Projects → Rights);
    // the placement is the owning company's, as for its own users.
    const { project } = await projectAccess(tx, actor, projectId);
    let device = await tx.selectFrom('devices').selectAll().where('hardware_id', '=', hardwareId).executeTakeFirst();
    if (!device) {
      device = await tx
        .insertInto('devices')
        .values({ hardware_id: hardwareId, device_type: deviceType, cert_pem: null, invalidation_counter: 0, created_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const placed = await tx
      .selectFrom('device_projects')
      .select('project_id')
      .where('device_id', '=', device.id)
      .where('company_id', '=', project.company_id)
      .executeTakeFirst();
    if (placed) throw new MylicError('DEVICE_ALREADY_IN_COMPANY', `Device ${hardwareId} is already in your company.`);
    await tx
      .insertInto('device_projects')
      .values({ device_id: device.id, company_id: project.company_id, project_id: project.id, name: null, comment: '', added_at: at })
      .execute();
    await recordHistory(tx, at, { event: 'device.added', companyId: project.company_id, projectId: project.id, userId: actor.userId, deviceId: device.id, detail: { hardwareId } });
    return { deviceId: device.id, hardwareId };
  });
}

export async function findDevice(tx: Tx, hardwareId: string) {
  const device = await tx.selectFrom('devices').selectAll().where('hardware_id', '=', hardwareId).executeTakeFirst();
  if (!device) throw new MylicError('DEVICE_NOT_FOUND', `There is no device ${hardwareId}.`);
  return device;
}

/**
 * Remove a device from a project (seed: Devices → Remove: "If they have licenses, these won't be
 * deleted"): the company's placement goes, the device and its licenses stay. Not for users of a company
 * with rights on the project (seed: Rights, "restricted in removing devices").
 */
export async function removeDevice(core: Core, actor: Actor, projectId: number, macInput: string) {
  const hardwareId = parseMac(macInput);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'remove devices');
    const device = await tx.selectFrom('devices').select('id').where('hardware_id', '=', hardwareId).executeTakeFirst();
    const removed = device
      ? await tx.deleteFrom('device_projects').where('device_id', '=', device.id).where('project_id', '=', project.id).executeTakeFirst()
      : { numDeletedRows: 0n };
    if (!device || Number(removed.numDeletedRows) !== 1) throw new MylicError('DEVICE_NOT_FOUND', `Device ${hardwareId} is not in project ${project.name}.`);
    await recordHistory(tx, at, { event: 'device.removed', companyId: project.company_id, projectId: project.id, userId: actor.userId, deviceId: device.id, detail: { hardwareId } });
    return { deviceId: device.id, hardwareId };
  });
}
