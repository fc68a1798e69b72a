/**
 * Balance (seed: Balance): balance views and the ledger report.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './balance-views.js';
export * from './ledger-report.js';
