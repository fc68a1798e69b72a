import { MylicError } from '../../../protocol/errors.js';
import type { License } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { deviceForActor, type DeviceAccess } from '../access.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { recordHistory } from '../history.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { insertBoundLicense } from '../licenses/index.js';
import { assertPlay, PLAY_REF } from './play-mode.js';

/**
 * Seed L340 and L346–348 (myplay, Licenses; Checkbox editing via list): "After having selected a
 * device under Licenses->Devices, you can add/change licenses as you want by selecting new ones in the
 * dropdown box or changing existing ones." and "'D' Deletes the license, 'B' Puts the license back into
 * the projects balance, 'F' Puts the license into the pool of free licenses".
 *
 * Sandbox only (PLAY_ONLY elsewhere). Only the licenses of the company holding the device's placement
 * that the actor reaches as its own (not through project rights), so one company never edits
 * another's. No rules and no balance are needed to add, and every change still goes through the
 * ledger, so activated = balance + bound + free + in keys holds in the sandbox too:
 * - added units (or more units) are credited (`play.credited`, new units) and bound (`license.bound`);
 * - 'D' (or fewer units) puts the units back into the balance (`play.returned`) and takes them out of it
 *   (`play.deleted`): they leave the company;
 * - 'B' credits the license's project (`play.returned`) and the license row goes;
 * - 'F' puts the license into the free pool of its project.
 * One transaction and one `play.licenses_edited` event per request.
 */
export type PlayEdit = 'D' | 'B' | 'F';
export const PLAY_MAX_LICENSE_UNITS = 10_000;

async function ownDevice(tx: Tx, actor: Actor, deviceId: number): Promise<DeviceAccess> {
  const d = await deviceForActor(tx, actor, deviceId);
  if (d.access.external)
    throw new MylicError('FORBIDDEN', "In myplay only the project's own company edits its licenses.");
  return d;
}

/** The device's bound licenses of the placement's company. */
async function companyLicenses(tx: Tx, d: DeviceAccess): Promise<License[]> {
  return tx
    .selectFrom('licenses')
    .innerJoin('projects', 'projects.id', 'licenses.project_id')
    .selectAll('licenses')
    .where('licenses.device_id', '=', d.device.id)
    .where('licenses.state', '=', 'bound')
    .where('projects.company_id', '=', d.placement.companyId)
    .orderBy('licenses.id')
    .execute();
}

function units(n: number) {
  if (!Number.isInteger(n) || n < 1 || n > PLAY_MAX_LICENSE_UNITS)
    throw new MylicError(
      'AMOUNT_INVALID',
      `The units must be a whole number from 1 to ${PLAY_MAX_LICENSE_UNITS}.`,
    );
  return n;
}

export async function playDeviceLicenses(core: Core, actor: Actor, deviceId: number) {
  assertPlay(core);
  const tx = core.store.db;
  const d = await deviceForActor(tx, actor, deviceId);
  return {
    deviceId: d.device.id,
    hardwareId: d.device.hardware_id,
    deviceType: d.device.device_type,
    projectName: d.placement.projectName,
    external: d.access.external,
    rmaState: d.device.rma_state,
    licenses: (await companyLicenses(tx, d)).map((l) => ({
      serial: l.serial,
      type: l.license_type,
      units: l.units,
      version: l.version,
    })),
    /** The types the add dropdown offers: those this device type takes. */
    types: catalog.licenseTypes.filter((t) => catalog.accepts(d.type, t)).map((t) => t.name),
  };
}

export async function addPlayLicense(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: { type: string; units: number },
) {
  assertPlay(core);
  const type = catalog.licenseType(req.type);
  const n = units(req.units);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const d = await ownDevice(tx, actor, deviceId);
    if (!catalog.accepts(d.type, type)) throw new MylicError('LICENSE_TYPE_NOT_FOR_DEVICE');
    const projectId = d.placement.projectId;
    await creditBalance(tx, at, projectId, type.name, n, 'play.credited', PLAY_REF);
    await debitBalance(tx, at, projectId, type.name, n, 'license.bound', PLAY_REF);
    const { serial } = await insertBoundLicense(tx, at, today(core), {
      type,
      units: n,
      deviceId: d.device.id,
      projectId,
    });
    await history(tx, at, actor, d, { added: [{ serial, type: type.name, units: n }] });
    return { serial, type: type.name, units: n };
  });
}

