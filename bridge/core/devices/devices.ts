import { MylicError } from '../../../protocol/errors.js';
import type { DeviceWarning } from '../../../protocol/devices-api.js';
import {
  formatHardwareId,
  hardwareIdKind,
  parseHardwareId,
  parseMac,
  type HardwareIdKind,
} from '../../../protocol/hardware-id.js';
import type { Tx } from '../../db/store.js';
import { externalProjectIds, ownProjectAccess, projectAccess, selectedCompany } from '../access.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { indexPlacement, unindexPlacement } from './device-search-index.js';
import { recordHistory } from '../history.js';
import { endRmaRequests } from './rma-requests.js';
import { bringIntoSsa, deviceLicenses, historyDetail, previewSsaInto, runningSsaEnd } from '../ssa/index.js';

/**
 * Devices (seed: Devices → Add, Properties, Remove). A device is one physical box, known once by its
 * hardware id (a MAC, or the IPEI of a DECT handset); each company places it in one of its projects,
 * with its own name and comment. Its licenses belong to the device, not to the placement (seed:
 * Remove, "If they have licenses, these won't be deleted").
 *
 * The vendor's device database is the `devices` table: a row exists once the vendor registered the
 * device — the factory's registration with its certificate (factory-registrations.ts), the operator's
 * `ops device register --type` or an order (orders.ts) — and holds its type. The companies' placements
 * (`device_projects`) are their own. Adding a device to a project (one, range, file, order, the legacy
 * import) never creates a device (issue 15 item 8; seed L146, L312–314 "Not Found — This device was
 * not found in the my innovaphone database … contact the administrator"): a MAC or IPEI the database
 * does not know fails with DEVICE_UNKNOWN (that line of a batch), and the type is always the
 * database's, never the user's.
 */

export interface PlaceSource {
  source: 'single' | 'range' | 'file' | 'order';
  orderNumber?: string;
}

export interface PlacedDevice {
  deviceId: number;
  hardwareId: string;
  display: string;
  type: string;
  projectId: number;
  warnings: DeviceWarning[];
}

/** Refuses a device type that does not fit the identity: DECT handsets have an IPEI, every other device a MAC. */
export function assertTypeFits(deviceType: string, kind: HardwareIdKind): string {
  const type = catalog.deviceType(deviceType);
  if (type.identity !== kind) {
    throw new MylicError(
      'DEVICE_TYPE_MISMATCH',
      kind === 'ipei'
        ? `An IPEI belongs to a DECT handset, not to a device of type ${type.name}.`
        : `A device of type ${type.name} is known by its IPEI, not by a MAC address.`,
    );
  }
  return type.name;
}

/** DEVICE_UNKNOWN for a hardware id the vendor's device database does not hold (seed L312–314). */
export function unknownDevice(hardwareId: string): MylicError {
  return new MylicError(
    'DEVICE_UNKNOWN',
    `Device ${formatHardwareId(hardwareId)} was not found in the vendor's device database: check the ${
      hardwareIdKind(hardwareId) === 'ipei' ? 'IPEI' : 'MAC address'
    }; if it is right, contact the administrator.`,
    { hardwareId },
  );
}

/**
 * Places a device of the vendor's device database in a project inside the caller's transaction: the
 * one step every add path ends in. Refuses a device the database does not know (DEVICE_UNKNOWN) and one
 * already in the project's company, warns when it is in another company, indexes it for search, writes
 * history. The device keeps the database's type.
 */
