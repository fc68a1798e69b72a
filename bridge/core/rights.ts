import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';
import { type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * Rights a user holds beyond company membership, granted by the vendor's back office (seed: Request
 * certificate "If you have the needed rights"; Check status of a device "with the needed right";
 * buying on credit; moving licenses of RMA devices).
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

export async function hasRight(tx: Tx, userId: number, right: UserRight): Promise<boolean> {
  const row = await tx
    .selectFrom('user_rights')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('user_right', '=', right)
    .executeTakeFirst();
  return !!row;
}

export async function setRight(core: Core, userId: number, right: UserRight, granted: boolean) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new MylicError('USER_NOT_FOUND');
    if (granted) {
      await tx
        .insertInto('user_rights')
        .values({ user_id: userId, user_right: right, granted_at: at })
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await tx
        .deleteFrom('user_rights')
        .where('user_id', '=', userId)
        .where('user_right', '=', right)
        .execute();
    }
    await recordHistory(tx, at, {
      event: granted ? 'user.right_granted' : 'user.right_revoked',
      userId,
      detail: { right, by: 'operator' },
    });
    return { userId, right, granted };
  });
}
