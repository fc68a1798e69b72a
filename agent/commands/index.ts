import type { CommandTable } from './types.js';

/**
 * Every command is its own module, imported when it is asked for: in the bundle each is a chunk (esbuild
 * code splitting, build.config.ts), so `mylic status` loads the device store and not the HTTPS client,
 * node-forge or the device page's server. The launcher (agent/main.ts) holds this table and starts
 * importing the command named first on the command line while the CLI module loads.
 */
export const COMMANDS: CommandTable = {
  device: () => import('./device.js'),
  login: () => import('./login.js'),
  logout: () => import('./logout.js'),
  licenses: () => import('./licenses.js'),
  download: () => import('./download.js'),
  install: () => import('./install.js'),
  invalidate: () => import('./invalidate.js'),
  confirm: () => import('./confirm.js'),
  'request-certificate': () => import('./request-certificate.js'),
  'test-license': () => import('./test-license.js'),
  config: () => import('./config.js'),
  check: () => import('./check.js'),
  status: () => import('./status.js'),
  reset: () => import('./reset.js'),
  page: () => import('./page.js'),
};
