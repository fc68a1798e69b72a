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
  PasswordResetConfirm,
  PasswordResetDone,
  PasswordResetRequest,
  PasswordResetRequested,
  Profile,
  ProfileChangeRequest,
  RegisterRequest,
  RegisterResponse,
} from '../../../protocol/account-api.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { confirmPasswordReset, requestPasswordReset } from '../../core/accounts/index.js';
import { changeEmail, getProfile, updateProfile } from '../../core/accounts/index.js';
import { activate, register } from '../../core/accounts/index.js';
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
    {
      method: 'post',
      path: '/accounts',
      tag: 'Account',
      summary:
        'Register; an activation mail with a one-time link is sent (for an address whose registration is not activated yet: a fresh link, the earlier ones stop working). An address that already has an account gets the same answer, and its owner a mail instead (log in or reset the password)',
      auth: 'none',
      body: RegisterRequest,
      response: RegisterResponse,
      status: 201,
    },
    async ({ body, c }) => ({
      ...(await register(core, body, clientAddress(c))),
      activationSent: true as const,
    }),
  );
  api.route(
    {
      method: 'post',
      path: '/password-reset',
      tag: 'Account',
      summary:
        'Ask for a password reset: a one-time code (valid one hour) goes to the address if it has an account; the same answer either way (3 an hour per address, 10 per client)',
      auth: 'none',
      body: PasswordResetRequest,
      response: PasswordResetRequested,
      status: 202,
    },
    async ({ body, c }) => requestPasswordReset(core, body.email, clientAddress(c)),
  );
  api.route(
    {
      method: 'post',
      path: '/password-reset/confirm',
      tag: 'Account',
      summary: 'Set a new password with the mailed code; ends every session and API token of the account',
      auth: 'none',
      body: PasswordResetConfirm,
      response: PasswordResetDone,
    },
    async ({ body }) => confirmPasswordReset(core, body.token, body.password),
  );
  api.route(
    {
      method: 'get',
      path: '/account/activate',
      tag: 'Account',
      summary: 'Activate the account (the link of the activation mail)',
      auth: 'none',
      query: ActivateQuery,
      response: ActivateResponse,
    },
    async ({ query }) => activate(core, query.token),
  );
  api.route(
    {
      method: 'get',
      path: '/account',
      tag: 'Account',
      summary: 'Your account, companies and selection',
      auth: 'user',
      response: Profile,
    },
    async ({ actor }) => getProfile(core, actor),
  );
  api.route(
    {
      method: 'patch',
      path: '/account',
      tag: 'Account',
      summary:
        'Change personal data, password, language or mail preference (current password required; wrong ones count like failed logins)',
      auth: 'user',
      scope: 'password-session',
      body: ProfileChangeRequest,
      response: Profile,
    },
    async ({ actor, body, c }) => updateProfile(core, actor, body, clientAddress(c)),
  );
  api.route(
    {
      method: 'post',
      path: '/account/email',
      tag: 'Account',
      summary:
        'Change the e-mail address: a confirmation link goes to the new address; the account keeps the current one (login, mails) until the link is followed',
      auth: 'user',
      scope: 'password-session',
      body: EmailChangeRequest,
      response: EmailChangeResponse,
      status: 202,
    },
    async ({ actor, body, c }) => ({
      ...(await changeEmail(core, actor, body.currentPassword, body.newEmail, clientAddress(c))),
      activationSent: true as const,
    }),
  );
  api.route(
    {
      method: 'post',
      path: '/account/tokens',
      tag: 'Account',
      summary:
        'Create an API token for scripts with the scopes it may use (default: read), bound to the selected company; only with a password session, not with a token',
      auth: 'user',
      scope: 'password-session',
      body: ApiTokenRequest,
      response: ApiTokenCreated,
      status: 201,
    },
    async ({ actor, body, c }) => createApiToken(core, actor, c.get('session'), body.label, body.scopes),
  );
  api.route(
    {
      method: 'get',
      path: '/account/tokens',
      tag: 'Account',
      summary: 'List your API tokens',
      auth: 'user',
      scope: 'password-session',
      response: ApiTokenList,
    },
    async ({ actor }) => listApiTokens(core, actor),
  );
  api.route(
    {
      method: 'delete',
      path: '/account/tokens/:id',
      tag: 'Account',
      summary: 'Revoke an API token',
      auth: 'user',
      scope: 'password-session',
      params: z.object({ id: z.string().max(64) }),
      status: 204,
    },
    async ({ actor, params }) => {
      await revokeApiToken(core, actor, params.id);
      return undefined;
    },
  );
}
