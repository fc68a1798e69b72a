import { existsSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MylicError } from '../protocol/errors.js';
import { createApp } from './app.js';
import { openCore } from './bootstrap.js';
import { type BridgeConfig, defaultPublicUrl, loadConfig } from './config.js';
import type { Core } from './core/context.js';
import {
  type DeviceSyncResult,
  playCopyInfo,
  recordPlayCopy,
  syncDevicesFromLive,
} from './core/play/index.js';
import { copySqliteDatabase, openSqliteReader } from './db/sqlite/sqlite-play.js';
import { outboxMailer } from './mail/mailer.js';

/**
 * myplay, the sandbox portal (seed L330–350): `mylic-bridge serve --sandbox`. The same PKI and host as
 * the live portal, its own port (MYLIC_PLAY_PORT, 8444) and database (MYLIC_PLAY_SQLITE,
 * `<MYLIC_DATA>/myplay.sqlite`). When that file is missing it is made as a copy of the live database
 * (SQLite's online backup) and the moment recorded (`play.copied`); from then on only the device table
 * comes from the live database: on start, every MYLIC_PLAY_SYNC_MINUTES, and on
 * `mylic-bridge sandbox sync`. No SSA mails are sent from the sandbox, and its other mails go to
 * `<MYLIC_DATA>/myplay-outbox`, never to SMTP.
 */
export async function openPlay(
  config: BridgeConfig,
): Promise<{ core: Core; copiedNow: boolean; pki: Awaited<ReturnType<typeof openCore>>['pki'] }> {
  if (config.databaseUrl)
    throw new MylicError(
      'USAGE',
      'myplay copies and syncs a live database kept in a SQLite file; with MYLIC_DATABASE_URL (PostgreSQL) it is not available yet.',
    );
  const copiedNow = !existsSync(config.play.sqliteFile);
  if (copiedNow) await copySqliteDatabase(config.sqliteFile, config.play.sqliteFile);
  const { core, pki } = await openCore({
    ...config,
    sqliteFile: config.play.sqliteFile,
    databaseUrl: null,
    port: config.play.port,
    smtpUrl: null,
    publicUrl: config.publicUrlExplicit ? config.publicUrl : defaultPublicUrl(config.host, config.play.port),
  });
  core.mode = 'play';
  core.mail.mailer = outboxMailer(`${config.dataDir}/myplay-outbox`, config.mailFrom);
  if (copiedNow || !(await playCopyInfo(core)))
    await recordPlayCopy(core, { copiedAt: core.clock.now().toISOString(), source: config.sqliteFile });
  return { core, copiedNow, pki };
}

/** The device sync from the live database into the sandbox's (read-only on the live file). */
export async function syncPlayFromLive(config: BridgeConfig, core: Core): Promise<DeviceSyncResult> {
  const live = openSqliteReader(config.sqliteFile);
  try {
    return await syncDevicesFromLive(core, live.db);
  } finally {
    await live.close();
  }
}

export async function startPlayServer(config: BridgeConfig) {
  const { core, pki } = await openPlay(config);
  const log = (r: DeviceSyncResult) =>
    console.log(
      `level=info event=myplay.devices_synced seen=${r.seen} added=${r.added} certificates=${r.certificates}`,
    );
  const sync = () =>
    syncPlayFromLive(config, core).then(log, (e: unknown) =>
      console.error(
        `level=warn event=myplay.sync_failed error=${JSON.stringify(String((e as Error)?.message ?? e))}`,
      ),
    );
  await sync();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(sync);
  }, config.play.syncMinutes * 60_000);
  const app = createApp(core);
  const server = serve({
    fetch: app.fetch,
    port: config.play.port,
    hostname: config.host,
    createServer,
    serverOptions: { key: pki.tlsServer.keyPem, cert: pki.tlsServer.certPem, minVersion: 'TLSv1.2' },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  if (!config.publicUrlExplicit) core.mail.publicUrl = defaultPublicUrl(config.host, port);
  const close = async () => {
    clearInterval(timer);
    await running;
    await new Promise<void>((r) => server.close(() => r()));
    await core.store.close();
  };
  return { server, port, close, core };
}

export async function main() {
  const config = loadConfig();
  const { port, close } = await startPlayServer(config);
  console.log(
    `level=info event=myplay.started url=https://${config.host}:${port} data=${config.play.sqliteFile} live=${config.sqliteFile}`,
  );
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
