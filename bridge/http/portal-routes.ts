import { Hono } from 'hono';
import { z } from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { LoginRequest, LoginResponse } from '../../protocol/portal-api.js';
import { closeSession, portalLogin } from '../core/accounts.js';
import type { Core } from '../core/context.js';
import { acceptInvalidation, confirmationFor } from '../core/invalidation.js';
import { actorOf, requireSession, type AuthEnv } from './auth.js';
import { jsonBody, xmlBody, xmlResponse } from './body.js';

/**
 * The portal API (/api/v1) for people and their scripts. This issue brings the session and the
 * invalidation upload (seed: Upload the invalidation document; Download confirmation file).
 */
export function portalRoutes(core: Core) {
  const app = new Hono<AuthEnv>();
  const user = requireSession(core, ['portal', 'api']);

  app.post('/session', async (c) => {
    const req = await jsonBody(c, LoginRequest);
    return c.json(LoginResponse.parse(await portalLogin(core, req.email, req.password)), 201);
  });

  app.delete('/session', user, async (c) => {
    await closeSession(core, c.req.header('authorization')!.slice('Bearer '.length));
    return c.body(null, 204);
  });

  app.post('/invalidations', user, async (c) => {
    const result = await acceptInvalidation(core, actorOf(c), await xmlBody(c));
    c.header('x-mylic-replay', result.replay ? '1' : '0');
    c.header('x-mylic-document-id', result.confirmation.documentId);
    return xmlResponse(c, result.confirmationXml, `confirmation-${result.confirmation.documentId}.xml`);
  });

  app.get('/invalidations/:documentId/confirmation', user, async (c) => {
    const id = z.uuid().safeParse(c.req.param('documentId'));
    if (!id.success) throw new MylicError('CONFIRMATION_NOT_FOUND');
    return xmlResponse(c, await confirmationFor(core, actorOf(c), id.data), `confirmation-${id.data}.xml`);
  });

  return app;
}
