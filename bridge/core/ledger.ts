import { sql } from 'kysely';
import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';

/**
 * The balance ledger (ARCHITECTURE §5). A project's balance of a license type changes only here, and
 * every change is a ledger entry in the caller's transaction. The balance row is a running sum of the
 * entries; `units >= 0` is also a CHECK in the database, so no path can overspend even by mistake.
 */
export async function creditBalance(tx: Tx, at: string, projectId: number, licenseType: string, units: number, reason: string, ref: string | null) {
  if (!Number.isInteger(units) || units <= 0) throw new MylicError('AMOUNT_INVALID');
  await tx
    .insertInto('balances')
    .values({ project_id: projectId, license_type: licenseType, units })
    .onConflict((oc) => oc.columns(['project_id', 'license_type']).doUpdateSet({ units: sql`balances.units + ${units}` }))
    .execute();
  await tx.insertInto('ledger_entries').values({ project_id: projectId, license_type: licenseType, delta: units, reason, ref, created_at: at }).execute();
}

export async function debitBalance(tx: Tx, at: string, projectId: number, licenseType: string, units: number, reason: string, ref: string | null) {
  if (!Number.isInteger(units) || units <= 0) throw new MylicError('AMOUNT_INVALID');
  // A conditional update: it either takes the units or touches nothing, in one statement.
  const result = await tx
    .updateTable('balances')
    .set({ units: sql`units - ${units}` })
    .where('project_id', '=', projectId)
    .where('license_type', '=', licenseType)
    .where('units', '>=', units)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    const have = await balanceOf(tx, projectId, licenseType);
    throw new MylicError('BALANCE_INSUFFICIENT', `The project has ${have} ${licenseType}, ${units} are needed.`, { licenseType, available: have, needed: units });
  }
  await tx.insertInto('ledger_entries').values({ project_id: projectId, license_type: licenseType, delta: -units, reason, ref, created_at: at }).execute();
}

export async function balanceOf(tx: Tx, projectId: number, licenseType: string): Promise<number> {
  const row = await tx.selectFrom('balances').select('units').where('project_id', '=', projectId).where('license_type', '=', licenseType).executeTakeFirst();
  return row?.units ?? 0;
}

export async function projectBalance(tx: Tx, projectId: number) {
  return tx.selectFrom('balances').select(['license_type as type', 'units']).where('project_id', '=', projectId).where('units', '>', 0).orderBy('license_type').execute();
}
