import { MylicError } from '../../../protocol/errors.js';
import { assertNoLicensesOfOthers } from './license-ownership.js';
import type { FreeLicense } from '../../../protocol/licenses-api.js';
import type { License } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { projectAccess, projectScope, type ProjectAccess } from '../access.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { catalog, downloadableVersions, typeUnderSsa } from '../catalog.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { recordHistory } from '../history.js';
import { assertDeviceLicenses, toHeld } from './license-selection.js';
import { hasRight } from '../rights.js';
import {
  conversionSsc,
  paySsc,
  ssaForNewLicenses,
  type SsaConfirmation,
  type SscPayment,
} from '../ssa/index.js';

/**
 * Free licenses (seed: Free licenses; Add licenses from free licenses). Returned licenses wait in the
 * free pool of a project with their bind date, SSA end and external key (a DECT ARI stays with its
 * license). From there they are assigned to another device — of the version chosen, after the same
 * consistency check as new licenses (license-selection.ts) — or converted back into balance: one year
 * of SSC per unit is paid from the pool project's SSC balance (or on credit), the external key and the
 * SSA are lost, and a license under SSA may be converted to any later version its SSA reaches.
 *
 * Which pools: the pools of every own project of the device's company (as balance is shared between
 * own projects), only the device's own project when it is reached through rights.
 */

type PoolRow = License & { project_name: string };

const view = (l: PoolRow): FreeLicense => ({
  serial: l.serial,
  type: l.license_type,
  typeUnderSsa: typeUnderSsa({ type: l.license_type, version: l.version, ssaEnd: l.ssa_end }),
  units: l.units,
  version: l.version,
  versions: downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }),
  bindDate: l.bind_date,
  ssaEnd: l.ssa_end,
  externalKey: l.external_key,
  projectId: l.project_id,
  projectName: l.project_name,
});

const poolRows = (tx: Tx, projectIds: readonly number[]) =>
  projectIds.length === 0
    ? Promise.resolve([] as PoolRow[])
    : tx
        .selectFrom('licenses')
        .innerJoin('projects', 'projects.id', 'licenses.project_id')
        .selectAll('licenses')
        .select('projects.name as project_name')
        .where('licenses.state', '=', 'free')
        .where('licenses.project_id', 'in', projectIds)
        .orderBy('licenses.project_id')
        .orderBy('licenses.license_type')
        .orderBy('licenses.id')
        .execute();

/** The pool of one project, or of every project the selection covers (seed: "a list of all your free licenses"). */
export async function listFreeLicenses(core: Core, actor: Actor, q: { projectId?: number | undefined }) {
  const tx = core.store.db;
  if (q.projectId !== undefined) {
    await projectAccess(tx, actor, q.projectId);
    return { scope: 'project' as const, licenses: (await poolRows(tx, [q.projectId])).map(view) };
  }
  const ids = await projectScope(tx, actor);
  return {
    scope: actor.projectId ? ('project' as const) : ('all' as const),
    licenses: (await poolRows(tx, ids)).map(view),
  };
}

async function poolProjectsFor(
  tx: Tx,
  placement: { projectId: number; companyId: number },
  access: ProjectAccess,
): Promise<number[]> {
  if (access.external) return [placement.projectId];
  const own = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', placement.companyId)
    .orderBy('id')
    .execute();
  return own.map((p) => p.id);
}

/** The pool's licenses that fit the device and the version (seed: "a list of fitting licenses according to the current device and selected version"). */
export async function freeOffer(core: Core, actor: Actor, deviceId: number, version: number) {
  if (!catalog.isVersion(version)) throw new MylicError('VERSION_INVALID');
  const tx = core.store.db;
  const { device, type, placement, access } = await deviceForActor(tx, actor, deviceId);
  if (!catalog.runs(type, version))
    throw new MylicError('VERSION_NOT_FOR_DEVICE', `${type.name} does not run V${version}.`);
  const rows = await poolRows(tx, await poolProjectsFor(tx, placement, access));
  const fits = rows.filter(
    (l) =>
      catalog.accepts(type, catalog.licenseType(l.license_type)) &&
      (l.version === null ||
        downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }).includes(version)),
  );
  return { deviceId: device.id, version, licenses: fits.map(view) };
}

