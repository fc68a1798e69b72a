import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli } from '../support/cli.js';
import { closeTestStores, freshPostgresDatabase } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

/**
 * `mylic-bridge serve --workers 2` on a real PostgreSQL server (issue 16 item 3): two worker processes
 * share the port, /metrics answers for the whole cluster, and SIGTERM to the primary drains both.
 */
describe('serve --workers 2 on PostgreSQL', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bridge: BridgeProcess;
  let ca: string;

  beforeAll(async () => {
    tmp = await tempDir('mylic-workers-');
    const url = await freshPostgresDatabase();
    bridge = await startBridgeProcess(`${tmp.dir}/data`, { MYLIC_DATABASE_URL: url }, ['--workers', '2']);
    ca = await readFile(bridge.caFile, 'utf8');
  });
  afterAll(async () => {
    await bridge?.stop();
    await closeTestStores();
    await tmp?.cleanup();
  });

  const logLines = () =>
    bridge
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  /** One request on its own connection (the primary hands connections to the workers in turn). */
  const get = (path: string) =>
    new Promise<{ status: number; body: string; id: string }>((resolve, reject) => {
      const req = httpsRequest(`${bridge.url}${path}`, { ca, agent: false }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode!, body, id: String(r.headers['x-request-id']) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('announces itself once, with two workers listening on the one port', () => {
    const lines = logLines();
    expect(lines.filter((l) => l.event === 'bridge.started')).toEqual([
      expect.objectContaining({ workers: 2, pid: bridge.child.pid }),
    ]);
    const workers = lines.filter((l) => l.event === 'worker.listening');
    expect(workers.map((l) => l.port)).toEqual([bridge.port, bridge.port]);
    expect(new Set(workers.map((l) => l.workerPid)).size).toBe(2);
  });

  it('answers requests from both workers, and /metrics counts the requests of the whole cluster', async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await get('healthz'));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = new Set(answers.map((a) => a.id));
    // The request lines are debug for /healthz; the workers that answered show in the metrics below
    // and in the request log of a logged route.
    const logged = [];
    for (let i = 0; i < 6; i++) logged.push(await get('api/v1/catalog'));
    await new Promise((r) => setTimeout(r, 200));
    const pids = new Set(
      logLines()
        .filter((l) => l.event === 'http.request' && l.route === '/api/v1/catalog')
        .map((l) => l.pid),
    );
    expect(pids.size).toBe(2);
    expect(pids.has(bridge.child.pid)).toBe(false);
    expect(ids.size).toBe(12);

    const metrics = await get('metrics');
    expect(metrics.status, bridge.output().slice(-1500)).toBe(200);
    const line = metrics.body
      .split('\n')
      .find((l) => l.startsWith('mylic_http_requests_total{method="GET",route="/healthz",status="200"}'));
    expect(line?.split(' ').at(-1)).toBe('12');
    expect(metrics.body).toMatch(/^mylic_ledger_writes_total 0$/m);
  });

  it('logs in through either worker with one shared database (sessions are rows)', async () => {
    const made = await bridgeCli(
      ['ops', 'user', 'create', '--email', 'w@example.com', '--password', 'a worker password', '--name', 'W'],
      bridge.env,
    );
    expect(made.code, made.stderr).toBe(0);
    const post = (path: string, body: unknown, token?: string) =>
      new Promise<{ status: number; json: any }>((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = httpsRequest(
          `${bridge.url}${path}`,
          {
            method: path.endsWith('session') && !body ? 'GET' : 'POST',
            ca,
            agent: false,
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (r) => {
            let text = '';
            r.setEncoding('utf8');
            r.on('data', (d: string) => (text += d));
            r.on('end', () => resolve({ status: r.statusCode!, json: text ? JSON.parse(text) : null }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    const login = await post('api/v1/session', { email: 'w@example.com', password: 'a worker password' });
    expect(login.status).toBe(201);
    // The token works on whichever worker the next connections reach.
    for (let i = 0; i < 4; i++) {
      const me = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          `${bridge.url}api/v1/account`,
          { ca, agent: false, headers: { authorization: `Bearer ${login.json.token}` } },
          (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode!));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(me).toBe(200);
    }
  });

  it('drains both workers on SIGTERM to the primary and exits 0', async () => {
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      bridge.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    bridge.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    const lines = logLines();
    expect(lines.filter((l) => l.event === 'worker.stopped').map((l) => l.code)).toEqual([0, 0]);
    expect(lines.filter((l) => l.event === 'bridge.stopped' && l.pid !== bridge.child.pid)).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ event: 'bridge.stopped', workers: 2, clean: true });
  });
});
