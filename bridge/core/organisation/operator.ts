import { MylicError } from '../../../protocol/errors.js';
import { creditBalance } from '../ledger.js';
import { catalog } from '../catalog.js';
import { adminOf, findProjectByName } from './companies.js';
import { type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';

/**
 * The vendor's back office. Until activation keys exist (portal-core issue), the operator credits a
 * project's balance directly: the same ledger entry a redeemed key will write.
 */
export async function operatorCredit(
  core: Core,
  companyId: number,
  projectName: string,
  licenseType: string,
  units: number,
  ref: string | null,
) {
  const type = catalog.licenseType(licenseType);
  if (!Number.isInteger(units) || units <= 0) throw new MylicError('AMOUNT_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const project = await findProjectByName(tx, companyId, projectName);
    await creditBalance(tx, at, project.id, type.name, units, 'balance.credited', ref);
    await recordHistory(tx, at, {
      event: 'balance.credited',
      companyId,
      projectId: project.id,
      detail: { type: type.name, units, ref, by: 'operator' },
    });
    return { projectId: project.id, type: type.name, units };
  });
}

/** The operator acts in a company as its first admin, so every rule of the core still applies. */
export async function actAs(core: Core, companyId: number) {
  return { userId: await adminOf(core.store.db, companyId) };
}
