/**
 * Legacy (seed: Projects → Import, L76–81, L305–321): the old license manager's export loaded into its
 * own tables, and the Import of a project from it.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './legacy-import.js';
export * from './legacy-load.js';
export * from './legacy-password.js';
