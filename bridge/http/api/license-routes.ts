import type { Core } from '../../core/context.js';
import type { ApiRouter } from './router.js';

/** (Routes of this area are declared here.) */
export function licenseRoutes(_api: ApiRouter, _core: Core) {}
