export * from './errors.js';
export * from './hardware-id.js';
export * from './device-protocol.js';
export * from './portal-api.js';
export * from './documents/payloads.js';