export async function placeDevice(
  tx: Tx,
  at: string,
  actor: Actor,
  project: { id: number; company_id: number; ssa_end: string | null },
  hardwareId: string,
  src: PlaceSource,
): Promise<PlacedDevice> {
  const device = await tx
    .selectFrom('devices')
    .select(['id', 'device_type'])
    .where('hardware_id', '=', hardwareId)
    .executeTakeFirst();
  if (!device) throw unknownDevice(hardwareId);
  const placements = await tx
    .selectFrom('device_projects')
    .select(['company_id'])
    .where('device_id', '=', device.id)
    .execute();
  if (placements.some((p) => p.company_id === project.company_id)) {
    throw new MylicError(
      'DEVICE_ALREADY_IN_COMPANY',
      `Device ${formatHardwareId(hardwareId)} is already in your company: remove it from its project first to add it again.`,
    );
  }
  const ssa = await licensesIntoSsa(tx, at, actor, project, { id: device.id, hardwareId });
  const warnings: DeviceWarning[] = [];
  if (placements.length > 0) {
    warnings.push({
      code: 'SEVERAL_COMPANIES',
      message:
        'This device is already in another company: either you do not have the physical device or it once belonged to another company. You have access to all of its current licenses.',
    });
  }
  if ((await payingCompanies(tx, device.id)) > 1) {
    warnings.push({
      code: 'SEVERAL_USERS',
      message:
        'This device has licenses paid by several companies: you are not necessarily the one who physically owns it. If you do not own it, do not import it.',
    });
  }
  await tx
    .insertInto('device_projects')
    .values({
      device_id: device.id,
      company_id: project.company_id,
      project_id: project.id,
      name: null,
      comment: '',
      added_at: at,
    })
    .execute();
  await indexPlacement(tx, device.id, project.company_id);
  await recordHistory(tx, at, {
    event: 'device.added',
    companyId: project.company_id,
    projectId: project.id,
    userId: actor.userId,
    deviceId: device.id,
    detail: {
      hardwareId,
      source: src.source,
      ...(src.orderNumber ? { orderNumber: src.orderNumber } : {}),
      warnings: warnings.map((w) => w.code),
      ...(ssa ? { ssa: historyDetail(ssa) } : {}),
    },
  });
  return {
    deviceId: device.id,
    hardwareId,
    display: formatHardwareId(hardwareId),
    type: device.device_type,
    projectId: project.id,
    warnings,
  };
}

/**
 * Seed, Warnings, Several Users: "This device has licenses from several users of the old license
 * manager. This means, that you are not neccessarily the user, who physically owns this device." We
 * have no old license manager; the owners of licenses here are the companies whose balances paid for
 * them. So the warning says that the licenses bound to the device were paid by more than one company
 * (counted before the device joins the new one), whoever has placed it where.
 */
async function payingCompanies(tx: Tx, deviceId: number): Promise<number> {
  const row = await tx
    .selectFrom('licenses')
    .innerJoin('projects', 'projects.id', 'licenses.project_id')
    .select((eb) => eb.fn.count<number>('projects.company_id').distinct().as('n'))
    .where('licenses.device_id', '=', deviceId)
    .where('licenses.state', '=', 'bound')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Seed, Known Issues: "Devices where imported into a project with SSA. If this happened to you, please
 * move the corresponding devices into a project without SSA and back into the project with SSA". A
 * device keeps its licenses when it is removed (seed: Remove), so adding it again — singly, by range,
 * file or order, all of which end in placeDevice — would bring licenses its company paid for into a
 * project under SSA without SSA.
 *
 * Decided: adding does not take an SSC confirmation (batch rows are each their own transaction, and
 * there is no summary to show before a device is known); it refuses such a device with
 * DEVICE_ADD_NEEDS_SSA (409, the summary in the details, per row in a batch) and tells the user to do
 * what the seed's workaround says: add it to a project without SSA and move it into the SSA project,
 * where the move shows the SSC summary and asks for its confirmation (device-move.ts). When nothing is
 * to pay (the licenses are covered to the project's end already, or their types carry no SSC) the
 * licenses get the end date and the add goes on.
 */
async function licensesIntoSsa(
  tx: Tx,
  at: string,
  actor: Actor,
  project: { id: number; company_id: number; ssa_end: string | null },
  device: { id: number; hardwareId: string },
) {
  const day = at.slice(0, 10);
  if (runningSsaEnd(project, day) === null) return null;
  const licenses = await deviceLicenses(tx, project.company_id, [device.id]);
  if (!licenses.length) return null;
  const preview = previewSsaInto(project, licenses, day);
  if (preview.confirmationRequired) {
    const total = preview.summary?.total ?? 0;
    throw new MylicError(
      'DEVICE_ADD_NEEDS_SSA',
      `Device ${formatHardwareId(device.hardwareId)} has ${licenses.length} license(s) of your company without the SSA of this project (until ${project.ssa_end}; ${total} SSC): add it to a project without SSA, then move it into this project (POST /devices/move) and confirm the SSC summary there.`,
      {
        target: preview.target,
        summary: preview.summary && {
          ...preview.summary,
          lines: preview.summary.lines.map((l) => ({ ...l, serial: l.id })),
        },
      },
    );
  }
  return bringIntoSsa(tx, at, { userId: actor.userId, target: project, licenses });
}

/**
 * Add one device (seed: "You can add a single new device"): a MAC in any form of the seed, or an IPEI,
 * that the vendor's device database knows; its type is the database's. Users of a company with rights
 * on the project may add devices to it (seed: Projects → Rights); the placement is the owning
 * company's, as for its own users.
 */
export async function addDevice(
  core: Core,
  actor: Actor,
  projectId: number,
  macInput: string,
): Promise<PlacedDevice> {
  const { hardwareId } = parseHardwareId(macInput);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await projectAccess(tx, actor, projectId);
    return placeDevice(tx, at, actor, project, hardwareId, { source: 'single' });
  });
}

