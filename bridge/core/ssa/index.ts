/**
 * SSA (seed: Projects → SSA, SSC, SSA expiry mails): the SSC calculator, SSA of licenses and projects, the expiry mails.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './ssa-mails.js';
export * from './ssa-project.js';
export * from './ssa-scheduler.js';
export * from './ssa.js';
export * from './ssc-calculator.js';
