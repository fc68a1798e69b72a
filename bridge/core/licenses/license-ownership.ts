import type { Tx } from '../../db/store.js';

/**
 * Licenses belong to the company that paid for them (issue 11): the company of the license's project
 * (`licenses.project_id`, the paying project, which moves only with the company's own device moves and
 * joins). A device can be held by several companies (seed: Warnings, "Several Companies": "you will have
 * access to all of its current licenses"); that access is to see them and download the device's license
 * file, nothing more. Whatever moves value — moving licenses to another device, deleting a license,
 * making licenses non-returnable — acts only on licenses owned by the company through whose placement
 * the caller reaches the device.
 */
export async function ownerOfProjects(tx: Tx, projectIds: readonly number[]): Promise<Map<number, number>> {
  if (!projectIds.length) return new Map();
  const rows = await tx
    .selectFrom('projects')
    .select(['id', 'company_id'])
    .where('id', 'in', [...new Set(projectIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.company_id]));
}

/** Splits licenses into those `companyId` owns and those of other companies. */
export async function splitByOwner<L extends { project_id: number }>(
  tx: Tx,
  licenses: readonly L[],
  companyId: number,
): Promise<{ own: L[]; others: L[] }> {
  const owner = await ownerOfProjects(
    tx,
    licenses.map((l) => l.project_id),
  );
  const own: L[] = [];
  const others: L[] = [];
  for (const l of licenses) (owner.get(l.project_id) === companyId ? own : others).push(l);
  return { own, others };
}
