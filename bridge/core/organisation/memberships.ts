import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { selectedCompany } from '../access.js';
import { findUserByEmail } from '../accounts/index.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';

/**
 * Users of a company (seed: Company → Users). Admins add users by e-mail (optionally admin), lock and
 * unlock them, grant and revoke the admin right, and remove them; the account and its history stay.
 * Everyone else sees a read-only list. A company always keeps one admin who is not locked.
 */
export interface Member {
  userId: number;
  email: string;
  name: string;
  admin: boolean;
  locked: boolean;
  since: string;
}

async function members(tx: Tx, companyId: number): Promise<Member[]> {
  const rows = await tx
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'memberships.is_admin',
      'memberships.is_locked',
      'memberships.created_at',
    ])
    .where('memberships.company_id', '=', companyId)
    .orderBy('memberships.created_at')
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    admin: r.is_admin === 1,
    locked: r.is_locked === 1,
    since: r.created_at,
  }));
}

export async function listMembers(core: Core, actor: Actor) {
  const { companyId, admin } = await selectedCompany(core.store.db, actor);
  return { companyId, editable: admin, users: await members(core.store.db, companyId) };
}

async function asAdmin(tx: Tx, actor: Actor) {
  const { companyId, admin } = await selectedCompany(tx, actor);
  if (!admin) throw new MylicError('FORBIDDEN', 'Only company admins can manage the users of the company.');
  return companyId;
}

async function memberOf(tx: Tx, companyId: number, userId: number) {
  const m = await tx
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'users.email', 'memberships.is_admin', 'memberships.is_locked'])
    .where('memberships.company_id', '=', companyId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
  // A user of another company answers like one that does not exist.
  if (!m) throw new MylicError('USER_NOT_FOUND', 'There is no such user in this company.');
  return m;
}

/** Refuses a change that would leave the company without an admin who can act. */
async function assertAnotherActiveAdmin(tx: Tx, companyId: number, userId: number, what: string) {
  const others = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('company_id', '=', companyId)
    .where('is_admin', '=', 1)
    .where('is_locked', '=', 0)
    .where('user_id', '!=', userId)
    .executeTakeFirst();
  if (!others)
    throw new MylicError(
      'LAST_ADMIN',
      `This is the last company admin who is not locked: they cannot be ${what}. Make another user admin first.`,
    );
}

export async function addMember(core: Core, actor: Actor, email: string, admin: boolean) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const companyId = await asAdmin(tx, actor);
    const user = await findUserByEmail(tx, email);
    if (!user)
      throw new MylicError(
        'USER_NOT_FOUND',
        'There is no account with this e-mail address: the user has to register first.',
      );
    const existing = await tx
      .selectFrom('memberships')
      .select('user_id')
      .where('company_id', '=', companyId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (existing) throw new MylicError('ALREADY_MEMBER');
    await tx
      .insertInto('memberships')
      .values({
        user_id: user.id,
        company_id: companyId,
        is_admin: admin ? 1 : 0,
        is_locked: 0,
        created_at: at,
      })
      .execute();
    await recordHistory(tx, at, {
      event: 'company.user_added',
      companyId,
      userId: actor.userId,
      detail: { user: user.id, email: user.email, admin },
    });
    return {
      userId: user.id,
      email: user.email,
      name: user.name,
      admin,
      locked: false,
      since: at,
    } satisfies Member;
  });
}

export async function updateMember(
  core: Core,
  actor: Actor,
  userId: number,
  change: { admin?: boolean; locked?: boolean },
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const companyId = await asAdmin(tx, actor);
    const m = await memberOf(tx, companyId, userId);
    const admin = change.admin ?? m.is_admin === 1;
    const locked = change.locked ?? m.is_locked === 1;
    const wasActiveAdmin = m.is_admin === 1 && m.is_locked === 0;
    if (wasActiveAdmin && (!admin || locked))
      await assertAnotherActiveAdmin(tx, companyId, userId, !admin ? 'demoted' : 'locked');
    const detail: Record<string, unknown> = { user: userId, email: m.email };
    if (admin !== (m.is_admin === 1)) detail.admin = admin;
    if (locked !== (m.is_locked === 1)) detail.locked = locked;
    if ('admin' in detail || 'locked' in detail) {
      await tx
        .updateTable('memberships')
        .set({ is_admin: admin ? 1 : 0, is_locked: locked ? 1 : 0 })
        .where('company_id', '=', companyId)
        .where('user_id', '=', userId)
        .execute();
      await recordHistory(tx, at, { event: 'company.user_changed', companyId, userId: actor.userId, detail });
    }
    return (await members(tx, companyId)).find((u) => u.userId === userId)!;
  });
}

export async function removeMember(core: Core, actor: Actor, userId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const companyId = await asAdmin(tx, actor);
    const m = await memberOf(tx, companyId, userId);
    if (m.is_admin === 1 && m.is_locked === 0)
      await assertAnotherActiveAdmin(tx, companyId, userId, 'removed');
    await tx
      .deleteFrom('memberships')
      .where('company_id', '=', companyId)
      .where('user_id', '=', userId)
      .execute();
    // The rights they held in this company go with the membership (seed L272; bridge/core/rights.ts).
    await tx
      .deleteFrom('user_rights')
      .where('company_id', '=', companyId)
      .where('user_id', '=', userId)
      .execute();
    // Their sessions no longer have this company (or one of its projects) selected.
    await tx
      .updateTable('sessions')
      .set({ company_id: null, project_id: null })
      .where('user_id', '=', userId)
      .where('company_id', '=', companyId)
      .execute();
    await recordHistory(tx, at, {
      event: 'company.user_removed',
      companyId,
      userId: actor.userId,
      detail: { user: userId, email: m.email },
    });
    return { userId };
  });
}
