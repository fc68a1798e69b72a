// The parts of undici the agent uses (an Agent with a pinned CA and its `request` method) instead of
// the whole library (fetch, WebSocket, caches, mocks, proxies, …; about 240 kB less). It wires them the
// way undici's own index.js does. Used only by the agent bundle through an esbuild alias
// (build.config.ts); the tests and the bridge load undici whole, and the agent's end-to-end tests run
// through this bundle.
const Dispatcher = require('../node_modules/undici/lib/dispatcher/dispatcher');
const Agent = require('../node_modules/undici/lib/dispatcher/agent');
const api = require('../node_modules/undici/lib/api/api-request');

Object.assign(Dispatcher.prototype, { request: api });
module.exports = { Agent };
