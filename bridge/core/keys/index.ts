/**
 * Activation keys (seed: Activations, Own Activations): vendor and own keys, their codes and certificates.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './activation-keys.js';
export * from './key-certificate.js';
export * from './key-codes.js';
export * from './own-keys.js';
export * from './own-key-preview.js';
