/**
 * Organisation (seed: Company, Users, Projects, Rights, Join, New Company): companies, memberships, projects, rights, joins, vendor accounts, the operator's back office.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './companies.js';
export * from './company-join.js';
export * from './memberships.js';
export * from './operator.js';
export * from './project-rights.js';
export * from './projects.js';
export * from './vendor-accounts.js';
