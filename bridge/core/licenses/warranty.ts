import { MylicError } from '../../../protocol/errors.js';
import { assertNoLicensesOfOthers } from './license-ownership.js';
import type { Device } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { projectAccess } from '../access.js';
import { debitBalance } from '../ledger.js';
import { catalog, type LicenseType } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { operatorSettings } from '../settings.js';
import { deviceForActor } from './device-licenses.js';
import { recordHistory } from '../history.js';
import { insertBoundLicense, newSerial } from './licenses.js';
import { ssaForNewLicenses } from '../ssa/index.js';

/**
 * Warranty extensions (seed: Devices → Add warranty extensions, for all devices of a project at once;
 * Licenses → Add warranty extension licenses). One unit is one year; extensions are licenses bound to
 * the device that never return (catalog: returnable false, so the invalidation leaves them on the device).
 *
 * - Receipt of a device: the day the vendor shipped it (`devices.shipped_on`, set when an order registers
 *   it), else the day it was first added to the portal (`devices.created_at`) — the same start the
 *   devices area uses for the warranty.
 * - The cheaper `Warranty-1Y` only within operatorSettings().warrantyEarlyDays (90) days after the receipt,
 *   `Warranty-1Y-Late` any time (seed: "If you add the warranty extension immediately after the receipt
 *   of your device, you can add the cheaper warranty extension licenses").
 * - At most catalog.warranty.maxExtensionYears (4) years of extensions per device in total.
 * - First an overview (preview: nothing changes), then the same request confirms it in one transaction.
 * - SSA: decided by the catalog like every new license (`ssaForNewLicenses`): warranty extensions carry
 *   no SSA (catalog `ssa: false`), so in a project under SSA they get no end date and are not listed as
 *   "not covered" (the warranty runs on its own years).
 */
const DAY = 86_400_000;
const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

export const receiptOf = (device: Pick<Device, 'shipped_on' | 'created_at'>) =>
  device.shipped_on ?? device.created_at.slice(0, 10);

function warrantyType(window: 'early' | 'late'): LicenseType {
  const t = catalog.licenseTypes.find((x) => x.family === 'warranty' && x.warranty === window);
  if (!t) throw new MylicError('INTERNAL', `The catalog has no ${window} warranty extension.`);
  return t;
}

/** Extension years on a device and its early window: for the device status of other areas too. */
export async function warrantyStatus(tx: Tx, device: Pick<Device, 'id' | 'shipped_on' | 'created_at'>) {
  const rows = await tx
    .selectFrom('licenses')
    .select(['license_type', 'units'])
    .where('device_id', '=', device.id)
    .where('state', '=', 'bound')
    .execute();
  const years = rows
    .filter((r) => catalog.licenseTypes.some((t) => t.name === r.license_type && t.family === 'warranty'))
    .reduce((s, r) => s + r.units, 0);
  const receipt = receiptOf(device);
  // Seed L196 "immediately after the receipt": an operator setting (MYLIC_WARRANTY_EARLY_DAYS, default 90).
  return {
    receipt,
    earlyUntil: addDays(receipt, operatorSettings().warrantyEarlyDays),
    extensionYears: years,
  };
}

export interface WarrantyRequest {
  /** The same years for every device of the project not listed in `devices`. */
  years?: number | undefined;
  devices?: readonly { deviceId: number; years: number; type?: 'early' | 'late' | undefined }[] | undefined;
}

async function plan(tx: Tx, day: string, projectId: number, req: WarrantyRequest) {
  const placed = await tx
    .selectFrom('device_projects')
    .innerJoin('devices', 'devices.id', 'device_projects.device_id')
    .selectAll('devices')
    .where('device_projects.project_id', '=', projectId)
    .orderBy('devices.hardware_id')
    .execute();
  for (const d of req.devices ?? [])
    if (!placed.some((p) => p.id === d.deviceId))
      throw new MylicError('DEVICE_NOT_FOUND', `Device ${d.deviceId} is not in this project.`);
  const lines = [];
  for (const device of placed) {
    const asked = req.devices?.find((d) => d.deviceId === device.id);
    const years = asked?.years ?? req.years ?? 0;
    const status = await warrantyStatus(tx, device);
    const open = day <= status.earlyUntil;
    let type: LicenseType | null = null;
    if (years > 0) {
      if (asked?.type === 'early' && !open) {
        throw new MylicError(
          'WARRANTY_WINDOW_CLOSED',
          `${device.hardware_id} was received on ${status.receipt}: the cheaper extension was available until ${status.earlyUntil}.`,
          { deviceId: device.id, receipt: status.receipt, earlyUntil: status.earlyUntil },
        );
      }
      const max = Math.min(
        catalog.warranty.maxExtensionYears,
        catalog.devices.find((t) => t.name === device.device_type)?.maxima.warranty ??
          catalog.warranty.maxExtensionYears,
      );
      if (status.extensionYears + years > max) {
        throw new MylicError(
          'WARRANTY_MAXIMUM_EXCEEDED',
          `${device.hardware_id} has ${status.extensionYears} year(s) of extension; ${years} more would exceed the maximum of ${max}.`,
          {
            deviceId: device.id,
            installedYears: status.extensionYears,
            years,
            maximum: max,
          },
        );
      }
      type = warrantyType(asked?.type ?? (open ? 'early' : 'late'));
    }
    if (req.devices && !asked && req.years === undefined) continue;
    lines.push({
      device,
      years,
      type,
      receipt: status.receipt,
      earlyUntil: status.earlyUntil,
      installedYears: status.extensionYears,
    });
  }
  const totals = new Map<string, number>();
  for (const l of lines) if (l.type) totals.set(l.type.name, (totals.get(l.type.name) ?? 0) + l.years);
  const balances = totals.size
    ? await tx
        .selectFrom('balances')
        .select(['license_type', 'units'])
        .where('project_id', '=', projectId)
        .where('license_type', 'in', [...totals.keys()])
        .execute()
    : [];
  const totalRows = [...totals].map(([type, units]) => ({
    type,
    units,
    projectBalance: balances.find((b) => b.license_type === type)?.units ?? 0,
  }));
  return { lines, totals: totalRows, sufficient: totalRows.every((t) => t.projectBalance >= t.units) };
}

