import { Hono } from 'hono';
import type { Core } from '../core/context.js';
import type { AuthEnv } from './auth.js';
import { invalidationRoutes } from './api/invalidation-routes.js';
import { ApiRouter, openApiDocument } from './api/router.js';
import { sessionRoutes } from './api/session-routes.js';
import { accountRoutes } from './api/accounts-routes.js';
import { organisationRoutes } from './api/organisation-routes.js';
import { balanceRoutes } from './api/balance-routes.js';
import { keyRoutes } from './api/keys-routes.js';
import { historyRoutes } from './api/history-routes.js';
import { devicesRoutes } from './api/devices-routes.js';
import { licenseRoutes } from './api/licenses-routes.js';
import { ssaRoutes } from './api/ssa-routes.js';
import { searchRoutes } from './api/search-routes.js';

/**
 * The portal API (/api/v1) for people and their scripts, one module per area of the seed's menu.
 * Every route is declared through ApiRouter, so `/openapi.json` lists exactly what exists.
 */
const AREAS = [
  sessionRoutes,
  accountRoutes,
  organisationRoutes,
  balanceRoutes,
  keyRoutes,
  historyRoutes,
  invalidationRoutes,
  devicesRoutes,
  licenseRoutes,
  ssaRoutes,
  searchRoutes,
];

export function portalRoutes(core: Core) {
  const app = new Hono<AuthEnv>();
  const api = new ApiRouter(app, core);
  for (const register of AREAS) register(api, core);
  return { app, openApi: () => openApiDocument(api.specs, { title: 'mylic portal API', version: '1' }) };
}
