import { sql } from 'kysely';
import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';

/**
 * Every ledger reason (`ledger_entries.reason`): one closed list, so every credit and debit names a
 * member (tsc checks it) and the conservation report (balance/ledger-report.ts) derives from it. Reasons
 * are stored as they are: never rename one, existing databases hold them.
 */
export const LEDGER_REASONS = [
  // the operator's credit (organisation/operator.ts)
  'balance.credited',
  // keys: a key redeemed into a project; own keys made from, added to, taken back into, deleted into a balance
  'key.redeemed',
  'key.created',
  'key.added',
  'key.returned',
  'key.deleted',
  // licenses: units bound to a device (new, floating, warranty), bought on credit (ref `on-credit:<order>`)
  'license.bound',
  'license.on-credit',
  // free licenses: converted back into the balance, exchanged for another version's type
  'free.converted',
  'license.exchanged',
  // floating licenses: issued (credit + bind), deleted (credit back + withdrawn)
  'floating.issued',
  'floating.deleted',
  'license.withdrawn',
  // SSC: spent on SSA, bought on credit (ref `on-credit:<order>`)
  'ssc.spent',
  'ssc.on-credit',
  // the old license manager's import (legacy/legacy-import.ts): old balances and licenses coming in
  'legacy.imported',
  // myplay, the sandbox portal (play/): self-service balance and licenses added on a device (new units);
  // a license put back into the balance ('B', and the first half of 'D'); a license deleted ('D': its
  // units, put back into the balance, are debited out of it and leave the company)
  'play.credited',
  'play.returned',
  'play.deleted',
] as const;
export type LedgerReason = (typeof LEDGER_REASONS)[number];

/**
 * The groups the conservation report needs (activated = balance + bound + free + inKeys):
 * - internal credits: units that were already the company's come back into a balance (a free license
 *   converted, a deleted floating license on its way out): not activated again;
 * - key credits: a balance credited from a key; internal moves when the key is the company's own;
 * - units that left the company: SSC spent on SSA, a free license's old type exchanged for another
 *   version's (the new type comes in as a credit with the same reason), a floating license withdrawn.
 */
export const INTERNAL_CREDIT_REASONS = [
  'free.converted',
  'floating.deleted',
  'play.returned',
] as const satisfies readonly LedgerReason[];
export const KEY_CREDIT_REASONS = [
  'key.redeemed',
  'key.returned',
  'key.deleted',
] as const satisfies readonly LedgerReason[];
export const LEFT_COMPANY_REASONS = [
  'ssc.spent',
  'license.exchanged',
  'license.withdrawn',
  'play.deleted',
] as const satisfies readonly LedgerReason[];

/**
 * The balance ledger (ARCHITECTURE §5). A project's balance of a license type changes only here, and
 * every change is a ledger entry in the caller's transaction. The balance row is a running sum of the
 * entries; `units >= 0` is also a CHECK in the database, so no path can overspend even by mistake.
 */
export async function creditBalance(
  tx: Tx,
  at: string,
  projectId: number,
  licenseType: string,
  units: number,
  reason: LedgerReason,
  ref: string | null,
) {
  if (!Number.isInteger(units) || units <= 0) throw new MylicError('AMOUNT_INVALID');
  await tx
    .insertInto('balances')
    .values({ project_id: projectId, license_type: licenseType, units })
    .onConflict((oc) =>
      oc.columns(['project_id', 'license_type']).doUpdateSet({ units: sql`balances.units + ${units}` }),
    )
    .execute();
  await tx
    .insertInto('ledger_entries')
    .values({ project_id: projectId, license_type: licenseType, delta: units, reason, ref, created_at: at })
    .execute();
}

export async function debitBalance(
  tx: Tx,
  at: string,
  projectId: number,
  licenseType: string,
  units: number,
  reason: LedgerReason,
  ref: string | null,
) {
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
    throw new MylicError(
      'BALANCE_INSUFFICIENT',
      `The project has ${have} ${licenseType}, ${units} are needed.`,
      { licenseType, available: have, needed: units },
    );
  }
  await tx
    .insertInto('ledger_entries')
    .values({ project_id: projectId, license_type: licenseType, delta: -units, reason, ref, created_at: at })
    .execute();
}

export async function balanceOf(tx: Tx, projectId: number, licenseType: string): Promise<number> {
  const row = await tx
    .selectFrom('balances')
    .select('units')
    .where('project_id', '=', projectId)
    .where('license_type', '=', licenseType)
    .executeTakeFirst();
  return row?.units ?? 0;
}

export async function projectBalance(tx: Tx, projectId: number) {
  return tx
    .selectFrom('balances')
    .select(['license_type as type', 'units'])
    .where('project_id', '=', projectId)
    .where('units', '>', 0)
    .orderBy('license_type')
    .execute();
}