type Plan = Awaited<ReturnType<typeof plan>>;
const overview = (projectId: number, p: Plan, serials: Map<number, string>, done: boolean) => ({
  projectId,
  lines: p.lines.map((l) => ({
    deviceId: l.device.id,
    hardwareId: l.device.hardware_id,
    deviceType: l.device.device_type,
    receipt: l.receipt,
    earlyUntil: l.earlyUntil,
    installedYears: l.installedYears,
    years: l.years,
    type: l.type?.name ?? null,
    serial: serials.get(l.device.id) ?? null,
  })),
  totals: p.totals,
  sufficient: p.sufficient,
  done,
});

/** The overview for all devices of a project (or the listed ones): nothing changes. */
export async function previewProjectWarranty(
  core: Core,
  actor: Actor,
  projectId: number,
  req: WarrantyRequest,
) {
  const tx = core.store.db;
  await projectAccess(tx, actor, projectId);
  return overview(projectId, await plan(tx, today(core), projectId, req), new Map(), false);
}

/** Confirms the overview: every extension in one transaction, paid from the project's balance. */
export async function extendProjectWarranty(
  core: Core,
  actor: Actor,
  projectId: number,
  req: WarrantyRequest,
  deviceId: number | null = null,
  /** The totals per license type the overview showed; a different plan now is refused (nothing paid). */
  expectedTotals?: ReadonlyMap<string, number>,
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const day = today(core);
    const { project, external } = await projectAccess(tx, actor, projectId);
    const p = await plan(tx, day, projectId, req);
    if (
      expectedTotals &&
      (expectedTotals.size !== p.totals.length ||
        !p.totals.every((t) => expectedTotals.get(t.type) === t.units))
    )
      throw new MylicError('WARRANTY_OVERVIEW_CHANGED');
    const short = p.totals.filter((t) => t.projectBalance < t.units);
    if (short.length) {
      throw new MylicError(
        'BALANCE_INSUFFICIENT',
        `Not enough warranty extensions in the balance: ${short.map((s) => `${s.units - s.projectBalance} ${s.type} missing`).join(', ')}.`,
        {
          licenseType: short[0]!.type,
          missing: short.map((s) => ({
            type: s.type,
            needed: s.units,
            available: s.projectBalance,
            missing: s.units - s.projectBalance,
          })),
        },
      );
    }
    const serials = new Map<number, string>();
    for (const l of p.lines) {
      if (!l.type || l.years === 0) continue;
      await assertNoLicensesOfOthers(tx, l.device, project.company_id);
      const serial = newSerial();
      await debitBalance(tx, at, projectId, l.type.name, l.years, 'license.bound', serial);
      await insertBoundLicense(tx, at, day, {
        type: l.type,
        units: l.years,
        deviceId: l.device.id,
        projectId,
        serial,
      });
      serials.set(l.device.id, serial);
    }
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project,
      deviceId,
      serials: [...serials.values()],
      choice: undefined,
      shareBalance: !external,
    });
    const result = overview(projectId, p, serials, true);
    await recordHistory(tx, at, {
      event: 'warranty.extended',
      companyId: project.company_id,
      projectId,
      userId: actor.userId,
      deviceId,
      detail: {
        lines: result.lines
          .filter((l) => l.serial !== null)
          .map((l) => ({
            deviceId: l.deviceId,
            hardwareId: l.hardwareId,
            type: l.type,
            years: l.years,
            serial: l.serial,
          })),
        ...(ssa ? { ssa } : {}),
      },
    });
    return result;
  });
}

/** One device (seed: Licenses → Add warranty extension licenses): its project's overview for that device alone. */
export async function previewDeviceWarranty(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: { years: number; type?: 'early' | 'late' | undefined },
) {
  const { placement } = await deviceForActor(core.store.db, actor, deviceId);
  return previewProjectWarranty(core, actor, placement.projectId, { devices: [{ deviceId, ...req }] });
}

export async function extendDeviceWarranty(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: { years: number; type?: 'early' | 'late' | undefined },
) {
  const { placement } = await deviceForActor(core.store.db, actor, deviceId);
  return extendProjectWarranty(
    core,
    actor,
    placement.projectId,
    { devices: [{ deviceId, ...req }] },
    deviceId,
  );
}
