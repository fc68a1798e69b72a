import { sql } from 'kysely';
import type { Tx } from '../db/store.js';

/**
 * Units of each license type a company's projects hold, by where they are (ARCHITECTURE §5):
 * activated = balance + bound + free. Used by the operator command and by tests and benchmarks to
 * check conservation after concurrent work.
 */
export interface TypeCounts {
  type: string;
  activated: number;
  balance: number;
  bound: number;
  free: number;
}

export async function companyCounts(tx: Tx, companyId: number): Promise<TypeCounts[]> {
  const projectIds = tx.selectFrom('projects').select('id').where('company_id', '=', companyId);
  const credited = await tx
    .selectFrom('ledger_entries')
    .select(['license_type as type', sql<number>`sum(delta)`.as('units')])
    .where('project_id', 'in', projectIds)
    .where('delta', '>', 0)
    .groupBy('license_type')
    .execute();
  const balance = await tx
    .selectFrom('balances')
    .select(['license_type as type', sql<number>`sum(units)`.as('units')])
    .where('project_id', 'in', projectIds)
    .groupBy('license_type')
    .execute();
  const licenses = await tx
    .selectFrom('licenses')
    .select(['license_type as type', 'state', sql<number>`sum(units)`.as('units')])
    .where('project_id', 'in', projectIds)
    .groupBy(['license_type', 'state'])
    .execute();
  const types = new Set([...credited, ...balance, ...licenses].map((r) => r.type));
  const pick = (rows: { type: string; units: number }[], t: string) => Number(rows.find((r) => r.type === t)?.units ?? 0);
  return [...types].sort().map((type) => ({
    type,
    activated: pick(credited, type),
    balance: pick(balance, type),
    bound: pick(licenses.filter((r) => r.state === 'bound'), type),
    free: pick(licenses.filter((r) => r.state === 'free'), type),
  }));
}
