import { MylicError } from '../../../protocol/errors.js';
import type { License } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { catalog } from '../catalog.js';
import type { Core } from '../context.js';
import { type HistoryEventName, recordHistory } from '../history.js';
import { hasRight } from '../rights.js';
import { calculateSsc, lineSsc, type SscLine, type SscSummary, type Versions } from './ssc-calculator.js';

/**
 * SSA on every path that puts licenses under a software service agreement (seed: Projects → SSA, Join;
 * Devices → Move device; Licenses → Add licenses from balance / from free licenses; Free licenses).
 * The arithmetic is bridge/core/ssc-calculator.ts; this file turns license rows into its input, pays
 * the SSC and writes the new end dates. The project's own SSA (summary, confirm, mail flag) is
 * ssa-project.ts.
 *
 * Paying SSC (`paySsc`, decided here for every path):
 * - from balance: the payer project's SSC balance first, then the company's other projects in id order
 *   (or the `fromProjectIds` the user picked, seed: Add licenses from balance, "a dropdown box with a
 *   list of all projects containing the needed licenses"); `fromProjectIds: []` keeps it to the payer
 *   project, as for external projects ("Sharing the balance over several projects is not possible in
 *   external projects"). Too little → BALANCE_INSUFFICIENT with `missing`.
 * - on credit (right 'buy-on-credit', seed: "just check the checkbox. You may enter an order number"):
 *   what those balances lack is bought on credit — the same rule as for licenses (licenses.ts
 *   addFromBalance) — as a credit and a debit of the same units on the payer project, both with the
 *   ref `on-credit:<order number>`: the credit counts as activated, the debit as spent, so
 *   activated = balance + bound + free + inKeys still holds. Asking for credit without the right is
 *   refused (ON_CREDIT_NOT_ALLOWED) whether or not anything is missing.
 * SSC spent leaves the company (ledger reason `ssc.spent`), counted by ledger-report.ts like units of
 * own keys redeemed elsewhere.
 */
export const SSC_TYPE = 'SSC';

/** The catalog's release dates, as the calculator wants them. */
export const sscVersions: Versions = {
  current: catalog.currentVersion,
  released: (v) => catalog.versions.find((r) => r.version === v)?.released,
};

/**
 * Whether licenses of this type are covered by a project's SSA (catalog `ssa`): warranty extensions, the
 * V7 floating license and SSC are not — they never get an SSA end, cost no SSC and are not "not covered".
 * Every path below works on the licenses that carry SSA only.
 */
export const carriesSsa = (l: { license_type: string }): boolean => catalog.licenseType(l.license_type).ssa;

/** What the calculator needs of a license row; a license about to be bound can be passed the same way. */
export type SsaLicenseRow = Pick<
  License,
  'serial' | 'license_type' | 'units' | 'version' | 'bind_date' | 'ssa_end'
>;

/**
 * The SSC summary for license rows: each row with its type's SSC per unit and year from the catalog,
 * its own version (for the "next release" rule), bind date and SSA end. `optOut` serials get no SSA
 * and cost nothing. Pure; the first argument is unused today (the catalog is static) and keeps the
 * signature stable for a catalog read from the store.
 */
export function ssaSummaryForLicenses(
  _ctx: Core | Tx | null,
  licenses: readonly SsaLicenseRow[],
  calculationDate: string,
  endDate: string,
  optOut?: ReadonlySet<string>,
): SscSummary {
  return calculateSsc(
    licenses.map((l) => ({
      id: l.serial,
      type: l.license_type,
      units: l.units,
      version: l.version,
      bindDate: l.bind_date,
      ssaEnd: l.ssa_end,
      sscPerUnitYear: catalog.licenseType(l.license_type).sscPerUnitYear,
      optOut: optOut?.has(l.serial) ?? false,
    })),
    calculationDate,
    endDate,
    sscVersions,
  );
}

