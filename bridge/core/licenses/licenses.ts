import { randomBytes } from 'node:crypto';
import { assertNoLicensesOfOthers } from './license-ownership.js';
import { MylicError } from '../../../protocol/errors.js';
import { parseHardwareId } from '../../../protocol/hardware-id.js';
import type {
  AddFromBalanceRequest,
  AddFromBalanceSsaPreviewRequest,
} from '../../../protocol/licenses-api.js';
import type { Insertable } from 'kysely';
import type { LicensesTable } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { assertProjectAccess } from '../access.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { catalog, downloadableVersions, mergeLicenseLines, type LicenseType } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { findDevice } from '../devices/index.js';
import { recordHistory } from '../history.js';
import { assertDeviceLicenses, drawProjects, toHeld } from './license-selection.js';
import { isInRma } from '../devices/index.js';
import { hasRight } from '../rights.js';
// SSA HOOK (issue 6): SSA on new licenses is the SSA area's `ssaForNewLicenses` (ssa.ts), called in the
// selection's transaction once the licenses exist; its result goes into the answer and the history event.
import {
  carriesSsa,
  previewSsaInto,
  ssaForNewLicenses,
  type SsaConfirmation,
  type SsaIntoPreview,
} from '../ssa/index.js';

/** License serials: unique, readable, carried in license files and invalidation documents. */
export const newSerial = () => `L-${randomBytes(8).toString('hex').toUpperCase()}`;

/** A DECT ARI for a new Dect-Multicell-Ari license: 40 bits, 10 hex digits (kept when the license moves on). */
const newAri = () => `ARI-${randomBytes(5).toString('hex').toUpperCase()}`;

/** Inserts one bound license; the caller has moved the units in the ledger. */
export async function insertBoundLicense(
  tx: Tx,
  at: string,
  day: string,
  input: { type: LicenseType; units: number; deviceId: number; projectId: number; serial?: string },
) {
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
  /**
   * The confirmation when the project is under SSA (`mylic-bridge ops license bind --ssa-confirm`): the
   * new license gets the project's SSA end (or `endDate`) and its SSC is paid like on every other path;
   * `optOutLines: [0]` binds it without SSA on purpose. Absent and SSC due → SSA_CONFIRMATION_REQUIRED.
   */
  ssa?: NewLicensesChoice | undefined;
}

/**
 * The operator's bind (`mylic-bridge ops license bind`, fixtures, benchmarks): one license type from a
 * project's balance onto a device placed in it, in one transaction. Only the catalog's "does the device
 * type take this type at all" is checked: this is the raw ledger move; the portal's selection
 * (`addFromBalance`) enforces every rule of the seed. SSA is not skipped, though: in a project under SSA
 * the license comes under it through `ssaForNewLicenses` like on the portal's paths, so the seed's Known
 * Issue (licenses in an SSA project without SSA) cannot come in through the operator either.
 */
export async function bindFromBalance(core: Core, actor: Actor, req: BindRequest) {
  const type = catalog.licenseType(req.licenseType);
  if (!type.bindable)
    throw new MylicError(
      'VALIDATION_FAILED',
      `${type.name} is kept in the balance and cannot be bound to a device.`,
    );
  if (!Number.isInteger(req.units) || req.units <= 0) throw new MylicError('AMOUNT_INVALID');
  const { hardwareId } = parseHardwareId(req.hardwareId);
  const optedOut = optedOutTypes([{ type: type.name }], req.ssa);
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
    if (!placed)
      throw new MylicError(
        'DEVICE_NOT_IN_PROJECTS',
        `Device ${hardwareId} is not in project ${project.name} (company ${project.company_id}).`,
      );
    const deviceType = catalog.devices.find((d) => d.name === device.device_type);
    if (deviceType && !catalog.accepts(deviceType, type))
      throw new MylicError(
        'LICENSE_TYPE_NOT_FOR_DEVICE',
        `${deviceType.name} does not take ${type.name} licenses.`,
      );
    const serial = newSerial();
    await debitBalance(tx, at, project.id, type.name, req.units, 'license.bound', serial);
    await insertBoundLicense(tx, at, today(core), {
      type,
      units: req.units,
      deviceId: device.id,
      projectId: project.id,
      serial,
    });
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project,
      deviceId: device.id,
      serials: [serial],
      choice: ssaChoice(req.ssa, optedOut.has(type.name) ? [serial] : []),
      shareBalance: true,
      lineOf: new Map([[serial, 0]]),
    });
    await recordHistory(tx, at, {
      event: 'license.bound',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      deviceId: device.id,
      detail: { serial, type: type.name, units: req.units, ...(ssa ? { ssa } : {}) },
    });
    return { serial, hardwareId, licenseType: type.name, units: req.units, ssa };
  });
}

