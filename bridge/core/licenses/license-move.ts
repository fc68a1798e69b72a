import { MylicError } from '../../../protocol/errors.js';
import { catalog, type LicenseKind } from '../catalog.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { recordHistory } from '../history.js';
import { amountOf } from './license-selection.js';
import { splitByOwner } from './license-ownership.js';
import { hasArrived, isInRma } from '../devices/index.js';
import { addRmaRequest } from '../devices/index.js';
import { hasRight } from '../rights.js';
import { applySsaForMove, assertPayerProjects, type SsaConfirmation } from '../ssa/index.js';

/**
 * Move licenses to another device (seed: Devices → Licenses → Move licenses to another device): "If you
 * have the needed account rights or the device is already in RMA, you can move licenses to another
 * device. After moving licenses, the former device will be marked as a RMA device. You can just move
 * licenses to devices without licenses!"
 *
 * Whose licenses (issue 11): only the licenses of the company through whose placement the caller reaches
 * the source device — the company that paid for them — and only onto a device that company holds. A
 * second company holding the same device (seed: "Several Companies") sees those licenses but cannot move
 * them: LICENSES_OF_ANOTHER_COMPANY. "In RMA" that waives the right move-licenses is the vendor's
 * "arrived" state only (seed: RMA, "RMA devices, which arrived innovaphone already. The licenses of this
 * macadresses are moveable"): a request, which any holder can make, waives nothing.
 *
 * All of the owner's bound licenses move, with their bind date, SSA end, external key and download
 * history; the paying project stays. The target must take every kind the source holds (catalog) and not
 * exceed its maxima. One transaction: the licenses move, the owner's RMA request for the source is
 * recorded (rma-requests.ts), one history event.
 */
export async function moveLicenses(
  core: Core,
  actor: Actor,
  sourceId: number,
  req: { targetDeviceId: number; ssa?: SsaConfirmation | undefined },
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const source = await deviceForActor(tx, actor, sourceId);
    const target = await deviceForActor(tx, actor, req.targetDeviceId);
    if (source.device.id === target.device.id) throw new MylicError('MOVE_SAME_DEVICE');
    // The actor's own company: licenses move only by the company that paid for them (a company acting
    // through project rights moves nothing of the owner's).
    const owner = actor.companyId ?? -1;
    const { own: licenses, others } = await splitByOwner(
      tx,
      await boundLicenses(tx, source.device.id),
      owner,
    );
    if (!licenses.length && others.length) {
      throw new MylicError(
        'LICENSES_OF_ANOTHER_COMPANY',
        `The licenses of ${source.device.hardware_id} belong to another company that holds this device; only that company can move them.`,
      );
    }
    if (!licenses.length)
      throw new MylicError('NO_LICENSES', `${source.device.hardware_id} has no licenses to move.`);
    const arrived = await hasArrived(tx, source.device.id);
    // Held per company (seed L272): in the company whose licenses move.
    if (!arrived && !(await hasRight(tx, actor.userId, 'move-licenses', owner))) {
      throw new MylicError(
        'FORBIDDEN',
        'Moving licenses needs the right move-licenses, unless the device has arrived at the vendor for RMA.',
      );
    }
    if (target.placement.companyId !== owner) {
      throw new MylicError('FORBIDDEN', 'Licenses move only to a device of the company that paid for them.');
    }
    await assertPayerProjects(tx, owner, req.ssa);
    const onTarget = await boundLicenses(tx, target.device.id);
    if (onTarget.length)
      throw new MylicError(
        'MOVE_TARGET_HAS_LICENSES',
        `${target.device.hardware_id} already has ${onTarget.length} license(s).`,
        { targetDeviceId: target.device.id, licenses: onTarget.length },
      );

    const amounts = new Map<LicenseKind, number>();
    for (const l of licenses) {
      const t = catalog.licenseType(l.license_type);
      if (!catalog.accepts(target.type, t))
        throw new MylicError(
          'LICENSE_TYPE_NOT_FOR_DEVICE',
          `${target.type.name} does not take ${t.name} licenses.`,
          { licenseType: t.name, deviceType: target.type.name },
        );
      amounts.set(
        t.kind,
        (amounts.get(t.kind) ?? 0) +
          amountOf({ type: t.name, units: l.units, version: l.version, ssaEnd: l.ssa_end }),
      );
    }
    for (const [kind, amount] of amounts) {
      // All versions together: a conservative bound, the target gets exactly what the source had.
      const max = catalog.maximum(target.type, kind === 'pbx-upgrade' ? 'pbx-port' : kind);
      if (amount > max)
        throw new MylicError(
          'LICENSE_MAXIMUM_EXCEEDED',
          `${target.type.name} takes at most ${max} ${kind} licenses; the source has ${amount}.`,
          { kind, maximum: max, amount },
        );
    }
    const ids = licenses.map((l) => l.id);
    const moved = await tx
      .updateTable('licenses')
      .set({ device_id: target.device.id, updated_at: at })
      .where('id', 'in', ids)
      .where('state', '=', 'bound')
      .where('device_id', '=', source.device.id)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== ids.length)
      throw new MylicError('INTERNAL', 'License rows changed during the move.');
    // Into another project under SSA, the licenses are brought to its end date like a moved device
    // (seed: Move device; Known Issues): without the confirmation of a due SSC summary, this throws
    // SSA_CONFIRMATION_REQUIRED and the transaction, move included, rolls back.
    const ssa =
      target.placement.projectId !== source.placement.projectId
        ? await applySsaForMove(tx, at, {
            userId: actor.userId,
            companyId: owner,
            deviceIds: [target.device.id],
            toProjectId: target.placement.projectId,
            confirm: req.ssa,
          })
        : null;
    await addRmaRequest(tx, at, {
      deviceId: source.device.id,
      hardwareId: source.device.hardware_id,
      companyId: owner,
      userId: actor.userId,
      reason: `licenses moved to ${target.device.hardware_id}`,
    });
    const serials = licenses.map((l) => l.serial);
    await recordHistory(tx, at, {
      event: 'licenses.moved',
      companyId: owner,
      projectId: source.placement.projectId,
      userId: actor.userId,
      deviceId: source.device.id,
      detail: {
        from: source.device.hardware_id,
        to: target.device.hardware_id,
        toDeviceId: target.device.id,
        serials,
        sourceHadArrived: arrived,
        ...(others.length ? { keptOfOtherCompanies: others.length } : {}),
        ssa,
      },
    });
    return {
      from: {
        deviceId: source.device.id,
        hardwareId: source.device.hardware_id,
        rma: await isInRma(tx, source.device.id),
      },
      to: { deviceId: target.device.id, hardwareId: target.device.hardware_id },
      serials,
      ssa,
    };
  });
}
