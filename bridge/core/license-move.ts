import { MylicError } from '../../protocol/errors.js';
import { catalog, type LicenseKind } from './catalog.js';
import { type Actor, type Core, isoNow } from './context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { recordHistory } from './history.js';
import { amountOf } from './license-selection.js';
import { isInRma, markDeviceRma } from './rma.js';
import { hasRight } from './rights.js';
import { applySsaForMove, type SsaConfirmation } from './ssa.js';

/**
 * Move licenses to another device (seed: Devices → Licenses → Move licenses to another device): "If you
 * have the needed account rights or the device is already in RMA, you can move licenses to another
 * device. After moving licenses, the former device will be marked as a RMA device. You can just move
 * licenses to devices without licenses!"
 *
 * All bound licenses move, with their bind date, SSA end, external key and download history; the paying
 * project stays. The target must be reachable by the user and placed in the same company as the source
 * (licenses do not change company this way), take every kind the source holds (catalog) and not exceed
 * its maxima. One transaction: the licenses move, the source is marked for RMA (rma.ts), one history event.
 */
export async function moveLicenses(core: Core, actor: Actor, sourceId: number, req: { targetDeviceId: number; ssa?: SsaConfirmation | undefined }) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const source = await deviceForActor(tx, actor, sourceId);
    const target = await deviceForActor(tx, actor, req.targetDeviceId);
    if (source.device.id === target.device.id) throw new MylicError('MOVE_SAME_DEVICE');
    const inRma = await isInRma(tx, source.device.id);
    if (!inRma && !(await hasRight(tx, actor.userId, 'move-licenses'))) {
      throw new MylicError('FORBIDDEN', 'Moving licenses needs the right move-licenses, unless the device is in RMA.');
    }
    if (target.placement.companyId !== source.placement.companyId) {
      throw new MylicError('FORBIDDEN', 'Licenses move only between devices of the same company.');
    }
    const licenses = await boundLicenses(tx, source.device.id);
    if (!licenses.length) throw new MylicError('NO_LICENSES', `${source.device.hardware_id} has no licenses to move.`);
    const onTarget = await boundLicenses(tx, target.device.id);
    if (onTarget.length) throw new MylicError('MOVE_TARGET_HAS_LICENSES', `${target.device.hardware_id} already has ${onTarget.length} license(s).`, { targetDeviceId: target.device.id, licenses: onTarget.length });

    const amounts = new Map<LicenseKind, number>();
    for (const l of licenses) {
      const t = catalog.licenseType(l.license_type);
      if (!catalog.accepts(target.type, t)) throw new MylicError('LICENSE_TYPE_NOT_FOR_DEVICE', `${target.type.name} does not take ${t.name} licenses.`, { licenseType: t.name, deviceType: target.type.name });
      amounts.set(t.kind, (amounts.get(t.kind) ?? 0) + amountOf({ type: t.name, units: l.units, version: l.version, ssaEnd: l.ssa_end }));
    }
    for (const [kind, amount] of amounts) {
      // All versions together: a conservative bound, the target gets exactly what the source had.
      const max = catalog.maximum(target.type, kind === 'pbx-upgrade' ? 'pbx-port' : kind);
      if (amount > max) throw new MylicError('LICENSE_MAXIMUM_EXCEEDED', `${target.type.name} takes at most ${max} ${kind} licenses; the source has ${amount}.`, { kind, maximum: max, amount });
    }
    const ids = licenses.map((l) => l.id);
    const moved = await tx.updateTable('licenses').set({ device_id: target.device.id, updated_at: at }).where('id', 'in', ids).where('state', '=', 'bound').where('device_id', '=', source.device.id).executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== ids.length) throw new MylicError('INTERNAL', 'License rows changed during the move.');
    // Into another project under SSA, the licenses are brought to its end date like a moved device
    // (seed: Move device; Known Issues): without the confirmation of a due SSC summary, this throws
    // SSA_CONFIRMATION_REQUIRED and the transaction, move included, rolls back.
    const ssa =
      target.placement.projectId !== source.placement.projectId
        ? await applySsaForMove(tx, at, { userId: actor.userId, companyId: source.placement.companyId, deviceIds: [target.device.id], toProjectId: target.placement.projectId, confirm: req.ssa })
        : null;
    await markDeviceRma(tx, at, source.device.id, `licenses moved to ${target.device.hardware_id}`, actor.userId);
    const serials = licenses.map((l) => l.serial);
    await recordHistory(tx, at, {
      event: 'licenses.moved',
      companyId: source.placement.companyId,
      projectId: source.placement.projectId,
      userId: actor.userId,
      deviceId: source.device.id,
      detail: { from: source.device.hardware_id, to: target.device.hardware_id, toDeviceId: target.device.id, serials, sourceWasInRma: inRma, ssa },
    });
    return {
      from: { deviceId: source.device.id, hardwareId: source.device.hardware_id, rma: await isInRma(tx, source.device.id) },
      to: { deviceId: target.device.id, hardwareId: target.device.hardware_id },
      serials,
      ssa,
    };
  });
}
