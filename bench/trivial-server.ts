import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * Ceiling (b) of the HTTPS benchmarks: the same server stack as the bridge (node:https with the
 * bridge's TLS certificate, @hono/node-server, Hono) answering one trivial JSON route and nothing
 * else. Run as its own process: `node --import tsx bench/trivial-server.ts PKI_DIR`; prints
 * `listening PORT` and serves until SIGTERM.
 */
const pkiDir = process.argv[2];
if (!pkiDir) throw new Error('usage: trivial-server.ts PKI_DIR');

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));

const server = serve({
  fetch: app.fetch,
  port: 0,
  hostname: 'localhost',
  createServer,
  serverOptions: {
    key: readFileSync(`${pkiDir}/tls-server.key`, 'utf8'),
    cert: readFileSync(`${pkiDir}/tls-server.pem`, 'utf8'),
    minVersion: 'TLSv1.2',
  },
});
server.once('listening', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
