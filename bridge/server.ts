import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { openCore } from './bootstrap.js';
import { defaultPublicUrl, loadConfig, type BridgeConfig } from './config.js';
import { startSsaScheduler } from './core/ssa/index.js';
import { runPrimary, workerCount } from './ops/cluster.js';
import { drainServer } from './ops/drain.js';
import { errorText, eventLog } from './ops/event-log.js';
import { installLogger } from './ops/logger.js';
import { createMetrics } from './ops/metrics.js';

/** Starts the bridge over HTTPS with the TLS certificate of the (dev) PKI. */
export async function startServer(config: BridgeConfig) {
  const { core, pki } = await openCore(config);
  const metrics = createMetrics(core);
  const app = createApp(core, { metrics, metricsToken: config.metricsToken, logRequests: true });
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
  // SSA expiry mails (bridge/core/ssa-mails.ts), hourly in this process (every worker: the claims are rows).
  const ssaScheduler = startSsaScheduler(core);
  /** Drains: no new connections, requests in flight finish (bounded), then the mail run and the database. */
  const close = async () => {
    const drained = await drainServer(server as Server);
    await ssaScheduler.stop();
    await core.store.close();
    return drained;
  };
  return { server, port, close, config, pki };
}

/** One serving process: the whole bridge, or a worker of `serve --workers N`. */
async function serveOne(config: BridgeConfig) {
  const log = eventLog();
  const { port, close, pki } = await startServer(config);
  const url = `https://${config.host}:${port}`;
  if (cluster.isWorker) log.info('worker.started', { worker: cluster.worker?.id, url });
  else log.info('bridge.started', { url, data: config.dataDir, ca: `${pki.dir}/root-ca.pem`, workers: 1 });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('bridge.stopping', { signal });
    close().then(
      ({ cut }) => {
        log.info('bridge.stopped', { signal, cutConnections: cut });
        process.exit(0);
      },
      (e: unknown) => {
        log.error('bridge.stop_failed', { error: errorText(e, true) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A worker whose primary is gone drains and ends too.
  cluster.worker?.on('disconnect', () => stop('disconnect'));
}

/** `mylic-bridge serve [--workers N]`. */
export async function main(opts: { workers?: string | undefined } = {}) {
  const config = loadConfig();
  installLogger(config.logLevel);
  if (cluster.isWorker) return serveOne(config);
  const n = workerCount(config, opts.workers);
  if (n === 1) return serveOne(config);
  await runPrimary(config, n, (port) =>
    eventLog().info('bridge.started', {
      url: `https://${config.host}:${port}`,
      data: config.dataDir,
      ca: `${config.pkiDir}/root-ca.pem`,
      workers: n,
    }),
  );
}