export async function findDevice(tx: Tx, hardwareId: string) {
  const device = await tx
    .selectFrom('devices')
    .selectAll()
    .where('hardware_id', '=', hardwareId)
    .executeTakeFirst();
  if (!device) throw new MylicError('DEVICE_NOT_FOUND', `There is no device ${hardwareId}.`);
  return device;
}

// ---------------------------------------------------------------------------------------------
// a device as the actor reaches it

export interface ScopedPlacement {
  deviceId: number;
  hardwareId: string;
  /** The company whose project holds the device (another one's for external placements). */
  companyId: number;
  projectId: number;
  projectName: string;
  name: string | null;
  comment: string;
  /** Reached through rights granted to the selected company. */
  external: boolean;
  selectedCompanyId: number;
}

/**
 * The placement of a device that the actor reaches: in a project of the selected company, or in a
 * project another company granted to it. A device elsewhere answers DEVICE_NOT_FOUND exactly like one
 * that does not exist (no probing); a locked membership answers USER_LOCKED.
 */
export async function placementInScope(tx: Tx, actor: Actor, deviceId: number): Promise<ScopedPlacement> {
  const { companyId } = await selectedCompany(tx, actor);
  const external = await externalProjectIds(tx, actor.userId, companyId);
  const rows = await tx
    .selectFrom('device_projects as dp')
    .innerJoin('devices as d', 'd.id', 'dp.device_id')
    .innerJoin('projects as p', 'p.id', 'dp.project_id')
    .select([
      'dp.device_id',
      'd.hardware_id',
      'dp.company_id',
      'dp.project_id',
      'p.name as project_name',
      'dp.name',
      'dp.comment',
    ])
    .where('dp.device_id', '=', deviceId)
    .where((eb) =>
      external.length
        ? eb.or([eb('dp.company_id', '=', companyId), eb('dp.project_id', 'in', external)])
        : eb('dp.company_id', '=', companyId),
    )
    .execute();
  const row = rows.find((r) => r.company_id === companyId) ?? rows[0];
  if (!row) throw new MylicError('DEVICE_NOT_FOUND');
  return {
    deviceId: row.device_id,
    hardwareId: row.hardware_id,
    companyId: row.company_id,
    projectId: row.project_id,
    projectName: row.project_name,
    name: row.name,
    comment: row.comment,
    external: row.company_id !== companyId,
    selectedCompanyId: companyId,
  };
}

// ---------------------------------------------------------------------------------------------
// properties (seed: Devices → Properties)

/**
 * Whether a name would pose as a device identity: a MAC in one of its full forms (12 digits, with or
 * without separators) or an IPEI. The short form (6 hex digits) is not counted: "decade" is a name.
 */
