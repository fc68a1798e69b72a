/**
 * myplay, the sandbox portal (seed L330–350; `mylic-bridge serve --sandbox`): its copy of the live
 * database and the device sync, self-service balance, free license editing (D / B / F) and the RMA
 * status. Every service refuses to run outside the sandbox (PLAY_ONLY). PLAY- keys, test-only downloads
 * and the refused invalidation live in the keys and licenses areas, which read the core's mode.
 *
 * The public face of the area: the HTTP layer and the CLIs import from here only.
 */
export * from './device-sync.js';
export * from './play-copy.js';
export * from './play-licenses.js';
export * from './play-mode.js';
export * from './play-rma.js';
export * from './self-balance.js';
