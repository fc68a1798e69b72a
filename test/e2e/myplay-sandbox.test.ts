import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { BRIDGE, runCli } from '../support/cli.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { type TableCounts, tableCounts } from '../support/play.js';
import { tempDir } from '../support/tmp.js';
import { addFixtureDevice, GW_TYPE, makeTenant, type Tenant } from '../bridge/fixtures.js';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';

/**
 * myplay end to end (issue 15 item 2; seed L330–350): the real bundle's `mylic-bridge serve --sandbox`
 * beside the live `serve`, on one data folder and PKI. The sandbox copies the live SQLite file when it
 * starts, answers HTTPS on its own port with the myplay banner, takes a self-service balance through its
 * page, and `mylic-bridge sandbox sync` brings a device registered on the live side afterwards.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let live: TestCore;
let ann: Tenant;
let liveServer: Server;
let sandbox: Server;
type Server = Awaited<ReturnType<typeof startServer>>;
let dispatcher: Agent;
let liveBefore: TableCounts;

const env = () => ({
  MYLIC_DATA: root.dir,
  MYLIC_SQLITE: `${root.dir}/test.sqlite`,
  MYLIC_PLAY_SQLITE: `${root.dir}/myplay.sqlite`,
  HOST: 'localhost',
  PORT: '0',
  MYLIC_PLAY_PORT: '0',
});

/** Starts the real bundle with these arguments; resolves with the port its start line names. */
async function startServer(args: string[], event: string, extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BRIDGE, ...args], {
    env: { ...process.env, ...env(), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  // The start line names the URL (key=value or JSON log lines alike).
  const pattern = new RegExp(`${event.replace('.', '\\.')}.*?https://[^:]+:(\\d+)`);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${log}`)), 45_000);
    const onData = (d: Buffer) => {
      log += d;
      const m = pattern.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${log}`));
    });
  });
  return { child, port, log: () => log };
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

async function page(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  opts: { cookie?: string; form?: Record<string, string> } = {},
) {
  const origin = `https://localhost:${port}`;
  const res = await request(`${origin}${path}`, {
    method,
    dispatcher,
    headers: {
      accept: 'text/html',
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.form ? { origin, 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

beforeAll(async () => {
  root = await tempDir('mylic-e2e-myplay-');
  live = await makeTestCore(root.dir);
  ann = await makeTenant(live, { name: 'ann', mac: '00-90-33-72-00-01' });
  liveBefore = await tableCounts(live.core);
  liveServer = await startServer(['serve'], 'bridge.started');
  sandbox = await startServer(['serve', '--sandbox'], 'myplay.started');
  dispatcher = new Agent({ connect: { ca: await readFile(`${root.dir}/pki/root-ca.pem`, 'utf8') } });
}, 90_000);
afterAll(async () => {
  if (sandbox) await stop(sandbox.child);
  if (liveServer) await stop(liveServer.child);
  await dispatcher?.close();
  await live?.close();
  await root?.cleanup();
});

describe('mylic-bridge serve --sandbox', () => {
  it('"From this date on the databases won\'t be synchronised any more (despite of the device table)!" (seed L334): starts on a copy of the live database and leaves the live one as it was', async () => {
    expect(sandbox.port).not.toBe(liveServer.port);
    expect(sandbox.log()).toContain('event=myplay.devices_synced');
    expect(await tableCounts(live.core)).toEqual(liveBefore);
    const copy = await openSqliteStore(`${root.dir}/myplay.sqlite`);
    try {
      const users = await copy.db.selectFrom('users').select('email').execute();
      expect(users.map((u) => u.email)).toContain(ann.user.email);
      const copied = await copy.db
        .selectFrom('history')
        .select('event')
        .where('event', '=', 'play.copied')
        .execute();
      expect(copied).toHaveLength(1);
    } finally {
      await copy.close();
    }
  });

  it('"[myplay] offers a platform to test all my.innovaphone related content" (seed L331): the sandbox\'s pages carry the myplay banner, the live portal\'s do not, and only the sandbox has /play', async () => {
    const sandboxLogin = await page(sandbox.port, 'GET', '/login?lang=it');
    expect(sandboxLogin.status).toBe(200);
    expect(sandboxLogin.text).toContain(MESSAGES.it.playBanner);
    const liveLogin = await page(liveServer.port, 'GET', '/login?lang=it');
    expect(liveLogin.text).not.toContain('play-banner');
    expect((await page(liveServer.port, 'GET', '/play')).status).toBe(404);
  });

  it('"Simply select the license type in the dropdown box on the balance page, enter the desired amount" (seed L336): the balance grows in the sandbox only', async () => {
    const login = await page(sandbox.port, 'POST', '/login', {
      form: { email: ann.user.email, password: ann.user.password },
    });
    expect(login.status).toBe(303);
    const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(login.headers['set-cookie']))![1]!;
    const cookie = `${SESSION_COOKIE}=${token}`;
    const res = await page(sandbox.port, 'POST', '/play/balance', {
      cookie,
      form: { csrf: csrfFor(token), projectId: String(ann.projectId), type: GW_TYPE, units: '500' },
    });
    expect(res.status).toBe(303);
    const copy = await openSqliteStore(`${root.dir}/myplay.sqlite`);
    try {
      const entry = await copy.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('reason', '=', 'play.credited')
        .executeTakeFirstOrThrow();
      expect(entry).toMatchObject({ project_id: ann.projectId, license_type: GW_TYPE, delta: 500 });
    } finally {
      await copy.close();
    }
    expect(await tableCounts(live.core)).toEqual(liveBefore);
  });

  it('`mylic-bridge sandbox sync` brings a device registered on the live portal after the copy into the sandbox', async () => {
    const device = await addFixtureDevice(live, ann.actor, ann.projectId, '00-90-33-72-00-02');
    const r = await runCli(BRIDGE, ['sandbox', 'sync', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({ added: 1, copiedNow: false });
    const copy = await openSqliteStore(`${root.dir}/myplay.sqlite`);
    try {
      const synced = await copy.db
        .selectFrom('devices')
        .select(['id', 'hardware_id', 'device_type'])
        .where('hardware_id', '=', device.hardwareId)
        .executeTakeFirstOrThrow();
      expect(synced).toMatchObject({ hardware_id: device.hardwareId, device_type: 'IP811' });
      // Only the device table: its placement stays the live portal's (the sandbox's projects are its own).
      const placed = await copy.db
        .selectFrom('device_projects')
        .selectAll()
        .where('device_id', '=', synced.id)
        .execute();
      expect(placed).toEqual([]);
    } finally {
      await copy.close();
    }
  });
});
