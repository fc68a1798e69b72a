import { LoginRequest, LoginResponse } from '../../../protocol/portal-api.js';
import { closeSession, portalLogin } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { bearerToken } from '../auth.js';
import { clientAddress } from './accounts-routes.js';
import type { ApiRouter } from './router.js';

/** Log in and out (seed: First steps; Account). */
export function sessionRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'post',
      path: '/session',
      tag: 'Account',
      summary: 'Log in; the first company of the user is selected',
      auth: 'none',
      body: LoginRequest,
      response: LoginResponse,
      status: 201,
    },
    async ({ body, c }) => portalLogin(core, body.email, body.password, clientAddress(c)),
  );
  api.route(
    {
      method: 'delete',
      path: '/session',
      tag: 'Account',
      summary: 'Log out (ends this session or API token; any token may end itself)',
      auth: 'user',
      scope: 'any-token',
      status: 204,
    },
    async ({ c }) => {
      await closeSession(core, bearerToken(c.req.header('authorization'))!);
      return undefined;
    },
  );
}
