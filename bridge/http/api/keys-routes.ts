import {
  ActivationList,
  ActivationQuery,
  IdParams,
  KeyPreview,
  KeyPreviewRequest,
  OwnKey,
  OwnKeyCreateRequest,
  OwnKeyDeleted,
  OwnKeyDeleteQuery,
  OwnKeyList,
  OwnKeyQuery,
  OwnKeyUpdateRequest,
  Redemption,
  RedeemRequest,
} from '../../../protocol/keys-api.js';
import { listActivations, previewKey, redeemKey } from '../../core/keys/index.js';
import type { Core } from '../../core/context.js';
import { keyCertificate } from '../../core/keys/index.js';
import { createOwnKey, deleteOwnKey, getOwnKey, listOwnKeys, updateOwnKey } from '../../core/keys/index.js';
import type { ApiRouter } from './router.js';

/**
 * Activation keys (seed: Activations, License certificate, Own Activations).
 * Routes only translate; every rule (walls, external projects, amounts) is the core's.
 */
export function keyRoutes(api: ApiRouter, core: Core) {
  // --- redeeming (Activations)
  api.route(
    {
      method: 'post',
      path: '/activation-keys/preview',
      tag: 'Activations',
      summary:
        'Show the licenses of an activation key without redeeming it (POST keeps the key out of URLs and logs)',
      auth: 'user',
      body: KeyPreviewRequest,
      response: KeyPreview,
    },
    async ({ actor, body }) => previewKey(core, actor, body),
  );
  api.route(
    {
      method: 'post',
      path: '/activation-keys/redeem',
      tag: 'Activations',
      summary:
        "Redeem an activation key into the selected (or named) project: its licenses enter the project's balance; a key is redeemed once, ever",
      auth: 'user',
      body: RedeemRequest,
      response: Redemption,
      status: 201,
    },
    async ({ actor, body }) => redeemKey(core, actor, body),
  );
  api.route(
    {
      method: 'get',
      path: '/activation-keys',
      tag: 'Activations',
      summary:
        'Keys redeemed into the selected (or named) project, or into any project of the selected company',
      auth: 'user',
      query: ActivationQuery,
      response: ActivationList,
    },
    async ({ actor, query }) => listActivations(core, actor, query),
  );
  api.route(
    {
      method: 'get',
      path: '/activation-keys/:keyId/certificate',
      tag: 'Activations',
      summary: 'License certificate of a key in your projects (print-ready HTML)',
      auth: 'user',
      params: IdParams,
      produces: 'text/html',
    },
    async ({ c, actor, params }) => {
      const { filename, html } = await keyCertificate(core, actor, params.keyId);
      return c.body(html, 200, {
        'content-type': 'text/html; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
    },
  );

  // --- own keys (Own Activations)
  api.route(
    {
      method: 'get',
      path: '/own-keys',
      tag: 'Own Activations',
      summary:
        'Own activation keys paid from the selected (or named) project, or all of the selected company',
      auth: 'user',
      query: OwnKeyQuery,
      response: OwnKeyList,
    },
    async ({ actor, query }) => listOwnKeys(core, actor, query),
  );
  api.route(
    {
      method: 'post',
      path: '/own-keys',
      tag: 'Own Activations',
      summary:
        'Create an activation key from project balance, optionally drawing from several projects of the company',
      auth: 'user',
      body: OwnKeyCreateRequest,
      response: OwnKey,
      status: 201,
    },
    async ({ actor, body }) => createOwnKey(core, actor, body),
  );
  api.route(
    {
      method: 'get',
      path: '/own-keys/:keyId',
      tag: 'Own Activations',
      summary: 'One own activation key',
      auth: 'user',
      params: IdParams,
      response: OwnKey,
    },
    async ({ actor, params }) => getOwnKey(core, actor, params.keyId),
  );
  api.route(
    {
      method: 'patch',
      path: '/own-keys/:keyId',
      tag: 'Own Activations',
      summary:
        'Update an unredeemed own key: add licenses from balance, remove with negative amounts, change comment and order fields',
      auth: 'user',
      params: IdParams,
      body: OwnKeyUpdateRequest,
      response: OwnKey,
    },
    async ({ actor, params, body }) => updateOwnKey(core, actor, params.keyId, body),
  );
  api.route(
    {
      method: 'delete',
      path: '/own-keys/:keyId',
      tag: 'Own Activations',
      summary:
        'Delete an unredeemed own key: its licenses go back into the named or selected project, else where they came from',
      auth: 'user',
      params: IdParams,
      query: OwnKeyDeleteQuery,
      response: OwnKeyDeleted,
    },
    async ({ actor, params, query }) => deleteOwnKey(core, actor, params.keyId, query),
  );
}
