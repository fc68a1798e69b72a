import type { Context, MiddlewareHandler } from 'hono';
import { MylicError } from '../../protocol/errors.js';
import { resolveSession, type SessionKind, type SessionInfo } from '../core/accounts.js';
import type { Actor, Core } from '../core/context.js';

export type AuthEnv = { Variables: { actor: Actor; session: SessionInfo } };

/** Bearer-token authentication for the given session kinds; sets the actor for the route. */
export function requireSession(core: Core, kinds: readonly SessionKind[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
    if (!m) throw new MylicError('UNAUTHENTICATED');
    const session = await resolveSession(core, m[1]!, kinds);
    c.set('session', session);
    c.set(
      'actor',
      session.deviceId !== null
        ? { userId: session.userId, deviceId: session.deviceId }
        : { userId: session.userId, companyId: session.companyId, projectId: session.projectId, sessionHash: session.tokenHash },
    );
    await next();
  };
}

export const actorOf = (c: Context<AuthEnv>): Actor => c.get('actor');
