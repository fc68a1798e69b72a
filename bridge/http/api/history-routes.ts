import { HistoryPage, HistoryQuery } from '../../../protocol/account-api.js';
import type { Core } from '../../core/context.js';
import { queryHistory } from '../../core/history-query.js';
import type { ApiRouter } from './router.js';

/** Seed: History. */
export function historyRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'get',
      path: '/history',
      tag: 'History',
      summary: 'History of the selected company (context company, user or device; selected project or all)',
      auth: 'user',
      query: HistoryQuery,
      response: HistoryPage,
    },
    async ({ actor, query }) => queryHistory(core, actor, query),
  );
}