// ---------------------------------------------------------------------------------------------
// SSA choices for new licenses

/**
 * The user's answer to the SSC summary of new licenses: the SSA area's confirmation, with licenses opted
 * out by the request line they come from (`optOutLines`, indexes of the request's `lines`) — new licenses
 * get their serials only when they are bound, inside the transaction, so a serial shown in a summary never
 * exists on the retry.
 */
export type NewLicensesChoice = Omit<SsaConfirmation, 'optOut'> & {
  optOut?: readonly string[] | undefined;
  optOutLines?: readonly number[] | undefined;
};

/**
 * The license types the user opted out of SSA, from line indexes of the request. Lines of one type are
 * merged into one license (mergeLicenseLines), so either all of them are opted out or none. Serials
 * (`optOut`) cannot name a license that does not exist yet: refused with a pointer to `optOutLines`.
 */
export function optedOutTypes(
  lines: readonly { type: string }[],
  choice: NewLicensesChoice | undefined,
): Set<string> {
  if (choice?.optOut?.length) {
    throw new MylicError(
      'VALIDATION_FAILED',
      'New licenses are opted out of SSA by their line in the selection (ssa.optOutLines): their serials are made only when they are bound.',
      {
        optOut: choice.optOut,
      },
    );
  }
  const wanted = [...new Set(choice?.optOutLines ?? [])];
  if (!wanted.length) return new Set();
  const names = lines.map((l) => catalog.licenseType(l.type).name);
  const unknown = wanted.filter((i) => !Number.isInteger(i) || i < 0 || i >= names.length);
  if (unknown.length)
    throw new MylicError(
      'VALIDATION_FAILED',
      `The selection has no line ${unknown.join(', ')} (lines are numbered from 0 to ${names.length - 1}).`,
      { optOutLines: unknown },
    );
  const out = new Set(wanted.map((i) => names[i]!));
  for (const type of out) {
    const all = names.flatMap((n, i) => (n === type ? [i] : []));
    const partial = all.filter((i) => !wanted.includes(i));
    if (partial.length) {
      throw new MylicError(
        'VALIDATION_FAILED',
        `Lines ${all.join(', ')} are all ${type} and become one license: opt out all of them or none.`,
        { type, lines: all },
      );
    }
  }
  return out;
}

/** The SSA area's confirmation for new licenses: the user's choice with the opted-out lines as serials. */
function ssaChoice(
  choice: NewLicensesChoice | undefined,
  optOut: readonly string[],
): SsaConfirmation | undefined {
  if (!choice) return undefined;
  const { optOutLines: _lines, optOut: _serials, ...rest } = choice;
  return { ...rest, ...(optOut.length ? { optOut } : {}) };
}

// ---------------------------------------------------------------------------------------------
// the portal's selection

/** One license row a selection will create: from a paying project's balance, or bought on credit. */
interface PlannedLicense {
  type: LicenseType;
  units: number;
  projectId: number;
  onCredit: boolean;
}

/**
 * Everything a selection from balance checks before it writes (the rules, the projects drawn from, the
 * right to buy on credit, the balances) and the license rows it will create, in order. Read-only, so the
 * SSC preview shows exactly what the selection would bind.
 */