/** "The end date mustn't be in the past" (seed: Projects → SSA). */
export function assertEndNotPast(endDate: string, today: string) {
  if (endDate < today)
    throw new MylicError(
      'SSA_END_IN_PAST',
      `The SSA end date ${endDate} is in the past (today is ${today}).`,
    );
}

/** Opt-out serials must name licenses of the summary: a typo must not silently charge a license. */
export function optOutSet(
  licenses: readonly { serial: string }[],
  optOut: readonly string[] | undefined,
): Set<string> {
  const set = new Set(optOut ?? []);
  const known = new Set(licenses.map((l) => l.serial));
  const unknown = [...set].filter((s) => !known.has(s));
  if (unknown.length)
    throw new MylicError(
      'VALIDATION_FAILED',
      `These licenses are not in the summary: ${unknown.join(', ')}.`,
      { unknown },
    );
  return set;
}

// ---------------------------------------------------------------------------------------------
// paying

export interface SsaPayer {
  /** The project the SSC is drawn from first (on credit: booked on). */
  projectId: number;
  /** The company that pays; `projectId` must be one of its projects. */
  companyId: number;
  userId: number;
  /** Buy what the balances lack on credit (right 'buy-on-credit'); the order number goes into the ledger ref. */
  onCredit?: { orderNumber?: string };
  /** Other projects of the company to draw from after `projectId`; default all others by id; [] none. */
  fromProjectIds?: readonly number[];
}

export interface SscPayment {
  /** Units taken from each project's balance, in the order drawn. */
  paid: { projectId: number; units: number }[];
  /** Units bought on credit (booked on the payer project). */
  onCredit: { orderNumber: string | null; units: number } | null;
}

/** Pays `units` SSC for the payer (see the file comment). Writes ledger entries, no history. */
export async function paySsc(
  tx: Tx,
  at: string,
  units: number,
  payer: SsaPayer,
  ref: string,
): Promise<SscPayment> {
  const own = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', payer.companyId)
    .orderBy('id')
    .execute();
  if (!own.some((p) => p.id === payer.projectId))
    throw new MylicError('PROJECT_NOT_FOUND', 'The paying project is not a project of the paying company.');
  if (units === 0) return { paid: [], onCredit: null };
  if (!Number.isInteger(units) || units < 0) throw new MylicError('AMOUNT_INVALID');
  if (payer.onCredit && !(await hasRight(tx, payer.userId, 'buy-on-credit', payer.companyId)))
    throw new MylicError('ON_CREDIT_NOT_ALLOWED');
  const others = payer.fromProjectIds ?? own.map((p) => p.id);
  for (const id of others) {
    if (!own.some((p) => p.id === id))
      throw new MylicError('PROJECT_NOT_FOUND', `Project ${id} is not a project of the paying company.`);
  }
  const order = [
    payer.projectId,
    ...others.filter((id, i) => id !== payer.projectId && others.indexOf(id) === i),
  ];
  const rows = await tx
    .selectFrom('balances')
    .select(['project_id', 'units'])
    .where('license_type', '=', SSC_TYPE)
    .where('project_id', 'in', order)
    .execute();
  const have = (id: number) => rows.find((r) => r.project_id === id)?.units ?? 0;
  const available = order.reduce((s, id) => s + have(id), 0);
  if (available < units && !payer.onCredit) {
    throw new MylicError(
      'BALANCE_INSUFFICIENT',
      `${units} SSC are needed, the projects it may be drawn from hold ${available}: ${units - available} SSC are missing.`,
      {
        licenseType: SSC_TYPE,
        needed: units,
        available,
        missing: units - available,
        projects: order.map((id) => ({ projectId: id, units: have(id) })),
      },
    );
  }
  const paid: SscPayment['paid'] = [];
  let left = units;
  for (const id of order) {
    const take = Math.min(left, have(id));
    if (take <= 0) continue;
    await debitBalance(tx, at, id, SSC_TYPE, take, 'ssc.spent', ref);
    paid.push({ projectId: id, units: take });
    left -= take;
    if (left === 0) break;
  }
  if (left === 0) return { paid, onCredit: null };
  const orderNumber = payer.onCredit?.orderNumber?.trim() || null;
  const creditRef = `on-credit:${orderNumber ?? ''}`;
  await creditBalance(tx, at, payer.projectId, SSC_TYPE, left, 'ssc.on-credit', creditRef);
  await debitBalance(tx, at, payer.projectId, SSC_TYPE, left, 'ssc.spent', creditRef);
  return { paid, onCredit: { orderNumber, units: left } };
}

