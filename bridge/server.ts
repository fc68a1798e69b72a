import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { openCore } from './bootstrap.js';
import { defaultPublicUrl, loadConfig, type BridgeConfig } from './config.js';
import { startSsaScheduler } from './core/ssa/index.js';

/** Starts the bridge over HTTPS with the TLS certificate of the (dev) PKI. */
export async function startServer(config: BridgeConfig) {
  const { core, pki } = await openCore(config);
  const app = createApp(core);
  const server = serve({
    fetch: app.fetch,
    port: config.port,
    hostname: config.host,
    createServer,
    serverOptions: { key: pki.tlsServer.keyPem, cert: pki.tlsServer.certPem, minVersion: 'TLSv1.2' },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  // Links in mails point at the port the server really bound (PORT=0 picks a free one), unless
  // MYLIC_PUBLIC_URL says where people reach the portal.
  if (!config.publicUrlExplicit) core.mail.publicUrl = defaultPublicUrl(config.host, port);
  // SSA expiry mails (bridge/core/ssa-mails.ts), hourly in this process.
  const ssaScheduler = startSsaScheduler(core);
  const close = async () => {
    await ssaScheduler.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await core.store.close();
  };
  return { server, port, close, config, pki };
}

export async function main() {
  const config = loadConfig();
  const { port, close, pki } = await startServer(config);
  console.log(
    `level=info event=bridge.started url=https://${config.host}:${port} data=${config.dataDir} ca=${pki.dir}/root-ca.pem`,
  );
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