async function planSelection(tx: Tx, actor: Actor, deviceId: number, req: AddFromBalanceRequest) {
  const lines = mergeLicenseLines(req.lines);
  const summate = req.summate ?? true;
  if (!catalog.isVersion(req.version)) throw new MylicError('VERSION_INVALID');
  const { device, type: deviceType, placement, access } = await deviceForActor(tx, actor, deviceId);
  await assertNoLicensesOfOthers(tx, device, placement.companyId);
  const installed = await boundLicenses(tx, device.id);
  assertDeviceLicenses({
    device: deviceType,
    version: req.version,
    mode: summate ? 'summate' : 'exact',
    installed: installed.map(toHeld),
    added: lines.map((l) => ({
      type: l.type,
      units: l.units,
      version: catalog.licenseType(l.type).version,
      ssaEnd: null,
    })),
    source: 'balance',
  });
  const sources = [placement.projectId, ...(await drawProjects(tx, access, req.drawFrom ?? []))];
  // Held per company (seed L272): in the company that pays, the one of the device's placement.
  if (req.onCredit && !(await hasRight(tx, actor.userId, 'buy-on-credit', placement.companyId))) {
    throw new MylicError('FORBIDDEN', 'Your account may not buy licenses on credit (right buy-on-credit).');
  }

  // Plan every line before writing anything, so a shortage names every type at once.
  const balances = await tx
    .selectFrom('balances')
    .select(['project_id', 'license_type', 'units'])
    .where('project_id', 'in', sources)
    .execute();
  const bal = (p: number, t: string) =>
    balances.find((b) => b.project_id === p && b.license_type === t)?.units ?? 0;
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
    const own = access.external
      ? []
      : await tx
          .selectFrom('projects')
          .select(['id', 'name'])
          .where('company_id', '=', placement.companyId)
          .orderBy('id')
          .execute();
    const all = own.length
      ? await tx
          .selectFrom('balances')
          .select(['project_id', 'license_type', 'units'])
          .where(
            'project_id',
            'in',
            own.map((p) => p.id),
          )
          .where('units', '>', 0)
          .execute()
      : [];
    const missing = short.map((s) => ({
      type: s.type,
      needed: s.units,
      available: s.units - s.missing,
      missing: s.missing,
      // Seed: "you will get a dropdown box with a list of all projects containing the needed licenses".
      projects: own
        .filter((p) => !sources.includes(p.id))
        .map((p) => ({
          projectId: p.id,
          projectName: p.name,
          units: all.find((b) => b.project_id === p.id && b.license_type === s.type)?.units ?? 0,
        }))
        .filter((p) => p.units > 0),
    }));
    throw new MylicError(
      'BALANCE_INSUFFICIENT',
      `Not enough in the balance: ${missing.map((m) => `${m.missing} ${m.type} missing`).join(', ')}.${missing.some((m) => m.projects.length) ? ' Other projects hold them: name them in drawFrom.' : ''}`,
      { licenseType: missing[0]!.type, missing },
    );
  }
  // One license row per paying project and line; on credit, what is missing comes into the device's project.
  const rows: PlannedLicense[] = plan.flatMap((p) => {
    const type = catalog.licenseType(p.type);
    return [
      ...p.takes.map((t) => ({ type, units: t.units, projectId: t.projectId, onCredit: false })),
      ...(p.missing > 0 ? [{ type, units: p.missing, projectId: placement.projectId, onCredit: true }] : []),
    ];
  });
  // Seed: the summary shows each new license; its line is the first request line of its type.
  const requestLine = (type: string) => req.lines.findIndex((l) => catalog.licenseType(l.type).name === type);
  return { summate, device, placement, access, plan, short, rows, requestLine };
}

/**
 * Add licenses from balance (seed: Devices → Licenses → Add licenses from balance), the whole selection
 * in one transaction: every rule (license-selection.ts), then each line drawn from the device's project,
 * then from the own projects the user chose (never for external projects), then — with the right
 * 'buy-on-credit' — what is still missing on credit; not enough and no credit: BALANCE_INSUFFICIENT
 * naming, per type, the own projects that hold it. One license row per paying project and line.
 * In a project under SSA the new licenses come under it (`ssaForNewLicenses`), opted out by request line.
 */
