import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';
import { type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * Rights a user holds beyond company membership, granted by the vendor's back office (seed: Request
 * certificate "If you have the needed rights"; Check status of a device "with the needed right";
 * buying on credit; moving licenses of RMA devices).
 *
 * Held per membership (seed L272: "A user can be member of several companies and the users rights,
 * company admin and locked status can be different for all companies, where this user is in"; issue 15
 * item 12): a right in company A does nothing in company B, and nothing in a company where the user is
 * locked. Migration 016 gave every right held before to each company the user belonged to then.
 */
export const USER_RIGHTS = [
  'request-certificate',
  'check-foreign-device',
  'buy-on-credit',
  'move-licenses',
] as const;
export type UserRight = (typeof USER_RIGHTS)[number];

export function parseRight(s: string): UserRight {
  if (!(USER_RIGHTS as readonly string[]).includes(s))
    throw new MylicError('VALIDATION_FAILED', `Unknown right "${s}" (known: ${USER_RIGHTS.join(', ')}).`);
  return s as UserRight;
}

/**
 * Whether the user holds `right` in `companyId`, as an unlocked member of it. The company is the one the
 * action is for (the paying company, the company whose licenses move, the selected company); with none
 * (null) the answer is no. Callers not yet passing a company (undefined) get "in any company where the
 * user is an unlocked member", the old per-account reading — to be replaced by the company they act for.
 */
export async function hasRight(
  tx: Tx,
  userId: number,
  right: UserRight,
  companyId?: number | null,
): Promise<boolean> {
  if (companyId === null) return false;
  let q = tx
    .selectFrom('user_rights')
    .innerJoin('memberships', (j) =>
      j
        .onRef('memberships.user_id', '=', 'user_rights.user_id')
        .onRef('memberships.company_id', '=', 'user_rights.company_id'),
    )
    .select('user_rights.user_id')
    .where('user_rights.user_id', '=', userId)
    .where('user_rights.user_right', '=', right)
    .where('memberships.is_locked', '=', 0);
  if (companyId !== undefined) q = q.where('user_rights.company_id', '=', companyId);
  return !!(await q.executeTakeFirst());
}

/** The rights the user holds in each company, for the operator's view. */
export async function rightsOf(tx: Tx, userId: number): Promise<{ companyId: number; right: UserRight }[]> {
  const rows = await tx
    .selectFrom('user_rights')
    .select(['company_id', 'user_right'])
    .where('user_id', '=', userId)
    .orderBy('company_id')
    .orderBy('user_right')
    .execute();
  return rows.map((r) => ({ companyId: r.company_id, right: r.user_right as UserRight }));
}

/**
 * Grants or revokes `right` for the user's membership in `companyId`; without a company, in every
 * company the user belongs to now (a company joined later does not get it). COMPANY_NOT_FOUND when the
 * user is not a member of that company (or of any).
 */
export async function setRight(
  core: Core,
  userId: number,
  right: UserRight,
  granted: boolean,
  companyId?: number,
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new MylicError('USER_NOT_FOUND');
    let q = tx.selectFrom('memberships').select('company_id').where('user_id', '=', userId);
    if (companyId !== undefined) q = q.where('company_id', '=', companyId);
    const companies = (await q.orderBy('company_id').execute()).map((m) => m.company_id);
    if (!companies.length)
      throw new MylicError(
        'COMPANY_NOT_FOUND',
        companyId === undefined
          ? `User ${userId} belongs to no company: rights are held per company.`
          : `User ${userId} is not a member of company ${companyId}.`,
      );
    for (const company of companies) {
      if (granted) {
        await tx
          .insertInto('user_rights')
          .values({ user_id: userId, company_id: company, user_right: right, granted_at: at })
          .onConflict((oc) => oc.doNothing())
          .execute();
      } else {
        await tx
          .deleteFrom('user_rights')
          .where('user_id', '=', userId)
          .where('company_id', '=', company)
          .where('user_right', '=', right)
          .execute();
      }
      await recordHistory(tx, at, {
        event: granted ? 'user.right_granted' : 'user.right_revoked',
        userId,
        companyId: company,
        detail: { right, by: 'operator' },
      });
    }
    return { userId, right, granted, companyIds: companies };
  });
}
