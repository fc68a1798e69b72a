import { BalanceOverview, BalanceQuery, ProjectBalance, ProjectParams } from '../../../protocol/keys-api.js';
import { balanceOverview, projectBalanceView } from '../../core/balance/index.js';
import type { Core } from '../../core/context.js';
import type { ApiRouter } from './router.js';

/** Balance (seed: Balance): of the selected project, of all projects together, of one project. */
export function balanceRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'get',
      path: '/balance',
      tag: 'Balance',
      summary:
        'Balance of the selected project, or of all projects of the selected company together (never external projects)',
      auth: 'user',
      query: BalanceQuery,
      response: BalanceOverview,
    },
    async ({ actor, query }) => balanceOverview(core, actor, { scope: query.scope }),
  );
  api.route(
    {
      method: 'get',
      path: '/projects/:projectId/balance',
      tag: 'Balance',
      summary: "One project's balance",
      auth: 'user',
      params: ProjectParams,
      response: ProjectBalance,
    },
    async ({ actor, params }) => projectBalanceView(core, actor, params.projectId),
  );
}
