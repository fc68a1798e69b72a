import { randomBytes } from 'node:crypto';
import { MylicError } from '../../protocol/errors.js';
import { parseMac } from '../../protocol/hardware-id.js';
import { assertProjectAccess } from './access.js';
import { debitBalance } from './balance.js';
import { catalog } from './catalog.js';
import { type Actor, type Core, isoNow, today } from './context.js';
import { findDevice } from './devices.js';
import { recordHistory } from './history.js';

/** License serials: unique, readable, carried in license files and invalidation documents. */
export const newSerial = () => `L-${randomBytes(8).toString('hex').toUpperCase()}`;

export interface BindRequest {
  projectId: number;
  hardwareId: string;
  licenseType: string;
  units: number;
}

/**
 * Binds licenses from a project's balance to a device (seed: Licenses → Add licenses from balance),
 * in one transaction: debit the balance, create the license, write history. The device must be placed
 * in the project. The full selection rules (maxima, dependent amounts, packs, SSA) come with the
 * devices-and-licenses issue; this is the ledger move they all end in.
 */
export async function bindFromBalance(core: Core, actor: Actor, req: BindRequest) {
  const type = catalog.licenseType(req.licenseType);
  if (!type.bindable) throw new MylicError('VALIDATION_FAILED', `${type.name} is kept in the balance and cannot be bound to a device.`);
  if (!Number.isInteger(req.units) || req.units <= 0) throw new MylicError('AMOUNT_INVALID');
  const hardwareId = parseMac(req.hardwareId);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const project = await assertProjectAccess(tx, actor.userId, req.projectId);
    const device = await findDevice(tx, hardwareId);
    const placed = await tx
      .selectFrom('device_projects')
      .select('device_id')
      .where('device_id', '=', device.id)
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (!placed) throw new MylicError('DEVICE_NOT_IN_PROJECTS', `Device ${hardwareId} is not in project ${project.name} (company ${project.company_id}).`);
    const serial = newSerial();
    await debitBalance(tx, at, project.id, type.name, req.units, 'license.bound', serial);
    await tx
      .insertInto('licenses')
      .values({
        serial,
        license_type: type.name,
        units: req.units,
        version: type.version,
        state: 'bound',
        device_id: device.id,
        project_id: project.id,
        bind_date: today(core),
        ssa_end: null,
        external_key: null,
        returnable: type.returnable ? 1 : 0,
        downloaded_unencrypted: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await recordHistory(tx, at, {
      event: 'license.bound',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      deviceId: device.id,
      detail: { serial, type: type.name, units: req.units },
    });
    return { serial, hardwareId, licenseType: type.name, units: req.units };
  });
}
