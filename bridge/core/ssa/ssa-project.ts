import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { ownProjectAccess, projectAccess } from '../access.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { recordHistory } from '../history.js';
import { hasRight } from '../rights.js';
import {
  applySsa,
  assertEndNotPast,
  historyDetail,
  optOutSet,
  previewSsaForJoin,
  projectLicenses,
  runningSsaEnd,
  sscAvailable,
  ssaSummaryForLicenses,
  summaryView,
  type SsaApplied,
  type SsaIntoPreview,
  type SsaSummaryView,
} from './ssa.js';

/**
 * A project's SSA (seed: Projects → SSA): the summary for an end date (a preview for any calculation
 * date), confirming it for today, extending it the same way, and the "Send SSA expiry mails" flag.
 * Every license of the project (bound to a device placed in it, paid by its company) gets the end date
 * unless opted out; the project keeps the end date for licenses that come later (ssa.ts).
 *
 * Who: any unlocked user of the owning company; users of a company with rights on the project may look
 * at the summary (they add licenses there, which shows the same figures) but not put the project under
 * SSA or change its mail flag (seed: Rights, "restricted in … editing the project").
 */
export interface SsaPreviewRequest {
  endDate: string;
  /** Another calculation date: a preview only. Default today. */
  calculationDate?: string;
  optOut?: readonly string[];
}

export interface SsaConfirmRequest {
  endDate: string;
  optOut?: readonly string[];
  onCredit?: { orderNumber?: string };
  /** The total the user saw in the summary; a different total now → SSA_SUMMARY_CHANGED. */
  expectedTotal?: number;
  /** Other projects of the company to draw SSC from after this one; default all, in id order. */
  fromProjectIds?: readonly number[];
}

export interface ProjectSsaPreview {
  projectId: number;
  projectSsaEnd: string | null;
  summary: SsaSummaryView;
  /** Only a calculation for today can be confirmed. */
  confirmable: boolean;
  payment: { projectSsc: number; companySsc: number; missing: number; onCreditAllowed: boolean };
}

async function preview(
  tx: Tx,
  core: Core,
  actor: Actor,
  projectId: number,
  req: SsaPreviewRequest,
): Promise<ProjectSsaPreview> {
  const access = await projectAccess(tx, actor, projectId);
  const { project } = access;
  const day = today(core);
  assertEndNotPast(req.endDate, day);
  const licenses = await projectLicenses(tx, project);
  const summary = ssaSummaryForLicenses(
    tx,
    licenses,
    req.calculationDate ?? day,
    req.endDate,
    optOutSet(licenses, req.optOut),
  );
  const available = await sscAvailable(tx, {
    projectId: project.id,
    companyId: project.company_id,
    ...(access.external ? { fromProjectIds: [] } : {}),
  });
  return {
    projectId: project.id,
    projectSsaEnd: project.ssa_end,
    summary: summaryView(summary, licenses),
    confirmable: summary.calculationDate === day && !access.external,
    payment: {
      projectSsc: available.project,
      companySsc: available.total,
      missing: Math.max(0, summary.total - available.total),
      onCreditAllowed: await hasRight(tx, actor.userId, 'buy-on-credit', project.company_id),
    },
  };
}

export async function previewProjectSsa(
  core: Core,
  actor: Actor,
  projectId: number,
  req: SsaPreviewRequest,
): Promise<ProjectSsaPreview> {
  return preview(core.store.db, core, actor, projectId, req);
}

/**
 * Put the project under SSA, or extend it (seed: "You can now extend the projects SSA end date like as
 * setting a new one"): in one transaction the summary for today is computed again, paid (ssa.ts
 * paySsc), the licenses and the project get the end date, and one history event is written. An end
 * before the project's current one is refused (what was paid stays paid); the same end again is allowed
 * and brings licenses that came without SSA up to it (seed: Known Issues).
 */
