import { randomBytes } from 'node:crypto';
import { MylicError } from '../../protocol/errors.js';
import { parseHardwareId } from '../../protocol/hardware-id.js';
import type { AddFromBalanceRequest } from '../../protocol/licenses-api.js';
import type { Insertable } from 'kysely';
import type { LicensesTable } from '../db/schema.js';
import type { Tx } from '../db/store.js';
import { assertProjectAccess } from './access.js';
import { creditBalance, debitBalance } from './balance.js';
import { catalog, downloadableVersions, type LicenseType } from './catalog.js';
import { type Actor, type Core, isoNow, today } from './context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { findDevice } from './devices.js';
import { recordHistory } from './history.js';
import { assertDeviceLicenses, drawProjects, mergeSelection, toHeld } from './license-selection.js';
import { isInRma } from './rma.js';
import { hasRight } from './rights.js';
// SSA HOOK (issue 6): SSA on new licenses is the SSA area's `ssaForNewLicenses` (ssa.ts), called in the
// selection's transaction once the licenses exist; its result goes into the answer and the history event.
import { ssaForNewLicenses } from './ssa.js';

/** License serials: unique, readable, carried in license files and invalidation documents. */
export const newSerial = () => `L-${randomBytes(8).toString('hex').toUpperCase()}`;

/**
 * Ledger reasons of the license paths that are not plain credits or debits (read by ledger-report.ts):
 * - internal credits: units that were already the company's come back into a balance (a free license
 *   converted, a deleted floating license on its way out) — not activated again;
 * - units leaving the company: a free license exchanged for another version's type (the old type
 *   leaves, the new one comes in as a credit with the same reason), a floating license withdrawn.
 */
export const LICENSE_INTERNAL_CREDIT_REASONS = ['free.converted', 'floating.deleted'] as const;
export const LICENSE_LEFT_REASONS = ['license.exchanged', 'license.withdrawn'] as const;
/** Units bought on credit enter the ledger with this reason and ref `on-credit:<order number>`. */
export const LICENSE_ON_CREDIT_REASON = 'license.on-credit';

/** A DECT ARI for a new Dect-Multicell-Ari license: 40 bits, 10 hex digits (kept when the license moves on). */
const newAri = () => `ARI-${randomBytes(5).toString('hex').toUpperCase()}`;

/** Inserts one bound license; the caller has moved the units in the ledger. */
export async function insertBoundLicense(tx: Tx, at: string, day: string, input: { type: LicenseType; units: number; deviceId: number; projectId: number; serial?: string }) {
  const serial = input.serial ?? newSerial();
  const externalKey = input.type.externalKey === 'dect-ari' ? newAri() : null;
  const row: Insertable<LicensesTable> = {
    serial,
    license_type: input.type.name,
    units: input.units,
    version: input.type.version,
    state: 'bound',
    device_id: input.deviceId,
    project_id: input.projectId,
    bind_date: day,
    ssa_end: null,
    external_key: externalKey,
    returnable: input.type.returnable ? 1 : 0,
    downloaded_unencrypted: 0,
    created_at: at,
    updated_at: at,
  };
  await tx.insertInto('licenses').values(row).execute();
  return { serial, externalKey };
}

export interface BindRequest {
  projectId: number;
  hardwareId: string;
  licenseType: string;
  units: number;
}

/**
 * The operator's bind (`mylic-bridge ops license bind`, fixtures, benchmarks): one license type from a
 * project's balance onto a device placed in it, in one transaction. Only the catalog's "does the device
 * type take this type at all" is checked: this is the raw ledger move; the portal's selection
 * (`addFromBalance`) enforces every rule of the seed.
 */
