/**
 * Licenses on devices (seed: Devices → Licenses, Free licenses, Warranty, Download licenses, Invalidation): rules and selection, packs, bindings, free pool, floating, warranty, test licenses, moves, ownership, files and invalidations.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './device-licenses.js';
export * from './device-status.js';
export * from './floating.js';
export * from './free-licenses.js';
export * from './invalidation.js';
export * from './license-move.js';
export * from './license-ownership.js';
export * from './license-selection.js';
export * from './licenses.js';
export * from './pack-optimiser.js';
export * from './test-licenses.js';
export * from './warranty.js';
export * from './device-view.js';
