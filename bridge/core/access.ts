import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';

/**
 * Tenant walls. A user reaches a project only through a membership of its company that is not locked
 * (seed: Company → Users, "Locked users can't login"). Every core service that touches a project or a
 * device asks here first; nothing else decides who may see what.
 */
export async function accessibleProjectIds(tx: Tx, userId: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .select('projects.id')
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_locked', '=', 0)
    .execute();
  return rows.map((r) => r.id);
}

export async function assertProjectAccess(tx: Tx, userId: number, projectId: number) {
  const project = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .selectAll('projects')
    .select(['memberships.is_locked'])
    .where('memberships.user_id', '=', userId)
    .where('projects.id', '=', projectId)
    .executeTakeFirst();
  // A project of another company answers exactly like one that does not exist: no probing across walls.
  if (!project) throw new MylicError('PROJECT_NOT_FOUND');
  if (project.is_locked) throw new MylicError('USER_LOCKED');
  return project;
}

/** The placement of a device in one of the user's projects, or DEVICE_NOT_IN_PROJECTS. */
export async function devicePlacementFor(tx: Tx, userId: number, deviceId: number) {
  const row = await tx
    .selectFrom('device_projects')
    .innerJoin('projects', 'projects.id', 'device_projects.project_id')
    .innerJoin('memberships', 'memberships.company_id', 'device_projects.company_id')
    .innerJoin('companies', 'companies.id', 'device_projects.company_id')
    .select([
      'device_projects.project_id as projectId',
      'projects.name as projectName',
      'device_projects.company_id as companyId',
      'companies.name as companyName',
    ])
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_locked', '=', 0)
    .where('device_projects.device_id', '=', deviceId)
    .orderBy('device_projects.added_at')
    .executeTakeFirst();
  if (!row) throw new MylicError('DEVICE_NOT_IN_PROJECTS');
  return row;
}

export interface ProjectAccess {
  project: { id: number; company_id: number; name: string; description: string; ssa_end: string | null };
  /**
   * true when the user reaches the project through rights granted to their company (seed: Projects →
   * Rights): they may add devices, licenses and keys, but not remove devices, edit the project, create
   * activation keys from its balance or share balance.
   */
  external: boolean;
  /** Company admin of the project's own company (never for external access). */
  admin: boolean;
}

/** How the actor reaches a project, or PROJECT_NOT_FOUND (another company's project looks absent). */
export async function projectAccess(tx: Tx, actor: { userId: number; companyId?: number | null }, projectId: number): Promise<ProjectAccess> {
  const own = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .select(['projects.id', 'projects.company_id', 'projects.name', 'projects.description', 'projects.ssa_end', 'memberships.is_admin', 'memberships.is_locked'])
    .where('memberships.user_id', '=', actor.userId)
    .where('projects.id', '=', projectId)
    .executeTakeFirst();
  if (own) {
    if (own.is_locked) throw new MylicError('USER_LOCKED');
    const { is_admin, is_locked: _l, ...project } = own;
    return { project, external: false, admin: is_admin === 1 };
  }
  throw new MylicError('PROJECT_NOT_FOUND');
}

/** The company the session has selected, checked against the membership now (it may have been locked since). */
export async function selectedCompany(tx: Tx, actor: { userId: number; companyId?: number | null }) {
  if (actor.companyId === undefined || actor.companyId === null) throw new MylicError('COMPANY_NOT_FOUND', 'Select a company first (or create one).');
  const m = await tx
    .selectFrom('memberships')
    .select(['company_id', 'is_admin', 'is_locked'])
    .where('user_id', '=', actor.userId)
    .where('company_id', '=', actor.companyId)
    .executeTakeFirst();
  if (!m) throw new MylicError('COMPANY_NOT_FOUND');
  if (m.is_locked) throw new MylicError('USER_LOCKED');
  return { companyId: m.company_id, admin: m.is_admin === 1 };
}