export async function bindFromBalance(core: Core, actor: Actor, req: BindRequest) {
  const type = catalog.licenseType(req.licenseType);
  if (!type.bindable) throw new MylicError('VALIDATION_FAILED', `${type.name} is kept in the balance and cannot be bound to a device.`);
  if (!Number.isInteger(req.units) || req.units <= 0) throw new MylicError('AMOUNT_INVALID');
  const { hardwareId } = parseHardwareId(req.hardwareId);
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
    const deviceType = catalog.devices.find((d) => d.name === device.device_type);
    if (deviceType && !catalog.accepts(deviceType, type)) throw new MylicError('LICENSE_TYPE_NOT_FOR_DEVICE', `${deviceType.name} does not take ${type.name} licenses.`);
    const serial = newSerial();
    await debitBalance(tx, at, project.id, type.name, req.units, 'license.bound', serial);
    await insertBoundLicense(tx, at, today(core), { type, units: req.units, deviceId: device.id, projectId: project.id, serial });
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

// ---------------------------------------------------------------------------------------------
// the portal's selection

/**
 * Add licenses from balance (seed: Devices → Licenses → Add licenses from balance), the whole selection
 * in one transaction: every rule (license-selection.ts), then each line drawn from the device's project,
 * then from the own projects the user chose (never for external projects), then — with the right
 * 'buy-on-credit' — what is still missing on credit; not enough and no credit: BALANCE_INSUFFICIENT
 * naming, per type, the own projects that hold it. One license row per paying project and line.
 */
export async function addFromBalance(core: Core, actor: Actor, deviceId: number, req: AddFromBalanceRequest) {
  const lines = mergeSelection(req.lines);
  const summate = req.summate ?? true;
  if (!catalog.isVersion(req.version)) throw new MylicError('VERSION_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const day = today(core);
    const { device, type: deviceType, placement, access } = await deviceForActor(tx, actor, deviceId);
    const installed = await boundLicenses(tx, device.id);
    assertDeviceLicenses({
      device: deviceType,
      version: req.version,
      mode: summate ? 'summate' : 'exact',
      installed: installed.map(toHeld),
      added: lines.map((l) => ({ type: l.type, units: l.units, version: catalog.licenseType(l.type).version, ssaEnd: null })),
      source: 'balance',
    });
    const sources = [placement.projectId, ...(await drawProjects(tx, access, req.drawFrom ?? []))];
    if (req.onCredit && !(await hasRight(tx, actor.userId, 'buy-on-credit'))) {
      throw new MylicError('FORBIDDEN', 'Your account may not buy licenses on credit (right buy-on-credit).');
    }

    // Plan every line before writing anything, so a shortage names every type at once.
    const balances = await tx.selectFrom('balances').select(['project_id', 'license_type', 'units']).where('project_id', 'in', sources).execute();
    const bal = (p: number, t: string) => balances.find((b) => b.project_id === p && b.license_type === t)?.units ?? 0;
    const plan = lines.map((l) => {
      let left = l.units;
      const takes: { projectId: number; units: number }[] = [];
      for (const p of sources) {
        const n = Math.min(left, bal(p, l.type));
        if (n > 0) takes.push({ projectId: p, units: n });
        left -= n;
      }
      return { ...l, takes, missing: left };
    });
    const short = plan.filter((p) => p.missing > 0);
    if (short.length && !req.onCredit) {
      const own = access.external ? [] : await tx.selectFrom('projects').select(['id', 'name']).where('company_id', '=', placement.companyId).orderBy('id').execute();
      const all = own.length ? await tx.selectFrom('balances').select(['project_id', 'license_type', 'units']).where('project_id', 'in', own.map((p) => p.id)).where('units', '>', 0).execute() : [];
      const missing = short.map((s) => ({
        type: s.type,
        needed: s.units,
        available: s.units - s.missing,
        missing: s.missing,
        // Seed: "you will get a dropdown box with a list of all projects containing the needed licenses".
        projects: own
          .filter((p) => !sources.includes(p.id))
          .map((p) => ({ projectId: p.id, projectName: p.name, units: all.find((b) => b.project_id === p.id && b.license_type === s.type)?.units ?? 0 }))
          .filter((p) => p.units > 0),
      }));
      throw new MylicError(
        'BALANCE_INSUFFICIENT',
        `Not enough in the balance: ${missing.map((m) => `${m.missing} ${m.type} missing`).join(', ')}.${missing.some((m) => m.projects.length) ? ' Other projects hold them: name them in drawFrom.' : ''}`,
        { licenseType: missing[0]!.type, missing },
      );
    }

    const created: { serial: string; type: string; units: number; version: number | null; projectId: number; externalKey: string | null; onCredit: boolean }[] = [];
    const orderNumber = req.onCredit?.orderNumber?.trim() ?? '';
    for (const p of plan) {
      const type = catalog.licenseType(p.type);
      for (const take of p.takes) {
        const serial = newSerial();
        await debitBalance(tx, at, take.projectId, type.name, take.units, 'license.bound', serial);
        const r = await insertBoundLicense(tx, at, day, { type, units: take.units, deviceId: device.id, projectId: take.projectId, serial });
        created.push({ serial, type: type.name, units: take.units, version: type.version, projectId: take.projectId, externalKey: r.externalKey, onCredit: false });
      }
      if (p.missing > 0) {
        // On credit: the units come into the device's project as a credit marked with the order number
        // and leave it again as the binding, so the ledger (and conservation) sees a normal purchase.
        const serial = newSerial();
        await creditBalance(tx, at, placement.projectId, type.name, p.missing, LICENSE_ON_CREDIT_REASON, `on-credit:${orderNumber}`);
        await debitBalance(tx, at, placement.projectId, type.name, p.missing, 'license.bound', serial);
        const r = await insertBoundLicense(tx, at, day, { type, units: p.missing, deviceId: device.id, projectId: placement.projectId, serial });
        await tx
          .insertInto('credit_purchases')
          .values({ project_id: placement.projectId, device_id: device.id, user_id: actor.userId, license_type: type.name, units: p.missing, order_number: orderNumber, serial, created_at: at })
          .execute();
        created.push({ serial, type: type.name, units: p.missing, version: type.version, projectId: placement.projectId, externalKey: r.externalKey, onCredit: true });
      }
    }
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project: access.project,
      deviceId: device.id,
      serials: created.map((c) => c.serial),
      choice: req.ssa,
      shareBalance: !access.external,
    });
    const drawn = plan.flatMap((p) => p.takes.map((t) => ({ projectId: t.projectId, type: p.type, units: t.units })));
    const onCredit = short.length ? { orderNumber, lines: short.map((s) => ({ type: s.type, units: s.missing })) } : null;
    await recordHistory(tx, at, {
      event: 'licenses.added',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { version: req.version, summate, licenses: created, drawn, onCredit, ...(ssa ? { ssa } : {}) },
    });
    return { deviceId: device.id, hardwareId: device.hardware_id, projectId: placement.projectId, version: req.version, licenses: created, drawn, onCredit, ssa };
  });
}

/** The licenses on a device as the portal shows them (seed: Devices → Licenses). */
export async function deviceLicenseList(core: Core, actor: Actor, deviceId: number) {
  const tx = core.store.db;
  const { device, placement } = await deviceForActor(tx, actor, deviceId);
  const rows = await boundLicenses(tx, device.id);
  return {
    deviceId: device.id,
    hardwareId: device.hardware_id,
    deviceType: device.device_type,
    projectId: placement.projectId,
    projectName: placement.projectName,
    noDowngrade: device.no_downgrade_at !== null,
    inRma: await isInRma(tx, device.id),
    licenses: rows.map((l) => ({
      serial: l.serial,
      type: l.license_type,
      family: catalog.licenseType(l.license_type).family,
      units: l.units,
      version: l.version,
      returnable: l.returnable === 1 && l.downloaded_unencrypted === 0,
      bindDate: l.bind_date,
      ssaEnd: l.ssa_end,
      externalKey: l.external_key,
      versions: downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }),
    })),
  };
}
