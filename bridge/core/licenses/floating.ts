import { MylicError } from '../../../protocol/errors.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { assertNoLicensesOfOthers, splitByOwner } from './license-ownership.js';
import { recordHistory } from '../history.js';
import { assertDeviceLicenses, toHeld } from './license-selection.js';
import { insertBoundLicense, newSerial } from './licenses.js';
import { ssaForNewLicenses } from '../ssa/index.js';

/**
 * The V7 floating license of a slave PBX (seed: Add V7 floating license; Delete V7 floating license).
 * "A device with a floating license can't have V7 pbx licenses and a device with V7 pbx licenses can't
 * have a floating license" — the same rule as in the selection (license-selection.ts, FLOATING_EXCLUSIVE).
 *
 * A floating license costs nothing: a slave PBX is licensed by its master. It is issued by the portal
 * (a ledger credit `floating.issued` and the binding's debit, so it is counted like any license) and,
 * being V7 and so only ever in unencrypted files, it is never returned, only deleted: the units go out
 * through the ledger (`floating.deleted` back in, `license.withdrawn` out; see ledger-report.ts).
 * SSA: decided by the catalog like every new license (`ssaForNewLicenses`): the floating type carries no
 * SSA (catalog `ssa: false`), so in a project under SSA it gets no end date and is not "not covered".
 */
const floatingType = () => {
  const t = catalog.licenseTypes.find((x) => x.kind === 'floating');
  if (!t) throw new MylicError('INTERNAL', 'The catalog has no floating license type.');
  return t;
};

export async function addFloating(core: Core, actor: Actor, deviceId: number) {
  const type = floatingType();
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, type: deviceType, placement, access } = await deviceForActor(tx, actor, deviceId);
    await assertNoLicensesOfOthers(tx, device, placement.companyId);
    const installed = await boundLicenses(tx, device.id);
    assertDeviceLicenses({
      device: deviceType,
      version: type.version!,
      mode: 'summate',
      installed: installed.map(toHeld),
      added: [{ type: type.name, units: 1, version: type.version, ssaEnd: null }],
      source: 'floating',
    });
    const serial = newSerial();
    await creditBalance(tx, at, placement.projectId, type.name, 1, 'floating.issued', serial);
    await debitBalance(tx, at, placement.projectId, type.name, 1, 'license.bound', serial);
    await insertBoundLicense(tx, at, today(core), {
      type,
      units: 1,
      deviceId: device.id,
      projectId: placement.projectId,
      serial,
    });
    // Free of charge, and (catalog) without SSA: nothing to confirm; a type with SSA would ask here.
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project: access.project,
      deviceId: device.id,
      serials: [serial],
      choice: undefined,
      shareBalance: !access.external,
    });
    await recordHistory(tx, at, {
      event: 'license.floating_added',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { serial, ...(ssa ? { ssa } : {}) },
    });
    return { deviceId: device.id, serial, type: type.name, deleted: false };
  });
}

export async function deleteFloating(core: Core, actor: Actor, deviceId: number) {
  const type = floatingType();
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await deviceForActor(tx, actor, deviceId);
    const license = (await boundLicenses(tx, device.id)).find((l) => l.license_type === type.name);
    if (!license) throw new MylicError('FLOATING_NOT_FOUND');
    // Only the company that holds the license may withdraw it (issue 11; license-ownership.ts).
    // The actor's own company: a company acting through project rights deletes nothing of the owner's.
    if ((await splitByOwner(tx, [license], actor.companyId ?? -1)).others.length) {
      throw new MylicError(
        'LICENSES_OF_ANOTHER_COMPANY',
        'The floating license of this device belongs to another company that holds it; only that company can delete it.',
      );
    }
    await tx.deleteFrom('licenses').where('id', '=', license.id).execute();
    await creditBalance(
      tx,
      at,
      license.project_id,
      type.name,
      license.units,
      'floating.deleted',
      license.serial,
    );
    await debitBalance(
      tx,
      at,
      license.project_id,
      type.name,
      license.units,
      'license.withdrawn',
      license.serial,
    );
    await recordHistory(tx, at, {
      event: 'license.floating_deleted',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { serial: license.serial },
    });
    return { deviceId: device.id, serial: license.serial, type: type.name, deleted: true };
  });
}
