/**
 * Accounts (seed: Register Now, Login, Account): users, passwords, sessions, API tokens, profile, the login limit.
 *
 * The public face of the area: other areas, the HTTP layer and the CLIs import from here only.
 */
export * from './accounts.js';
export * from './api-tokens.js';
export * from './login-limiter.js';
export * from './password-checks.js';
export * from './password-reset.js';
export * from './passwords.js';
export * from './profile.js';
export * from './registration.js';