/** SSC the payer may draw from balance, as `paySsc` would: the payer project, and the others it may use. */
export async function sscAvailable(
  tx: Tx,
  payer: Pick<SsaPayer, 'projectId' | 'companyId' | 'fromProjectIds'>,
) {
  const own = tx.selectFrom('projects').select('id').where('company_id', '=', payer.companyId);
  let q = tx
    .selectFrom('balances')
    .select(['project_id', 'units'])
    .where('license_type', '=', SSC_TYPE)
    .where('project_id', 'in', own);
  if (payer.fromProjectIds) q = q.where('project_id', 'in', [payer.projectId, ...payer.fromProjectIds]);
  const rows = await q.execute();
  return {
    project: rows.find((r) => r.project_id === payer.projectId)?.units ?? 0,
    total: rows.reduce((s, r) => s + r.units, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// applying a summary

export interface ApplySsaOptions {
  /** Write the one history event here (default). false: the caller's own event carries the result. */
  record?: boolean;
  /** Event name; default `ssa.applied`. */
  event?: HistoryEventName;
  deviceId?: number | null;
  detail?: Record<string, unknown>;
}

export interface SsaApplied extends SscPayment {
  calculationDate: string;
  endDate: string;
  total: number;
  /** The licenses whose SSA end was set (opted-out lines are not here). */
  licenses: { serial: string; ssaEnd: string }[];
  optedOut: string[];
}

/**
 * Confirms a summary in the caller's transaction: pays its total (paySsc) and sets `licenses.ssa_end`
 * of every line not opted out. Only a calculation for today (the day of `at`) can be confirmed (seed:
 * "you can't confirm this calculation for another date"). The caller computes the summary in the same
 * transaction, so what is paid is what the rows say now.
 */
export async function applySsa(
  tx: Tx,
  at: string,
  summary: SscSummary,
  payer: SsaPayer,
  options: ApplySsaOptions = {},
): Promise<SsaApplied> {
  const day = at.slice(0, 10);
  if (summary.calculationDate !== day)
    throw new MylicError(
      'SSA_NOT_TODAY',
      `The summary was calculated for ${summary.calculationDate}; only ${day} can be confirmed.`,
    );
  assertEndNotPast(summary.endDate, day);
  const payment = await paySsc(tx, at, summary.total, payer, `ssa:${summary.endDate}`);
  const licenses: SsaApplied['licenses'] = [];
  for (const line of summary.lines) {
    if (line.optedOut || line.newSsaEnd === null) continue;
    const r = await tx
      .updateTable('licenses')
      .set({ ssa_end: line.newSsaEnd, updated_at: at })
      .where('serial', '=', line.id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new MylicError('NOT_FOUND', `There is no license ${line.id}.`);
    licenses.push({ serial: line.id, ssaEnd: line.newSsaEnd });
  }
  const applied: SsaApplied = {
    calculationDate: summary.calculationDate,
    endDate: summary.endDate,
    total: summary.total,
    ...payment,
    licenses,
    optedOut: summary.lines.filter((l) => l.optedOut).map((l) => l.id),
  };
  if (options.record !== false) {
    await recordHistory(tx, at, {
      event: options.event ?? 'ssa.applied',
      companyId: payer.companyId,
      projectId: payer.projectId,
      userId: payer.userId,
      deviceId: options.deviceId ?? null,
      detail: { ...options.detail, ...historyDetail(applied) },
    });
  }
  return applied;
}

/** The applied SSA as a history detail (the lines as serial → new end; payment as booked). */
export function historyDetail(a: SsaApplied) {
  return {
    endDate: a.endDate,
    total: a.total,
    paid: a.paid,
    onCredit: a.onCredit,
    licenses: a.licenses,
    optedOut: a.optedOut,
  };
}

// ---------------------------------------------------------------------------------------------
// licenses brought into an SSA project (move device, join project, new licenses)

export interface SsaTarget {
  id: number;
  company_id: number;
  ssa_end: string | null;
}

/** The project's SSA end when it is still running (end ≥ today), else null: the project is not under SSA. */
export const runningSsaEnd = (project: { ssa_end: string | null }, today: string): string | null =>
  project.ssa_end !== null && project.ssa_end >= today ? project.ssa_end : null;

export async function projectSsaEnd(tx: Tx, projectId: number, today: string): Promise<string | null> {
  const p = await tx.selectFrom('projects').select('ssa_end').where('id', '=', projectId).executeTakeFirst();
  if (!p) throw new MylicError('PROJECT_NOT_FOUND');
  return runningSsaEnd(p, today);
}

/**
 * A summary line with the device the license is bound to, and for new licenses (added from balance, bound
 * by the operator) the index of the request line they come from: new licenses get their serials only when
 * they are bound, so opting them out goes by line (`optOutLines`).
 */
export type SsaLineView = SscLine & { hardwareId: string | null; line?: number };
export type SsaSummaryView = Omit<SscSummary, 'lines'> & { lines: SsaLineView[] };

/** A license row for a summary, with the device it is bound to when known. */
export type SsaLicense = SsaLicenseRow & { hardware_id?: string | null };

/** Serial → request line of new licenses. */
export type LineOf = ReadonlyMap<string, number>;

export function summaryView(
  summary: SscSummary,
  licenses: readonly SsaLicense[],
  lineOf?: LineOf,
): SsaSummaryView {
  const hw = new Map(licenses.map((l) => [l.serial, l.hardware_id]));
  return {
    ...summary,
    lines: summary.lines.map((l) => {
      const line = lineOf?.get(l.id);
      return { ...l, hardwareId: hw.get(l.id) ?? null, ...(line !== undefined ? { line } : {}) };
    }),
  };
}

/** The user's choices when licenses come into an SSA project; presence means "I saw the summary". */
export interface SsaConfirmation {
  /** Default: the target project's SSA end (seed: "you can change the SSA end date for the move process"). */
  endDate?: string;
  optOut?: readonly string[];
  onCredit?: { orderNumber?: string };
  /** The total the user saw; a different total now → SSA_SUMMARY_CHANGED. */
  expectedTotal?: number;
  fromProjectIds?: readonly number[];
}

export interface SsaIntoPreview {
  target: { projectId: number; ssaEnd: string | null };
  /** null: the target is not under SSA, nothing changes. */
  summary: SsaSummaryView | null;
  /** true when SSC must be paid: the move or join needs an SsaConfirmation. */
  confirmationRequired: boolean;
}

/**
 * Bound licenses of these devices that a project of `companyId` paid for (they count in its projects),
 * of the types that carry SSA (`carriesSsa`).
 */
export async function deviceLicenses(
  tx: Tx,
  companyId: number,
  deviceIds: readonly number[],
): Promise<(License & { hardware_id: string | null })[]> {
  if (!deviceIds.length) return [];
  const rows = await tx
    .selectFrom('licenses')
    .innerJoin('projects as payer', 'payer.id', 'licenses.project_id')
    .leftJoin('devices', 'devices.id', 'licenses.device_id')
    .selectAll('licenses')
    .select('devices.hardware_id')
    .where('licenses.state', '=', 'bound')
    .where('licenses.device_id', 'in', deviceIds)
    .where('payer.company_id', '=', companyId)
    .orderBy('devices.hardware_id')
    .orderBy('licenses.serial')
    .execute();
  return rows.filter(carriesSsa);
}

/** The licenses of a project: bound to the devices placed in it, paid by a project of its company. */
export async function projectLicenses(
  tx: Tx,
  project: { id: number; company_id: number },
): Promise<(License & { hardware_id: string | null })[]> {
  const placed = await tx
    .selectFrom('device_projects')
    .select('device_id')
    .where('project_id', '=', project.id)
    .execute();
  return deviceLicenses(
    tx,
    project.company_id,
    placed.map((p) => p.device_id),
  );
}

async function loadTarget(tx: Tx, projectId: number): Promise<SsaTarget> {
  const t = await tx
    .selectFrom('projects')
    .select(['id', 'company_id', 'ssa_end'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!t) throw new MylicError('PROJECT_NOT_FOUND');
  return t;
}

/**
 * The summary for licenses coming into `target` (rows, or rows about to be created: serial, type,
 * units, version, bind date today, no SSA end). Not under SSA → summary null.
 */
export function previewSsaInto(
  target: SsaTarget,
  licenses: readonly SsaLicense[],
  today: string,
  opts: {
    endDate?: string | undefined;
    calculationDate?: string | undefined;
    optOut?: readonly string[] | undefined;
    lineOf?: LineOf | undefined;
  } = {},
): SsaIntoPreview {
  const running = runningSsaEnd(target, today);
  if (running === null)
    return {
      target: { projectId: target.id, ssaEnd: target.ssa_end },
      summary: null,
      confirmationRequired: false,
    };
  const endDate = opts.endDate ?? running;
  assertEndNotPast(endDate, today);
  const summary = ssaSummaryForLicenses(
    null,
    licenses,
    opts.calculationDate ?? today,
    endDate,
    optOutSet(licenses, opts.optOut),
  );
  // Whether a confirmation is needed is a question about today, whatever date is previewed.
  const todays =
    opts.calculationDate === undefined || opts.calculationDate === today
      ? summary
      : ssaSummaryForLicenses(null, licenses, today, endDate, new Set(opts.optOut));
  return {
    target: { projectId: target.id, ssaEnd: target.ssa_end },
    summary: summaryView(summary, licenses, opts.lineOf),
    confirmationRequired: todays.total > 0,
  };
}

/**
 * Brings licenses into the target's SSA in the caller's transaction (no history: the caller's move or
 * join event carries the result). Not under SSA → null, nothing changes. Something to pay and no
 * confirmation → SSA_CONFIRMATION_REQUIRED with the summary in the details, so the known issue of the
 * seed (devices in an SSA project without SSA) cannot happen silently. Nothing to pay → the end dates
 * are set without asking.
 */
/**
 * Projects named to pay SSC from are the paying company's, whether or not anything is paid (issue 11,
 * found by the fuzz suite: another company's project id was accepted silently when no SSA applied).
 * Every path that takes an SSA confirmation asks here first, also when nothing turns out to move.
 */
export async function assertPayerProjects(
  tx: Tx,
  companyId: number,
  confirm: Pick<SsaConfirmation, 'fromProjectIds'> | undefined,
): Promise<void> {
  if (!confirm?.fromProjectIds?.length) return;
  const own = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', companyId)
    .where('id', 'in', [...confirm.fromProjectIds])
    .execute();
  const foreign = confirm.fromProjectIds.find((id) => !own.some((p) => p.id === id));
  if (foreign !== undefined)
    throw new MylicError('PROJECT_NOT_FOUND', `Project ${foreign} is not a project of the paying company.`);
}

export async function bringIntoSsa(
  tx: Tx,
  at: string,
  input: {
    userId: number;
    target: SsaTarget;
    licenses: readonly SsaLicense[];
    confirm?: SsaConfirmation | undefined;
    shareBalance?: boolean;
    lineOf?: LineOf | undefined;
  },
): Promise<SsaApplied | null> {
  const today = at.slice(0, 10);
  const { target, confirm } = input;
  await assertPayerProjects(tx, target.company_id, confirm);
  if (runningSsaEnd(target, today) === null) return null;
  const preview = previewSsaInto(target, input.licenses, today, {
    ...(confirm?.endDate ? { endDate: confirm.endDate } : {}),
    ...(confirm?.optOut ? { optOut: confirm.optOut } : {}),
    lineOf: input.lineOf,
  });
  const summary = preview.summary!;
  if (summary.total > 0 && !confirm) {
    throw new MylicError(
      'SSA_CONFIRMATION_REQUIRED',
      `Project ${target.id} is under SSA until ${target.ssa_end}: ${summary.total} SSC are needed; confirm the summary first.`,
      {
        target: preview.target,
        // Lines carry the serial too (as in the previews), for opting licenses out in the confirmation;
        // lines of new licenses carry the request line instead (their serials are not kept).
        summary: { ...summary, lines: summary.lines.map((l) => ({ ...l, serial: l.id })) },
      },
    );
  }
  if (confirm?.expectedTotal !== undefined && confirm.expectedTotal !== summary.total) {
    throw new MylicError(
      'SSA_SUMMARY_CHANGED',
      `The summary now needs ${summary.total} SSC, not ${confirm.expectedTotal}.`,
      { summary },
    );
  }
  const fromProjectIds = input.shareBalance === false ? [] : confirm?.fromProjectIds;
  return applySsa(
    tx,
    at,
    summary,
    {
      projectId: target.id,
      companyId: target.company_id,
      userId: input.userId,
      ...(confirm?.onCredit ? { onCredit: confirm.onCredit } : {}),
      ...(fromProjectIds ? { fromProjectIds } : {}),
    },
    { record: false },
  );
}

/** New licenses on a device (licenses.ts addFromBalance, free-licenses.ts assignFreeLicenses). */
export interface NewLicensesSsaInput {
  userId: number;
  /** The device's project: its SSA end is the default, its balance pays first. */
  project: { id: number; company_id: number; ssa_end: string | null };
  /** The device the licenses are on (null: several, e.g. warranty for a whole project). */
  deviceId: number | null;
  /** The licenses just created (or assigned from the free pool), in the caller's transaction. */
  serials: readonly string[];
  /** The user's answer to the summary; absent: not asked (→ SSA_CONFIRMATION_REQUIRED if SSC is due). */
  choice: SsaConfirmation | undefined;
  /** false in a project reached through rights: SSC is drawn from this project only. */
  shareBalance: boolean;
  /** New licenses from balance: serial → the request line it comes from (shown in the summary). */
  lineOf?: LineOf | undefined;
}

/**
 * SSA for new licenses in an SSA project (seed: Add licenses from balance / from free licenses, "set SSA
 * for the new licenses to this SSA end date or … change this date to another one"): the same calculation,
 * in the selection's transaction after the licenses exist (free licenses keep bind date and SSA end, so
 * only the difference is paid). Not under SSA → null. No history: the caller's event carries the result.
 */
export async function ssaForNewLicenses(
  tx: Tx,
  at: string,
  input: NewLicensesSsaInput,
): Promise<SsaApplied | null> {
  if (runningSsaEnd(input.project, at.slice(0, 10)) === null || input.serials.length === 0) return null;
  const rows = await tx
    .selectFrom('licenses')
    .selectAll()
    .where('serial', 'in', [...input.serials])
    .orderBy('serial')
    .execute();
  if (rows.length !== new Set(input.serials).size)
    throw new MylicError('NOT_FOUND', 'Some of the new licenses do not exist.');
  // Types without SSA (warranty extensions, the V7 floating license) pass through untouched.
  const licenses = rows.filter(carriesSsa);
  if (!licenses.length) return null;
  return bringIntoSsa(tx, at, {
    userId: input.userId,
    target: input.project,
    licenses,
    confirm: input.choice,
    shareBalance: input.shareBalance,
    lineOf: input.lineOf,
  });
}

/** Move device(s) into `toProjectId`: the summary (seed: Move device, "you will first see a SSC calculation"). */
export async function previewSsaForMove(
  tx: Tx,
  input: {
    companyId: number;
    deviceIds: readonly number[];
    toProjectId: number;
    today: string;
    endDate?: string;
    calculationDate?: string;
    optOut?: readonly string[];
  },
): Promise<SsaIntoPreview> {
  const target = await loadTarget(tx, input.toProjectId);
  return previewSsaInto(
    target,
    await deviceLicenses(tx, target.company_id, input.deviceIds),
    input.today,
    input,
  );
}

/**
 * Move device(s) into `toProjectId`, in the mover's transaction, before or after the placement changes
 * (the licenses are found by device): their licenses are brought to the target's SSA end (or
 * `confirm.endDate`). `companyId` is the mover's company: balance is shared over its projects only
 * when it owns the target. The caller has checked access.
 */
export async function applySsaForMove(
  tx: Tx,
  at: string,
  input: {
    userId: number;
    companyId: number;
    deviceIds: readonly number[];
    toProjectId: number;
    confirm?: SsaConfirmation | undefined;
  },
): Promise<SsaApplied | null> {
  const target = await loadTarget(tx, input.toProjectId);
  const licenses = await deviceLicenses(tx, target.company_id, input.deviceIds);
  return bringIntoSsa(tx, at, {
    userId: input.userId,
    target,
    licenses,
    confirm: input.confirm,
    shareBalance: input.companyId === target.company_id,
  });
}

/** Join `fromProjectId` into `intoProjectId`: the summary of the licenses that come along (seed: Join). */
export async function previewSsaForJoin(
  tx: Tx,
  input: {
    fromProjectId: number;
    intoProjectId: number;
    today: string;
    endDate?: string;
    calculationDate?: string;
    optOut?: readonly string[];
  },
): Promise<SsaIntoPreview> {
  const source = await loadTarget(tx, input.fromProjectId);
  const target = await loadTarget(tx, input.intoProjectId);
  return previewSsaInto(target, await projectLicenses(tx, source), input.today, input);
}

/** Join, in joinProject's transaction before the licenses move (bridge/core/projects.ts). */
export async function applySsaForJoin(
  tx: Tx,
  at: string,
  input: {
    userId: number;
    fromProjectId: number;
    intoProjectId: number;
    confirm?: SsaConfirmation | undefined;
  },
): Promise<SsaApplied | null> {
  const source = await loadTarget(tx, input.fromProjectId);
  const target = await loadTarget(tx, input.intoProjectId);
  return bringIntoSsa(tx, at, {
    userId: input.userId,
    target,
    licenses: await projectLicenses(tx, source),
    confirm: input.confirm,
  });
}

// ---------------------------------------------------------------------------------------------
// free licenses converted to balance

/**
 * Converting free licenses to balance costs one year of SSC for each unit (seed: Free licenses, "you will
 * have to pay one year SSC for each unit"): multiplier 1.0000, so units × SSC per unit per line.
 */
export function conversionSsc(licenses: readonly Pick<License, 'serial' | 'license_type' | 'units'>[]) {
  const lines = licenses.map((l) => {
    const sscPerUnit = catalog.licenseType(l.license_type).sscPerUnitYear;
    return {
      serial: l.serial,
      type: l.license_type,
      units: l.units,
      sscPerUnit,
      multiplier: '1.0000',
      ssc: lineSsc(l.units, sscPerUnit, 10_000),
    };
  });
  return { lines, total: lines.reduce((s, l) => s + l.ssc, 0) };
}
