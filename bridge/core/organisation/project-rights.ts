import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { ownProjectAccess } from '../access.js';
import { readCompany } from './companies.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { endRmaRequests } from '../devices/index.js';
import { recordHistory } from '../history.js';

/**
 * Rights of other companies on a project (seed: Projects → Rights). Any unlocked member of the owning
 * company grants or revokes them by company id (seed L73 "Add or delete company rights for this
 * project", no "admin only" as at Join, L273; issue 15 item 10); users of a company holding rights on
 * it may not. Users of a company with rights may add devices, licenses and
 * activation keys to the project, but not remove devices, edit the project or create activation keys
 * from its balance (access.ts: `projectAccess(...).external`).
 */
export interface ProjectRight {
  companyId: number;
  companyName: string;
  grantedAt: string;
}

async function rightsOf(tx: Tx, projectId: number): Promise<ProjectRight[]> {
  const rows = await tx
    .selectFrom('project_rights')
    .select(['grantee_company_id', 'granted_at'])
    .where('project_id', '=', projectId)
    .orderBy('granted_at')
    .orderBy('grantee_company_id')
    .execute();
  const out: ProjectRight[] = [];
  for (const r of rows)
    out.push({
      companyId: r.grantee_company_id,
      companyName: (await readCompany(tx, r.grantee_company_id)).name,
      grantedAt: r.granted_at,
    });
  return out;
}

/** Members of the owning company may read the rights; external users may not. */
export async function listRights(core: Core, actor: Actor, projectId: number) {
  const { project } = await ownProjectAccess(
    core.store.db,
    actor,
    projectId,
    'see the rights of the project',
  );
  return { projectId: project.id, rights: await rightsOf(core.store.db, project.id) };
}

/** An unlocked member of the owning company (USER_LOCKED, FORBIDDEN for external users, else PROJECT_NOT_FOUND). */
async function memberAccess(tx: Tx, actor: Actor, projectId: number) {
  return (await ownProjectAccess(tx, actor, projectId, 'change the rights of the project')).project;
}

export async function grantRight(core: Core, actor: Actor, projectId: number, companyId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const project = await memberAccess(tx, actor, projectId);
    const company = await tx
      .selectFrom('companies')
      .select('id')
      .where('id', '=', companyId)
      .executeTakeFirst();
    if (!company) throw new MylicError('COMPANY_NOT_FOUND', `There is no company ${companyId}.`);
    if (companyId === project.company_id) throw new MylicError('RIGHT_OWN_COMPANY');
    const existing = await tx
      .selectFrom('project_rights')
      .select('project_id')
      .where('project_id', '=', project.id)
      .where('grantee_company_id', '=', companyId)
      .executeTakeFirst();
    if (existing)
      throw new MylicError('ALREADY_EXISTS', `Company ${companyId} already has rights on this project.`);
    await tx
      .insertInto('project_rights')
      .values({
        project_id: project.id,
        grantee_company_id: companyId,
        granted_at: at,
        granted_by: actor.userId,
      })
      .execute();
    await recordHistory(tx, at, {
      event: 'project.right_granted',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      detail: { company: companyId },
    });
    return { projectId: project.id, rights: await rightsOf(tx, project.id) };
  });
}

export async function revokeRight(core: Core, actor: Actor, projectId: number, companyId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const project = await memberAccess(tx, actor, projectId);
    const removed = await tx
      .deleteFrom('project_rights')
      .where('project_id', '=', project.id)
      .where('grantee_company_id', '=', companyId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) !== 1) throw new MylicError('RIGHT_NOT_FOUND');
    // RMA requests the company made through the right end with it, unless it holds the device itself:
    // otherwise nobody could ever withdraw them (review of issue 11).
    const held = await tx
      .selectFrom('device_projects')
      .select('device_id')
      .where('project_id', '=', project.id)
      .execute();
    for (const { device_id } of held) {
      const own = await tx
        .selectFrom('device_projects')
        .select('device_id')
        .where('device_id', '=', device_id)
        .where('company_id', '=', companyId)
        .executeTakeFirst();
      if (own) continue;
      const device = await tx
        .selectFrom('devices')
        .select(['id', 'hardware_id'])
        .where('id', '=', device_id)
        .executeTakeFirstOrThrow();
      await endRmaRequests(tx, at, {
        deviceId: device.id,
        hardwareId: device.hardware_id,
        companyId,
        userId: actor.userId,
        why: 'withdrawn',
      });
    }
    // Sessions of that company that had the project selected fall back to "all projects".
    await tx
      .updateTable('sessions')
      .set({ project_id: null })
      .where('project_id', '=', project.id)
      .where('company_id', '=', companyId)
      .execute();
    await recordHistory(tx, at, {
      event: 'project.right_revoked',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      detail: { company: companyId },
    });
    return { projectId: project.id, rights: await rightsOf(tx, project.id) };
  });
}
