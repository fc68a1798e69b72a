import type { Context, MiddlewareHandler } from 'hono';
import { MylicError } from '../../protocol/errors.js';
import { resolveSession, type SessionKind, type SessionInfo } from '../core/accounts/index.js';
import type { Actor, Core } from '../core/context.js';

export type AuthEnv = { Variables: { actor: Actor; session: SessionInfo } };

/**
 * The token of an `Authorization: Bearer <token>` header, or null. The scheme name is case-insensitive
 * (RFC 9110 §11.1: `bearer`, `BEARER` are the same scheme).
 */
export function bearerToken(header: string | undefined): string | null {
  const m = /^bearer ([A-Za-z0-9_-]{20,200})$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** Bearer-token authentication for the given session kinds; sets the actor for the route. */
export function requireSession(core: Core, kinds: readonly SessionKind[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new MylicError('UNAUTHENTICATED');
    const session = await resolveSession(core, token, kinds);
    c.set('session', session);
    c.set(
      'actor',
      session.deviceId !== null
        ? { userId: session.userId, deviceId: session.deviceId }
        : {
            userId: session.userId,
            companyId: session.companyId,
            projectId: session.projectId,
            sessionHash: session.tokenHash,
          },
    );
    await next();
  };
}

export const actorOf = (c: Context<AuthEnv>): Actor => c.get('actor');
