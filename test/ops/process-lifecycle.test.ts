import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * The bridge as operators run it (issue 16 item 5): JSON log lines with a request id, settings checked
 * at start with one line per wrong setting, `--workers` refused on SQLite, and SIGTERM draining the
 * requests in flight before the database is closed.
 */
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('mylic-lifecycle-');
});
afterAll(async () => {
  await tmp?.cleanup();
});

const exited = (b: BridgeProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (b.child.exitCode !== null || b.child.signalCode !== null)
      return resolve({ code: b.child.exitCode, signal: b.child.signalCode });
    b.child.once('exit', (code, signal) => resolve({ code, signal }));
  });

const logLines = (b: BridgeProcess) =>
  b
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`waited in vain for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('settings and workers checked at start', () => {
  it('names every wrong setting on its own line and exits with the usage code, starting nothing', async () => {
    const r = await bridgeCli(['serve'], {
      MYLIC_DATA: `${tmp.dir}/never`,
      PORT: 'eighty',
      MYLIC_LOG_LEVEL: 'loud',
      MYLIC_METRICS_TOKEN: 'short',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('error USAGE: wrong settings:');
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('PORT="eighty": '))).toBeDefined();
    expect(lines.find((l) => l.startsWith('MYLIC_LOG_LEVEL="loud": '))).toMatch(/"info"/);
    // A token is never echoed back.
    expect(lines.find((l) => l.startsWith('MYLIC_METRICS_TOKEN: '))).toBe(
      'MYLIC_METRICS_TOKEN: must be at least 16 characters',
    );
    expect(existsSync(`${tmp.dir}/never`)).toBe(false);
  });

  it('refuses more than one worker on SQLite with one line naming PostgreSQL, and starts nothing', async () => {
    const r = await bridgeCli(['serve', '--workers', '2'], { MYLIC_DATA: `${tmp.dir}/never`, PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'error USAGE: --workers 2: a SQLite portal runs one bridge process (one writer at a time); set MYLIC_DATABASE_URL to a PostgreSQL database for more, or use --workers 1.',
    ]);
    expect(existsSync(`${tmp.dir}/never`)).toBe(false);
    const bad = await bridgeCli(['serve', '--workers', 'many'], { MYLIC_DATA: `${tmp.dir}/never` });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error USAGE: --workers must be a whole number from 1 to 256.');
  });
});

describe('a serving bridge', () => {
  let bridge: BridgeProcess;
  let ca: string;
  beforeAll(async () => {
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    ca = await readFile(bridge.caFile, 'utf8');
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  it('logs one JSON line per request with its id (also in the answer header), the route pattern and the status', async () => {
    const res = await new Promise<{ status: number; id: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${bridge.url}api/v1/devices/12345`,
        { ca, headers: { authorization: 'Bearer no-such-token' } },
        (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode!, id: String(r.headers['x-request-id']) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(401);
    expect(res.id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await waitFor('the request line', () =>
      logLines(bridge).find((l) => l.event === 'http.request' && l.requestId === res.id),
    );
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/api/v1/devices/:deviceId',
      status: 401,
      pid: bridge.child.pid,
    });
    expect(JSON.stringify(line)).not.toContain('12345');
    expect(typeof line.time).toBe('string');
  });

  it('on SIGTERM takes no new connection, finishes the request in flight, closes the database and exits 0', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not the password' });
    const half = Math.floor(body.length / 2);
    let status = 0;
    let answer = '';
    const inFlight = new Promise<void>((resolve, reject) => {
      const req = httpsRequest(
        `${bridge.url}api/v1/session`,
        {
          method: 'POST',
          ca,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (r) => {
          status = r.statusCode!;
          r.setEncoding('utf8');
          r.on('data', (d: string) => (answer += d));
          r.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      // Half the body now: the request is in the bridge and waits for the rest.
      req.write(body.slice(0, half));
      setTimeout(() => {
        bridge.child.kill('SIGTERM');
        void waitFor('the drain', () =>
          logLines(bridge).find((l) => l.event === 'bridge.stopping') ? true : undefined,
        ).then(async () => {
          // Draining: a new connection is refused while the request in flight goes on.
          const refused = await new Promise<string>((res) => {
            const probe = httpsRequest(`${bridge.url}healthz`, { ca }, (r) => {
              r.resume();
              res(`answered ${r.statusCode}`);
            });
            probe.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
            probe.end();
          });
          expect(refused).toBe('ECONNREFUSED');
          req.end(body.slice(half));
        }, reject);
      }, 500);
    });
    await inFlight;
    expect(status).toBe(401);
    expect(JSON.parse(answer).error.code).toBe('LOGIN_FAILED');
    expect(await exited(bridge)).toEqual({ code: 0, signal: null });
    // The request in flight is answered (and logged) after the drain began, before the bridge stopped.
    const lines = logLines(bridge);
    const after = lines.slice(lines.findIndex((l) => l.event === 'bridge.stopping'));
    expect(after.map((l) => [l.event, l.route, l.status])).toEqual([
      ['bridge.stopping', undefined, undefined],
      ['http.request', '/api/v1/session', 401],
      ['bridge.stopped', undefined, undefined],
    ]);
    expect(logLines(bridge).at(-1)).toMatchObject({ signal: 'SIGTERM', cutConnections: false });
    // The database was closed: SQLite folds the write-ahead log back into the file when the last
    // connection closes and removes it.
    expect(existsSync(`${tmp.dir}/data/mylic.sqlite`)).toBe(true);
    expect(existsSync(`${tmp.dir}/data/mylic.sqlite-wal`)).toBe(false);
  });
});