export async function addFromBalance(core: Core, actor: Actor, deviceId: number, req: AddFromBalanceRequest) {
  const optedOut = optedOutTypes(req.lines, req.ssa);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const day = today(core);
    const { summate, device, placement, access, plan, short, rows, requestLine } = await planSelection(
      tx,
      actor,
      deviceId,
      req,
    );

    const created: {
      serial: string;
      type: string;
      units: number;
      version: number | null;
      projectId: number;
      externalKey: string | null;
      onCredit: boolean;
    }[] = [];
    const orderNumber = req.onCredit?.orderNumber?.trim() ?? '';
    for (const row of rows) {
      const { type } = row;
      const serial = newSerial();
      if (row.onCredit) {
        // On credit: the units come into the device's project as a credit marked with the order number
        // and leave it again as the binding, so the ledger (and conservation) sees a normal purchase.
        await creditBalance(
          tx,
          at,
          row.projectId,
          type.name,
          row.units,
          'license.on-credit',
          `on-credit:${orderNumber}`,
        );
      }
      await debitBalance(tx, at, row.projectId, type.name, row.units, 'license.bound', serial);
      const r = await insertBoundLicense(tx, at, day, {
        type,
        units: row.units,
        deviceId: device.id,
        projectId: row.projectId,
        serial,
      });
      if (row.onCredit) {
        await tx
          .insertInto('credit_purchases')
          .values({
            project_id: row.projectId,
            device_id: device.id,
            user_id: actor.userId,
            license_type: type.name,
            units: row.units,
            order_number: orderNumber,
            serial,
            created_at: at,
          })
          .execute();
      }
      created.push({
        serial,
        type: type.name,
        units: row.units,
        version: type.version,
        projectId: row.projectId,
        externalKey: r.externalKey,
        onCredit: row.onCredit,
      });
    }
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project: access.project,
      deviceId: device.id,
      serials: created.map((c) => c.serial),
      choice: ssaChoice(
        req.ssa,
        created.filter((c) => optedOut.has(c.type)).map((c) => c.serial),
      ),
      shareBalance: !access.external,
      lineOf: new Map(created.map((c) => [c.serial, requestLine(c.type)])),
    });
    const drawn = plan.flatMap((p) =>
      p.takes.map((t) => ({ projectId: t.projectId, type: p.type, units: t.units })),
    );
    const onCredit = short.length
      ? { orderNumber, lines: short.map((s) => ({ type: s.type, units: s.missing })) }
      : null;
    await recordHistory(tx, at, {
      event: 'licenses.added',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { version: req.version, summate, licenses: created, drawn, onCredit, ...(ssa ? { ssa } : {}) },
    });
    return {
      deviceId: device.id,
      hardwareId: device.hardware_id,
      projectId: placement.projectId,
      version: req.version,
      licenses: created,
      drawn,
      onCredit,
      ssa,
    };
  });
}

/**
 * The SSC summary a selection from balance would ask to confirm, before it is made (nothing changes):
 * the same plan as `addFromBalance`, the licenses as they would be bound today, opted out by line, for
 * the chosen end date and — as a preview only — another calculation date. `summary` is null when the
 * device's project is not under SSA; `confirmationRequired` is about today, whatever date is previewed.
 */
export async function previewFromBalanceSsa(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: AddFromBalanceSsaPreviewRequest,
): Promise<SsaIntoPreview> {
  const optedOut = optedOutTypes(req.lines, req.ssa);
  const tx = core.store.db;
  const day = today(core);
  const { device, access, rows, requestLine } = await planSelection(tx, actor, deviceId, req);
  // Placeholder serials: the real ones are made when the licenses are bound.
  const licenses = rows.map((r, i) => ({
    serial: `new-${i + 1}`,
    license_type: r.type.name,
    units: r.units,
    version: r.type.version,
    bind_date: day,
    ssa_end: null,
    hardware_id: device.hardware_id,
  }));
  const covered = licenses.filter(carriesSsa);
  return previewSsaInto(access.project, covered, day, {
    endDate: req.ssa?.endDate,
    calculationDate: req.ssa?.calculationDate,
    optOut: covered.filter((l) => optedOut.has(l.license_type)).map((l) => l.serial),
    lineOf: new Map(covered.map((l) => [l.serial, requestLine(l.license_type)])),
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
