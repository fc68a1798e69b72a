import { formatHardwareId } from '../../../protocol/hardware-id.js';
import { MylicError } from '../../../protocol/errors.js';
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

/**
 * Licenses are added to a device only by the company whose licenses are on it (or by anyone while none
 * are): a second company holding the device must not bind its own licenses next to another company's,
 * which would block that company's V5–V7 downloads, floating license and moves (issue 11 review).
 * `payerCompanyId` is the company that pays for the new licenses (the placement's, also for users
 * acting through project rights).
 */
export async function assertNoLicensesOfOthers(
  tx: Tx,
  device: { id: number; hardware_id: string },
  payerCompanyId: number,
): Promise<void> {
  const bound = await tx
    .selectFrom('licenses')
    .innerJoin('projects', 'projects.id', 'licenses.project_id')
    .select('projects.company_id')
    .where('licenses.device_id', '=', device.id)
    .where('licenses.state', '=', 'bound')
    .where('projects.company_id', '!=', payerCompanyId)
    .executeTakeFirst();
  if (bound) {
    throw new MylicError(
      'LICENSES_OF_ANOTHER_COMPANY',
      `Device ${formatHardwareId(device.hardware_id)} holds licenses of another company that holds it too; only that company adds licenses to it. If the device is yours now, ask that company to move its licenses or return them first.`,
    );
  }
}
