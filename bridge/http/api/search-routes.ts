import { SearchQuery, SearchResult } from '../../../protocol/devices-api.js';
import type { Core } from '../../core/context.js';
import { search } from '../../core/devices/index.js';
import type { ApiRouter } from './router.js';

/** The search field (seed: Search). */
export function searchRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'get',
      path: '/search',
      tag: 'Search',
      summary:
        'Search the selected company: devices (name, comment, MAC/IPEI), projects (name, description), own activation keys (key, comment; 5+ characters); "PBX-Port14" or "PBX-Port14=100": devices with such licenses. At least 3 characters',
      auth: 'user',
      query: SearchQuery,
      response: SearchResult,
    },
    async ({ actor, query }) => search(core, actor, query.q),
  );
}