/** Changes the units of one of the device's licenses. */
export async function changePlayLicense(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: { serial: string; units: number },
) {
  assertPlay(core);
  const n = units(req.units);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const d = await ownDevice(tx, actor, deviceId);
    const l = (await companyLicenses(tx, d)).find((x) => x.serial === req.serial);
    if (!l) throw new MylicError('NOT_FOUND', `The device holds no license ${req.serial}.`);
    const delta = n - l.units;
    if (delta > 0) {
      await creditBalance(tx, at, l.project_id, l.license_type, delta, 'play.credited', PLAY_REF);
      await debitBalance(tx, at, l.project_id, l.license_type, delta, 'license.bound', PLAY_REF);
    } else if (delta < 0) {
      await creditBalance(tx, at, l.project_id, l.license_type, -delta, 'play.returned', PLAY_REF);
      await debitBalance(tx, at, l.project_id, l.license_type, -delta, 'play.deleted', PLAY_REF);
    }
    if (delta !== 0) {
      await tx.updateTable('licenses').set({ units: n, updated_at: at }).where('id', '=', l.id).execute();
      await history(tx, at, actor, d, {
        changed: [{ serial: l.serial, type: l.license_type, from: l.units, to: n }],
      });
    }
    return { serial: l.serial, type: l.license_type, units: n };
  });
}

/** The list's checkbox editing: each chosen license with D, B or F. */
export async function editPlayLicenses(
  core: Core,
  actor: Actor,
  deviceId: number,
  edits: readonly { serial: string; action: PlayEdit }[],
) {
  assertPlay(core);
  if (!edits.length)
    throw new MylicError('VALIDATION_FAILED', 'Choose at least one license and what to do with it.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const d = await ownDevice(tx, actor, deviceId);
    const held = new Map((await companyLicenses(tx, d)).map((l) => [l.serial, l]));
    const done = { deleted: [] as string[], back: [] as string[], free: [] as string[] };
    const seen = new Set<string>();
    for (const e of edits) {
      const l = held.get(e.serial);
      if (!l || seen.has(e.serial))
        throw new MylicError('NOT_FOUND', `The device holds no license ${e.serial}.`);
      seen.add(e.serial);
      if (e.action === 'D') {
        await creditBalance(tx, at, l.project_id, l.license_type, l.units, 'play.returned', PLAY_REF);
        await debitBalance(tx, at, l.project_id, l.license_type, l.units, 'play.deleted', PLAY_REF);
        await tx.deleteFrom('licenses').where('id', '=', l.id).execute();
        done.deleted.push(l.serial);
      } else if (e.action === 'B') {
        await creditBalance(tx, at, l.project_id, l.license_type, l.units, 'play.returned', PLAY_REF);
        await tx.deleteFrom('licenses').where('id', '=', l.id).execute();
        done.back.push(l.serial);
      } else {
        await tx
          .updateTable('licenses')
          .set({ state: 'free', device_id: null, updated_at: at })
          .where('id', '=', l.id)
          .execute();
        done.free.push(l.serial);
      }
    }
    await history(tx, at, actor, d, done);
    return done;
  });
}

function history(tx: Tx, at: string, actor: Actor, d: DeviceAccess, detail: Record<string, unknown>) {
  return recordHistory(tx, at, {
    event: 'play.licenses_edited',
    companyId: d.placement.companyId,
    projectId: d.placement.projectId,
    userId: actor.userId,
    deviceId: d.device.id,
    detail: { hardwareId: d.device.hardware_id, ...detail },
  });
}