export function looksLikeHardwareId(name: string): boolean {
  const s = name.trim();
  // Any IPEI form, even with a wrong check digit: it would still read as one.
  if (/^[0-9]{5}[ .-]?[0-9]{7}[ .-]?[0-9*]$/.test(s)) return true;
  if (/^[0-9A-Fa-f]{6}$/.test(s)) return false;
  try {
    parseMac(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Change the name and comment of a placement (seed: "You can only change the name, if it's no MAC or
 * IPEI"). Every device is known by its MAC or IPEI, which is always shown and never changes; the name
 * is the company's own label next to it and may be set to anything that is not itself a MAC or an
 * IPEI, so no device can pose as another in lists and search. null or "" removes the name.
 */
export async function updateDevice(
  core: Core,
  actor: Actor,
  deviceId: number,
  patch: { name?: string | null | undefined; comment?: string | undefined },
) {
  const name =
    patch.name === undefined
      ? undefined
      : patch.name === null || patch.name.trim() === ''
        ? null
        : patch.name.trim();
  if (name !== undefined && name !== null) {
    if (name.length > 100)
      throw new MylicError('VALIDATION_FAILED', 'A device name has at most 100 characters.');
    if (looksLikeHardwareId(name))
      throw new MylicError(
        'DEVICE_NAME_INVALID',
        `"${name}" is a MAC address or an IPEI: a device name cannot be one (the device is always shown by its own).`,
      );
  }
  const comment = patch.comment?.trim();
  if (comment !== undefined && comment.length > 1000)
    throw new MylicError('VALIDATION_FAILED', 'A device comment has at most 1000 characters.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const p = await placementInScope(tx, actor, deviceId);
    const set = { ...(name !== undefined ? { name } : {}), ...(comment !== undefined ? { comment } : {}) };
    await tx
      .updateTable('device_projects')
      .set(set)
      .where('device_id', '=', p.deviceId)
      .where('company_id', '=', p.companyId)
      .execute();
    await indexPlacement(tx, p.deviceId, p.companyId);
    await recordHistory(tx, at, {
      event: 'device.updated',
      companyId: p.companyId,
      projectId: p.projectId,
      userId: actor.userId,
      deviceId: p.deviceId,
      detail: {
        hardwareId: p.hardwareId,
        before: { name: p.name, comment: p.comment },
        after: { name: name === undefined ? p.name : name, comment: comment ?? p.comment },
      },
    });
    return p.deviceId;
  });
}

// ---------------------------------------------------------------------------------------------
// remove (seed: Devices → Remove; "Actions on multiple devices")

async function removePlacement(
  tx: Tx,
  at: string,
  actor: Actor,
  p: { deviceId: number; hardwareId: string; companyId: number; projectId: number },
) {
  await tx
    .deleteFrom('device_projects')
    .where('device_id', '=', p.deviceId)
    .where('company_id', '=', p.companyId)
    .execute();
  await unindexPlacement(tx, p.deviceId, p.companyId);
  // A company that no longer holds the device has no RMA request for it any more; the other holders are
  // told (issue 11: removing the device must not wipe the traces of a request it made).
  const rmaWithdrawn = await endRmaRequests(tx, at, {
    deviceId: p.deviceId,
    hardwareId: p.hardwareId,
    companyId: p.companyId,
    userId: actor.userId,
    why: 'device-removed',
  });
  await recordHistory(tx, at, {
    event: 'device.removed',
    companyId: p.companyId,
    projectId: p.projectId,
    userId: actor.userId,
    deviceId: p.deviceId,
    detail: { hardwareId: p.hardwareId, ...(rmaWithdrawn ? { rmaWithdrawn: true } : {}) },
  });
}

/**
 * Remove a device from a project (seed: "If they have licenses, these won't be deleted"): the company's
 * placement goes, the device and its licenses stay. Not for users of a company with rights on the
 * project (seed: Rights, "restricted in removing devices").
 */
export async function removeDevice(core: Core, actor: Actor, projectId: number, macInput: string) {
  const { hardwareId } = parseHardwareId(macInput);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'remove devices');
    const device = await tx
      .selectFrom('devices')
      .select('id')
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirst();
    const placed = device
      ? await tx
          .selectFrom('device_projects')
          .select('company_id')
          .where('device_id', '=', device.id)
          .where('project_id', '=', project.id)
          .executeTakeFirst()
      : undefined;
    if (!device || !placed)
      throw new MylicError(
        'DEVICE_NOT_FOUND',
        `Device ${formatHardwareId(hardwareId)} is not in project ${project.name}.`,
      );
    await removePlacement(tx, at, actor, {
      deviceId: device.id,
      hardwareId,
      companyId: placed.company_id,
      projectId: project.id,
    });
    return { deviceId: device.id, hardwareId };
  });
}

/**
 * Remove one or several devices by id, all or none in one transaction (a selection from the list: if one
 * of them cannot be removed, nothing is). One history event per device, for its device history.
 */
export async function removeDevices(core: Core, actor: Actor, deviceIds: readonly number[]) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const removed: { deviceId: number; projectId: number }[] = [];
    for (const id of new Set(deviceIds)) {
      const p = await placementInScope(tx, actor, id);
      if (p.external)
        throw new MylicError(
          'FORBIDDEN',
          'Users of a company with rights on this project cannot remove devices.',
        );
      // The membership may not be admin-restricted, but the project access decides (locked, external).
      await ownProjectAccess(tx, actor, p.projectId, 'remove devices');
      await removePlacement(tx, at, actor, p);
      removed.push({ deviceId: p.deviceId, projectId: p.projectId });
    }
    return { removed };
  });
}
