import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';
import { placementQuery } from '../db/device-path-queries.js';
import type { Device } from '../db/schema.js';
import { catalog, type DeviceType } from './catalog.js';
import type { Actor } from './context.js';

/**
 * Tenant walls. A user reaches a project only through a membership of its company that is not locked
 * (seed: Company → Users, "Locked users can't login"). Every core service that touches a project or a
 * device asks here first; nothing else decides who may see what.
 */
export async function accessibleProjectIds(
  tx: Tx,
  userId: number,
  selectedCompanyId?: number | null,
): Promise<number[]> {
  const rows = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .select('projects.id')
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_locked', '=', 0)
    .where('projects.deleted_at', 'is', null)
    .execute();
  const ids = rows.map((r) => r.id);
  // Projects of other companies reached through rights granted to the selected company (seed: Projects →
  // Rights). Only the selected company's rights count: rights belong to a company, not to its users.
  if (selectedCompanyId !== undefined && selectedCompanyId !== null) {
    for (const id of await externalProjectIds(tx, userId, selectedCompanyId))
      if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Projects granted to `companyId` by other companies, if the user is an unlocked member of it. */
export async function externalProjectIds(tx: Tx, userId: number, companyId: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('project_rights')
    .innerJoin('memberships', 'memberships.company_id', 'project_rights.grantee_company_id')
    .select('project_rights.project_id')
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_locked', '=', 0)
    .where('project_rights.grantee_company_id', '=', companyId)
    .orderBy('project_rights.project_id')
    .execute();
  return rows.map((r) => r.project_id);
}

export async function assertProjectAccess(tx: Tx, userId: number, projectId: number) {
  const project = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .selectAll('projects')
    .select(['memberships.is_locked'])
    .where('memberships.user_id', '=', userId)
    .where('projects.id', '=', projectId)
    .where('projects.deleted_at', 'is', null)
    .executeTakeFirst();
  // A project of another company answers exactly like one that does not exist: no probing across walls.
  if (!project) throw new MylicError('PROJECT_NOT_FOUND');
  if (project.is_locked) throw new MylicError('USER_LOCKED');
  return project;
}

/**
 * The placement of a device in one of the user's projects; USER_LOCKED when the user reaches it only
 * through a company that locked them (issue 11: the same answer on every route), else
 * DEVICE_NOT_IN_PROJECTS.
 */
export async function devicePlacementFor(tx: Tx, userId: number, deviceId: number) {
  const row = (await placementQuery(tx, { userId, deviceId })).rows[0];
  if (row) return row;
  const locked = await tx
    .selectFrom('device_projects')
    .innerJoin('memberships', 'memberships.company_id', 'device_projects.company_id')
    .select('device_projects.company_id')
    .where('memberships.user_id', '=', userId)
    .where('memberships.is_locked', '=', 1)
    .where('device_projects.device_id', '=', deviceId)
    .executeTakeFirst();
  throw new MylicError(locked ? 'USER_LOCKED' : 'DEVICE_NOT_IN_PROJECTS');
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

/**
 * How the actor reaches a project, or PROJECT_NOT_FOUND (another company's project looks absent).
 * Through a membership of the project's company (admin as the membership says), or else through rights
 * the owning company granted to the actor's selected company (`external`, never admin). A user locked in
 * the owning company who reaches the project in no other way gets USER_LOCKED.
 */
export async function projectAccess(
  tx: Tx,
  actor: { userId: number; companyId?: number | null },
  projectId: number,
): Promise<ProjectAccess> {
  const own = await tx
    .selectFrom('projects')
    .innerJoin('memberships', 'memberships.company_id', 'projects.company_id')
    .select([
      'projects.id',
      'projects.company_id',
      'projects.name',
      'projects.description',
      'projects.ssa_end',
      'memberships.is_admin',
      'memberships.is_locked',
    ])
    .where('memberships.user_id', '=', actor.userId)
    .where('projects.id', '=', projectId)
    .where('projects.deleted_at', 'is', null)
    .executeTakeFirst();
  if (own && !own.is_locked) {
    const { is_admin, is_locked: _l, ...project } = own;
    return { project, external: false, admin: is_admin === 1 };
  }
  if (actor.companyId !== undefined && actor.companyId !== null) {
    const granted = await tx
      .selectFrom('project_rights')
      .innerJoin('projects', 'projects.id', 'project_rights.project_id')
      .innerJoin('memberships', 'memberships.company_id', 'project_rights.grantee_company_id')
      .select([
        'projects.id',
        'projects.company_id',
        'projects.name',
        'projects.description',
        'projects.ssa_end',
        'memberships.is_locked',
      ])
      .where('project_rights.project_id', '=', projectId)
      .where('project_rights.grantee_company_id', '=', actor.companyId)
      .where('memberships.user_id', '=', actor.userId)
      .where('projects.deleted_at', 'is', null)
      .executeTakeFirst();
    if (granted) {
      if (granted.is_locked) throw new MylicError('USER_LOCKED');
      const { is_locked: _l, ...project } = granted;
      return { project, external: true, admin: false };
    }
  }
  if (own) throw new MylicError('USER_LOCKED');
  throw new MylicError('PROJECT_NOT_FOUND');
}

/** projectAccess for actions that external users may not do (seed: Rights, "restricted in removing devices, editing the project"). */
export async function ownProjectAccess(
  tx: Tx,
  actor: { userId: number; companyId?: number | null },
  projectId: number,
  action: string,
): Promise<ProjectAccess> {
  const access = await projectAccess(tx, actor, projectId);
  if (access.external)
    throw new MylicError('FORBIDDEN', `Users of a company with rights on this project cannot ${action}.`);
  return access;
}

/**
 * The projects the other pages work on (seed: Projects, "This selection is then true for all other
 * pages"): the selected project, or with none selected every project of the selected company plus the
 * projects granted to it.
 */
export async function projectScope(
  tx: Tx,
  actor: { userId: number; companyId?: number | null; projectId?: number | null },
): Promise<number[]> {
  if (actor.projectId !== undefined && actor.projectId !== null) {
    await projectAccess(tx, actor, actor.projectId);
    return [actor.projectId];
  }
  const { companyId } = await selectedCompany(tx, actor);
  const own = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return [...own.map((r) => r.id), ...(await externalProjectIds(tx, actor.userId, companyId))];
}

/**
 * USER_LOCKED for a user locked out of the session's company context: locked in the selected company,
 * or, with none selected, locked in every company they belong to (a login selects only a company where
 * the user is not locked). The portal router asks this before any route that needs a company reads its
 * input, so a locked member gets USER_LOCKED on every such route (issue 11) instead of COMPANY_NOT_FOUND
 * from some and USER_LOCKED from others. Anything else (no membership at all, or an unlocked one) is left
 * to the route.
 */
export async function assertNotLockedOut(
  tx: Tx,
  actor: { userId: number; companyId?: number | null },
): Promise<void> {
  const selected = actor.companyId ?? null;
  let q = tx.selectFrom('memberships').select('is_locked').where('user_id', '=', actor.userId);
  q = selected === null ? q.orderBy('is_locked').limit(1) : q.where('company_id', '=', selected);
  const m = await q.executeTakeFirst();
  if (m?.is_locked !== 1) return;
  throw new MylicError(
    'USER_LOCKED',
    selected === null ? 'Your account is locked in every company you belong to.' : undefined,
  );
}

/** The company the session has selected, checked against the membership now (it may have been locked since). */
export async function selectedCompany(tx: Tx, actor: { userId: number; companyId?: number | null }) {
  if (actor.companyId === undefined || actor.companyId === null)
    throw new MylicError('COMPANY_NOT_FOUND', 'Select a company first (or create one).');
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

// ---------------------------------------------------------------------------------------------
// the portal's wall around a device (used by the licenses and devices areas)

export interface DeviceAccess {
  device: Device;
  type: DeviceType;
  placement: { projectId: number; projectName: string; companyId: number };
  access: ProjectAccess;
}

/**
 * A device the portal user reaches: placed in a project they reach (own, or through rights granted to
 * the selected company), the selected company's placement first. Another company's device answers
 * DEVICE_NOT_FOUND, exactly like one that does not exist; a member locked in the only company that
 * holds it gets USER_LOCKED.
 */
export async function deviceForActor(tx: Tx, actor: Actor, deviceId: number): Promise<DeviceAccess> {
  const device = await tx.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!device) throw new MylicError('DEVICE_NOT_FOUND');
  const placements = await tx
    .selectFrom('device_projects')
    .select(['project_id', 'company_id'])
    .where('device_id', '=', deviceId)
    .orderBy('added_at')
    .execute();
  placements.sort(
    (a, b) => Number(b.company_id === actor.companyId) - Number(a.company_id === actor.companyId),
  );
  let locked = false;
  for (const p of placements) {
    try {
      const access = await projectAccess(tx, actor, p.project_id);
      return {
        device,
        type: catalog.deviceType(device.device_type),
        placement: { projectId: p.project_id, projectName: access.project.name, companyId: p.company_id },
        access,
      };
    } catch (e) {
      if (!(e instanceof MylicError) || !['PROJECT_NOT_FOUND', 'USER_LOCKED'].includes(e.code)) throw e;
      locked ||= e.code === 'USER_LOCKED';
    }
  }
  if (locked) throw new MylicError('USER_LOCKED');
  throw new MylicError('DEVICE_NOT_FOUND');
}
