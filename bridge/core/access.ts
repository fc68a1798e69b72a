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