export async function confirmProjectSsa(core: Core, actor: Actor, projectId: number, req: SsaConfirmRequest) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const day = at.slice(0, 10);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'put the project under SSA');
    assertEndNotPast(req.endDate, day);
    if (project.ssa_end !== null && req.endDate < project.ssa_end) {
      throw new MylicError(
        'SSA_END_BEFORE_CURRENT',
        `The project is under SSA until ${project.ssa_end}; ${req.endDate} is before that.`,
        { ssaEnd: project.ssa_end },
      );
    }
    const licenses = await projectLicenses(tx, project);
    const summary = ssaSummaryForLicenses(tx, licenses, day, req.endDate, optOutSet(licenses, req.optOut));
    if (req.expectedTotal !== undefined && req.expectedTotal !== summary.total) {
      throw new MylicError(
        'SSA_SUMMARY_CHANGED',
        `The summary now needs ${summary.total} SSC, not ${req.expectedTotal}.`,
        { summary: summaryView(summary, licenses) },
      );
    }
    const applied: SsaApplied = await applySsa(
      tx,
      at,
      summary,
      {
        projectId: project.id,
        companyId: project.company_id,
        userId: actor.userId,
        ...(req.onCredit ? { onCredit: req.onCredit } : {}),
        ...(req.fromProjectIds ? { fromProjectIds: req.fromProjectIds } : {}),
      },
      { record: false },
    );
    await tx.updateTable('projects').set({ ssa_end: req.endDate }).where('id', '=', project.id).execute();
    await recordHistory(tx, at, {
      event: project.ssa_end === null ? 'project.ssa_set' : 'project.ssa_extended',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      detail: { before: project.ssa_end, ...historyDetail(applied) },
    });
    return {
      projectId: project.id,
      ssaEnd: req.endDate,
      before: project.ssa_end,
      summary: summaryView(summary, licenses),
      applied,
    };
  });
}

export interface ProjectSsaStatus {
  projectId: number;
  ssaEnd: string | null;
  /** The end date is today or later. */
  underSsa: boolean;
  sendMails: boolean;
  licenses: { total: number; covered: number; notCovered: string[] };
}

async function status(
  tx: Tx,
  core: Core,
  project: { id: number; company_id: number; ssa_end: string | null },
): Promise<ProjectSsaStatus> {
  const row = await tx
    .selectFrom('projects')
    .select('send_ssa_mails')
    .where('id', '=', project.id)
    .executeTakeFirstOrThrow();
  const licenses = await projectLicenses(tx, project);
  const end = project.ssa_end;
  const notCovered =
    end === null ? [] : licenses.filter((l) => l.ssa_end === null || l.ssa_end < end).map((l) => l.serial);
  return {
    projectId: project.id,
    ssaEnd: end,
    underSsa: runningSsaEnd(project, today(core)) !== null,
    sendMails: row.send_ssa_mails === 1,
    licenses: {
      total: licenses.length,
      covered: end === null ? 0 : licenses.length - notCovered.length,
      notCovered,
    },
  };
}

export async function projectSsaStatus(
  core: Core,
  actor: Actor,
  projectId: number,
): Promise<ProjectSsaStatus> {
  const tx = core.store.db;
  const { project } = await projectAccess(tx, actor, projectId);
  return status(tx, core, project);
}

/** The project's "Send SSA expiry mails" checkbox (seed: Projects → SSA). */
export async function setSsaMails(
  core: Core,
  actor: Actor,
  projectId: number,
  sendMails: boolean,
): Promise<ProjectSsaStatus> {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'change the SSA mail setting');
    const r = await tx
      .updateTable('projects')
      .set({ send_ssa_mails: sendMails ? 1 : 0 })
      .where('id', '=', project.id)
      .where('send_ssa_mails', '!=', sendMails ? 1 : 0)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) {
      await recordHistory(tx, at, {
        event: 'project.ssa_mails_changed',
        companyId: project.company_id,
        projectId: project.id,
        userId: actor.userId,
        detail: { sendMails },
      });
    }
    return status(tx, core, project);
  });
}

// ---------------------------------------------------------------------------------------------
// previews for the other paths, with the actor's access checked

/** Joining `projectId` into `intoProjectId`: what its licenses would cost (seed: Join). */
export async function previewJoinSsa(
  core: Core,
  actor: Actor,
  projectId: number,
  req: { intoProjectId: number; endDate?: string; calculationDate?: string; optOut?: readonly string[] },
): Promise<SsaIntoPreview> {
  const tx = core.store.db;
  const { project: source } = await ownProjectAccess(tx, actor, projectId, 'join the project into another');
  if (req.intoProjectId === source.id) throw new MylicError('PROJECT_JOIN_SELF');
  const target = await projectAccess(tx, actor, req.intoProjectId);
  if (target.external || target.project.company_id !== source.company_id) {
    throw new MylicError(
      'PROJECT_NOT_FOUND',
      'A project can only be joined into another project of the same company.',
    );
  }
  return previewSsaForJoin(tx, {
    fromProjectId: source.id,
    intoProjectId: target.project.id,
    today: today(core),
    ...(req.endDate ? { endDate: req.endDate } : {}),
    ...(req.calculationDate ? { calculationDate: req.calculationDate } : {}),
    ...(req.optOut ? { optOut: req.optOut } : {}),
  });
}
