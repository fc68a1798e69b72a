import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import * as z from 'zod';
import {
  ActivateQuery,
  ActivateResponse,
  ApiTokenCreated,
  ApiTokenList,
  ApiTokenRequest,
  EmailChangeRequest,
  EmailChangeResponse,
  Profile,
  ProfileChangeRequest,
  RegisterRequest,
  RegisterResponse,
} from '../../../protocol/account-api.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../core/api-tokens.js';
import type { Core } from '../../core/context.js';
import { changeEmail, getProfile, updateProfile } from '../../core/profile.js';
import { activate, register } from '../../core/registration.js';
import type { ApiRouter } from './router.js';

/** The client's address for rate limits; none when the app runs in-process (tests). */
export function clientAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Seed: First steps (register, activation mail), Account (personal data, password, e-mail, language, mails). */
export function accountRoutes(api: ApiRouter, core: Core) {
  api.route(
    { method: 'post', path: '/accounts', tag: 'Account', summary: 'Register; an activation mail with a one-time link is sent (for an address whose registration is not activated yet: a fresh link, the earlier ones stop working)', auth: 'none', body: RegisterRequest, response: RegisterResponse, status: 201 },
    async ({ body, c }) => ({ ...(await register(core, body, clientAddress(c))), activationSent: true as const }),
  );
  api.route(
    { method: 'get', path: '/account/activate', tag: 'Account', summary: 'Activate the account (the link of the activation mail)', auth: 'none', query: ActivateQuery, response: ActivateResponse },
    async ({ query }) => activate(core, query.token),
  );
  api.route({ method: 'get', path: '/account', tag: 'Account', summary: 'Your account, companies and selection', auth: 'user', response: Profile }, async ({ actor }) => getProfile(core, actor));
  api.route(
    { method: 'patch', path: '/account', tag: 'Account', summary: 'Change personal data, password, language or mail preference (current password required; wrong ones count like failed logins)', auth: 'user', body: ProfileChangeRequest, response: Profile },
    async ({ actor, body, c }) => updateProfile(core, actor, body, clientAddress(c)),
  );
  api.route(
    { method: 'post', path: '/account/email', tag: 'Account', summary: 'Change the e-mail address; the account must be activated again from the new address', auth: 'user', body: EmailChangeRequest, response: EmailChangeResponse, status: 202 },
    async ({ actor, body, c }) => ({ ...(await changeEmail(core, actor, body.currentPassword, body.newEmail, clientAddress(c))), activationSent: true as const }),
  );
  api.route(
    { method: 'post', path: '/account/tokens', tag: 'Account', summary: 'Create an API token for scripts (bound to the selected company)', auth: 'user', body: ApiTokenRequest, response: ApiTokenCreated, status: 201 },
    async ({ actor, body }) => createApiToken(core, actor, body.label),
  );
  api.route({ method: 'get', path: '/account/tokens', tag: 'Account', summary: 'List your API tokens', auth: 'user', response: ApiTokenList }, async ({ actor }) => listApiTokens(core, actor));
  api.route(
    { method: 'delete', path: '/account/tokens/:id', tag: 'Account', summary: 'Revoke an API token', auth: 'user', params: z.object({ id: z.string().max(64) }), status: 204 },
    async ({ actor, params }) => {
      await revokeApiToken(core, actor, params.id);
      return undefined;
    },
  );
}
