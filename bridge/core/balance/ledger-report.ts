import { sql } from 'kysely';
import type { Tx } from '../../db/store.js';
import { unitsInKeys } from '../keys/index.js';
import { INTERNAL_CREDIT_REASONS, KEY_CREDIT_REASONS, LEFT_COMPANY_REASONS } from '../ledger.js';

/**
 * Units of each license type a company holds, by where they are (ARCHITECTURE §5):
 * activated = balance + bound + free + inKeys. Used by the operator command and by tests and benchmarks
 * to check conservation after concurrent work.
 *
 * `activated` is counted from the ledger, independently of where the units are now: every credit to
 * one of the company's balances, except credits from the company's own keys (units coming back from a
 * key, or an own key redeemed inside the company: internal moves), minus the units of its own keys that
 * were redeemed into another company's project (they left the company), minus the SSC spent on SSA
 * and the license units exchanged for another version or withdrawn (`spent`: they left the company too).
 * Credits of units that were the company's already (a free license converted back, a floating license
 * on its way out) are not activations. The reason groups are named in the kernel's ledger.ts
 * (INTERNAL_CREDIT_REASONS, KEY_CREDIT_REASONS, LEFT_COMPANY_REASONS). `inKeys` is what the company's
 * unredeemed own keys hold.
 */
export interface TypeCounts {
  type: string;
  activated: number;
  balance: number;
  bound: number;
  free: number;
  inKeys: number;
}

export async function companyCounts(tx: Tx, companyId: number): Promise<TypeCounts[]> {
  const projectIds = tx.selectFrom('projects').select('id').where('company_id', '=', companyId);
  const credited = await tx
    .selectFrom('ledger_entries')
    .select(['license_type as type', sql<number>`sum(delta)`.as('units')])
    .where('project_id', 'in', projectIds)
    .where('delta', '>', 0)
    // Units that were the company's already (free license converted, floating license deleted): ledger.ts.
    .where('reason', 'not in', [...INTERNAL_CREDIT_REASONS])
    .where((eb) =>
      eb.not(
        eb.and([
          eb('reason', 'in', [...KEY_CREDIT_REASONS]),
          eb.exists(
            eb
              .selectFrom('activation_keys')
              .select('activation_keys.id')
              .whereRef('activation_keys.ref', '=', 'ledger_entries.ref')
              .where('activation_keys.company_id', '=', companyId),
          ),
        ]),
      ),
    )
    .groupBy('license_type')
    .execute();
  // Own keys redeemed into a project of another company: their units left this company.
  const transferredOut = await tx
    .selectFrom('activation_key_entries')
    .innerJoin('activation_keys', 'activation_keys.id', 'activation_key_entries.key_id')
    .innerJoin('projects', 'projects.id', 'activation_key_entries.project_id')
    .select([
      'activation_key_entries.license_type as type',
      sql<number>`sum(-activation_key_entries.delta)`.as('units'),
    ])
    .where('activation_keys.company_id', '=', companyId)
    .where('activation_key_entries.reason', '=', 'key.redeemed')
    .where('projects.company_id', '<>', companyId)
    .groupBy('activation_key_entries.license_type')
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
  const inKeys = await unitsInKeys(tx, companyId);
  const spent = await tx
    .selectFrom('ledger_entries')
    .select(['license_type as type', sql<number>`sum(-delta)`.as('units')])
    .where('project_id', 'in', projectIds)
    // SSC spent, a free license's old type exchanged and a floating license withdrawn (ledger.ts).
    .where('reason', 'in', [...LEFT_COMPANY_REASONS])
    .where('delta', '<', 0)
    .groupBy('license_type')
    .execute();
  const types = new Set(
    [...credited, ...transferredOut, ...balance, ...licenses, ...inKeys, ...spent].map((r) => r.type),
  );
  const pick = (rows: { type: string; units: number }[], t: string) =>
    Number(rows.find((r) => r.type === t)?.units ?? 0);
  return [...types].sort().map((type) => ({
    type,
    activated: pick(credited, type) - pick(transferredOut, type) - pick(spent, type),
    balance: pick(balance, type),
    bound: pick(
      licenses.filter((r) => r.state === 'bound'),
      type,
    ),
    free: pick(
      licenses.filter((r) => r.state === 'free'),
      type,
    ),
    inKeys: pick(inKeys, type),
  }));
}
