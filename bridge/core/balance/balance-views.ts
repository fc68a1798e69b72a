import type { BalanceOverview, LicenseLine, ProjectBalance } from '../../../protocol/keys-api.js';
import type { Tx } from '../../db/store.js';
import { projectAccess, selectedCompany } from '../access.js';
import type { Actor, Core } from '../context.js';

/**
 * The balance page (seed: Balance): "the balance of the currently selected project or the balance of
 * all your projects together". All projects means the selected company's own projects; projects the
 * company only has rights on are never summed in (seed: "Sharing the balance over several projects is
 * not possible in external projects").
 */

async function balancesOf(tx: Tx, projectIds: number[]): Promise<Map<number, LicenseLine[]>> {
  const out = new Map<number, LicenseLine[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return out;
  const rows = await tx
    .selectFrom('balances')
    .select(['project_id', 'license_type', 'units'])
    .where('project_id', 'in', projectIds)
    .where('units', '>', 0)
    .orderBy('project_id')
    .orderBy('license_type')
    .execute();
  for (const r of rows) out.get(r.project_id)?.push({ type: r.license_type, units: Number(r.units) });
  return out;
}

function sum(lists: LicenseLine[][]): LicenseLine[] {
  const total = new Map<string, number>();
  for (const list of lists) for (const l of list) total.set(l.type, (total.get(l.type) ?? 0) + l.units);
  return [...total]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, units]) => ({ type, units }));
}

/** One project's balance, for anyone who reaches the project (own or through rights). */
export async function projectBalanceView(
  core: Core,
  actor: Actor,
  projectId: number,
): Promise<ProjectBalance> {
  const db = core.store.db;
  const { project, external } = await projectAccess(db, actor, projectId);
  const licenses = (await balancesOf(db, [project.id])).get(project.id) ?? [];
  return {
    projectId: project.id,
    projectName: project.name,
    companyId: project.company_id,
    external,
    licenses,
  };
}

/**
 * `selected`: the selected project's balance, or with none selected the sum over all projects of the
 * selected company; `all`: that sum regardless of the selection.
 */
export async function balanceOverview(
  core: Core,
  actor: Actor,
  opts: { scope?: 'selected' | 'all' } = {},
): Promise<BalanceOverview> {
  const db = core.store.db;
  if (
    (opts.scope ?? 'selected') === 'selected' &&
    actor.projectId !== undefined &&
    actor.projectId !== null
  ) {
    const p = await projectBalanceView(core, actor, actor.projectId);
    return { scope: 'project', companyId: p.companyId, total: p.licenses, projects: [p] };
  }
  const { companyId } = await selectedCompany(db, actor);
  const projects = await db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .execute();
  const balances = await balancesOf(
    db,
    projects.map((p) => p.id),
  );
  const list: ProjectBalance[] = projects.map((p) => ({
    projectId: p.id,
    projectName: p.name,
    companyId,
    external: false,
    licenses: balances.get(p.id) ?? [],
  }));
  return { scope: 'all', companyId, total: sum(list.map((p) => p.licenses)), projects: list };
}