/** Assigns free licenses to a device in one transaction, keeping bind date, SSA end and external key. */
export async function assignFreeLicenses(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: {
    version: number;
    serials: readonly string[];
    ssa?: (SsaConfirmation & { optOutLines?: readonly number[] | undefined }) | undefined;
  },
) {
  if (!catalog.isVersion(req.version)) throw new MylicError('VERSION_INVALID');
  const serials = [...new Set(req.serials)];
  // Free licenses have their serials already: opted out by serial, or by their index in `serials`.
  let choice: SsaConfirmation | undefined;
  if (req.ssa) {
    const { optOutLines, ...rest } = req.ssa;
    const bad = (optOutLines ?? []).filter((i) => !Number.isInteger(i) || i < 0 || i >= req.serials.length);
    if (bad.length)
      throw new MylicError('VALIDATION_FAILED', `There is no line ${bad.join(', ')} in serials.`, {
        optOutLines: bad,
      });
    const optOut = [...new Set([...(rest.optOut ?? []), ...(optOutLines ?? []).map((i) => req.serials[i]!)])];
    choice = { ...rest, ...(optOut.length ? { optOut } : {}) };
  }
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, type, placement, access } = await deviceForActor(tx, actor, deviceId);
    await assertNoLicensesOfOthers(tx, device, placement.companyId);
    const pool = await poolProjectsFor(tx, placement, access);
    const rows = await tx
      .selectFrom('licenses')
      .selectAll()
      .where('serial', 'in', serials)
      .where('state', '=', 'free')
      .where('project_id', 'in', pool)
      .execute();
    const missing = serials.filter((s) => !rows.some((r) => r.serial === s));
    if (missing.length)
      throw new MylicError(
        'FREE_LICENSE_NOT_FOUND',
        `Not in the free licenses you can assign here: ${missing.join(', ')}.`,
        { serials: missing },
      );
    assertDeviceLicenses({
      device: type,
      version: req.version,
      mode: 'summate',
      installed: (await boundLicenses(tx, device.id)).map(toHeld),
      added: rows.map(toHeld),
      source: 'free',
    });
    for (const r of rows) {
      const moved = await tx
        .updateTable('licenses')
        .set({ state: 'bound', device_id: device.id, updated_at: at })
        .where('id', '=', r.id)
        .where('state', '=', 'free')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1)
        throw new MylicError('INTERNAL', 'License rows changed during the assignment.');
    }
    const ssa = await ssaForNewLicenses(tx, at, {
      userId: actor.userId,
      project: access.project,
      deviceId: device.id,
      serials,
      choice,
      shareBalance: !access.external,
    });
    await recordHistory(tx, at, {
      event: 'licenses.assigned',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: { version: req.version, serials, ...(ssa ? { ssa } : {}) },
    });
    const names = await tx
      .selectFrom('projects')
      .select(['id', 'name'])
      .where(
        'id',
        'in',
        rows.map((r) => r.project_id),
      )
      .execute();
    const bound = rows.map((r) =>
      view({
        ...r,
        state: 'bound',
        device_id: device.id,
        project_name: names.find((n) => n.id === r.project_id)?.name ?? '',
      }),
    );
    return {
      deviceId: device.id,
      hardwareId: device.hardware_id,
      version: req.version,
      licenses: bound,
      ssa,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// converting to balance

export interface ConvertRequest {
  licenses: readonly { serial: string; version?: number | undefined }[];
  onCredit?: { orderNumber?: string | undefined } | undefined;
  /** The SSC total the user saw in the preview; a different total now → SSA_SUMMARY_CHANGED, nothing done. */
  expectedSsc?: number | undefined;
}

async function planConversion(tx: Tx, actor: Actor, req: ConvertRequest) {
  const serials = [...new Set(req.licenses.map((l) => l.serial))];
  const rows = await tx
    .selectFrom('licenses')
    .selectAll()
    .where('serial', 'in', serials)
    .where('state', '=', 'free')
    .execute();
  // A pool the user does not reach looks like a license that does not exist.
  const access = new Map<number, ProjectAccess>();
  for (const pid of new Set(rows.map((r) => r.project_id))) {
    try {
      const a = await projectAccess(tx, actor, pid);
      // Converting spends the pool's SSC and gives the licenses up: the owner's business, not that of a
      // company with rights on the project (issue 11 review).
      if (a.external)
        throw new MylicError(
          'FORBIDDEN',
          'Users of a company with rights on this project cannot convert its free licenses.',
        );
      access.set(pid, a);
    } catch (e) {
      if (!(e instanceof MylicError) || e.code !== 'PROJECT_NOT_FOUND') throw e;
    }
  }
  const found = rows.filter((r) => access.has(r.project_id));
  const missing = serials.filter((s) => !found.some((r) => r.serial === s));
  if (missing.length)
    throw new MylicError('FREE_LICENSE_NOT_FOUND', `Not in your free licenses: ${missing.join(', ')}.`, {
      serials: missing,
    });
  const companies = new Set(
    [...access.values()]
      .filter((a) => found.some((r) => r.project_id === a.project.id))
      .map((a) => a.project.company_id),
  );
  if (companies.size > 1)
    throw new MylicError('VALIDATION_FAILED', 'Convert the free licenses of one company at a time.');
  const { lines: sscLines } = conversionSsc(found);
  const lines = found.map((r) => {
    const wanted = req.licenses.find((l) => l.serial === r.serial)?.version;
    const from = catalog.licenseType(r.license_type);
    let to = from;
    if (wanted !== undefined && wanted !== r.version) {
      // Seed: "If the license you convert is under SSA, you will be able to select the version to convert the license to."
      const reach = downloadableVersions({ version: r.version, ssaEnd: r.ssa_end });
      const target =
        from.series !== null &&
        r.version !== null &&
        r.ssa_end !== null &&
        wanted > r.version &&
        reach.includes(wanted)
          ? catalog.seriesType(from.series, wanted)
          : undefined;
      if (!target) {
        throw new MylicError(
          'CONVERT_VERSION_INVALID',
          `${r.serial} (${from.name}${r.ssa_end ? `, SSA until ${r.ssa_end}` : ', no SSA'}) can be converted as V${reach.filter((v) => r.version === null || v >= r.version).join(', V')} only.`,
          {
            serial: r.serial,
            version: wanted,
          },
        );
      }
      to = target;
    }
    return { row: r, from: from.name, to: to.name, ssc: sscLines.find((s) => s.serial === r.serial)!.ssc };
  });
  return { lines, access, companyId: [...companies][0]! };
}

const conversionView = (
  plan: Awaited<ReturnType<typeof planConversion>>,
  paid: SscPayment['paid'],
  onCredit: SscPayment['onCredit'],
  done: boolean,
) => ({
  lines: plan.lines.map((l) => ({
    serial: l.row.serial,
    fromType: l.from,
    toType: l.to,
    units: l.row.units,
    projectId: l.row.project_id,
    ssc: l.ssc,
  })),
  ssc: plan.lines.reduce((s, l) => s + l.ssc, 0),
  paid,
  onCredit,
  done,
});

/** What a conversion would cost and give (nothing changes). */
export async function previewConversion(core: Core, actor: Actor, req: ConvertRequest) {
  const plan = await planConversion(core.store.db, actor, req);
  return conversionView(plan, [], null, false);
}

/** Converts free licenses back to balance, in one transaction (seed: Free licenses). */
export async function convertFreeLicenses(core: Core, actor: Actor, req: ConvertRequest) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const plan = await planConversion(tx, actor, req);
    const total = plan.lines.reduce((s, l) => s + l.ssc, 0);
    if (req.expectedSsc !== undefined && req.expectedSsc !== total)
      throw new MylicError(
        'SSA_SUMMARY_CHANGED',
        `The conversion now costs ${total} SSC, not ${req.expectedSsc}.`,
        {
          ssc: total,
        },
      );
    if (req.onCredit && !(await hasRight(tx, actor.userId, 'buy-on-credit', plan.companyId)))
      throw new MylicError('FORBIDDEN', 'Your account may not buy SSC on credit (right buy-on-credit).');
    const paid: SscPayment['paid'] = [];
    let onCredit = null as SscPayment['onCredit'];
    // Each pool project pays for its own licenses, from its own SSC balance (no sharing: seed says "one year SSC for each unit").
    for (const pid of new Set(plan.lines.map((l) => l.row.project_id))) {
      const units = plan.lines.filter((l) => l.row.project_id === pid).reduce((s, l) => s + l.ssc, 0);
      const p = await paySsc(
        tx,
        at,
        units,
        {
          projectId: pid,
          companyId: plan.companyId,
          userId: actor.userId,
          fromProjectIds: [],
          ...(req.onCredit ? { onCredit: req.onCredit } : {}),
        },
        'free.converted',
      );
      paid.push(...p.paid);
      if (p.onCredit)
        onCredit = { orderNumber: p.onCredit.orderNumber, units: (onCredit?.units ?? 0) + p.onCredit.units };
    }
    for (const l of plan.lines) {
      const r = l.row;
      const gone = await tx
        .deleteFrom('licenses')
        .where('id', '=', r.id)
        .where('state', '=', 'free')
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) !== 1)
        throw new MylicError('INTERNAL', 'License rows changed during the conversion.');
      // The units were the company's already: an internal credit (ledger-report.ts), then, for another
      // version, the old type leaves and the new one comes in under one reason.
      await creditBalance(tx, at, r.project_id, l.from, r.units, 'free.converted', r.serial);
      if (l.to !== l.from) {
        await debitBalance(tx, at, r.project_id, l.from, r.units, 'license.exchanged', r.serial);
        await creditBalance(tx, at, r.project_id, l.to, r.units, 'license.exchanged', r.serial);
      }
    }
    const result = conversionView(plan, paid, onCredit, true);
    const projects = [...new Set(plan.lines.map((l) => l.row.project_id))];
    await recordHistory(tx, at, {
      event: 'licenses.converted',
      companyId: plan.companyId,
      projectId: projects.length === 1 ? projects[0]! : null,
      userId: actor.userId,
      detail: {
        lines: result.lines,
        ssc: result.ssc,
        paid,
        onCredit,
        droppedExternalKeys: plan.lines.filter((l) => l.row.external_key !== null).map((l) => l.row.serial),
      },
    });
    return result;
  });
}
