/**
 * Devices (seed: Devices, RMA, Search): devices and their placements, batches, list and search, move, RMA, orders, the device session, certificates.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './certificates.js';
export * from './factory-registrations.js';
export * from './device-batch.js';
export * from './device-list.js';
export * from './device-list-keyset.js';
export * from './device-move.js';
export * from './device-search-index.js';
export * from './device-session.js';
export * from './devices.js';
export * from './orders.js';
export * from './rma-requests.js';
export * from './rma.js';
export * from './search.js';
