import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * A restore rehearsed (issue 16 item 5): the README's Tour runs against a bridge, `mylic-bridge db
 * backup` copies its SQLite file while the bridge serves a stream of log-ins and reads, the copy and
 * the PKI folder go into a fresh folder, a bridge starts there, and the Tour's counts are the same.
 */
describe('db backup while the bridge serves, restored into a fresh folder', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let live: BridgeProcess;
  let restored: BridgeProcess | undefined;

  beforeAll(async () => {
    tmp = await tempDir('mylic-restore-');
    live = await startBridgeProcess(`${tmp.dir}/data`);
    await symlink(resolve(ROOT, 'bin'), `${tmp.dir}/bin`);
  });
  afterAll(async () => {
    await live?.stop();
    await restored?.stop();
    await tmp?.cleanup();
  });

  /** What the Tour leaves: per company and type the ledger report, and the rows that hold licenses. */
  async function counts(env: Record<string, string>, file: string) {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      const companies = db.prepare('SELECT id FROM companies ORDER BY id').all() as { id: number }[];
      const rows = Object.fromEntries(
        [
          'companies',
          'projects',
          'users',
          'devices',
          'device_projects',
          'licenses',
          'balances',
          'ledger_entries',
          'invalidations',
        ].map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
      );
      const units = db
        .prepare(
          'SELECT license_type, state, sum(units) AS units FROM licenses GROUP BY license_type, state ORDER BY 1, 2',
        )
        .all();
      const report: Record<number, unknown> = {};
      for (const c of companies) {
        const r = await bridgeCli(['ops', 'counts', '--company', String(c.id), '--json'], env);
        expect(r.code, r.stderr).toBe(0);
        report[c.id] = r.json.result;
      }
      return { rows, units, report };
    } finally {
      db.close();
    }
  }

  // The Tour alone starts some thirty CLI processes.
  it('gives a bridge with the same balances, licenses and devices as the one it was taken from', {
    timeout: 300_000,
  }, async () => {
    const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8');
    const tour = /## Tour[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(tour).toBeTruthy();
    const run = spawnSync(
      'bash',
      ['-euo', 'pipefail', '-c', tour!.replaceAll('https://localhost:8443', live.url.replace(/\/$/, ''))],
      {
        cwd: tmp.dir,
        encoding: 'utf8',
        env: { ...process.env, MYLIC_DATA: './data' },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    // Log-ins (sessions and history written) and reads against the live bridge while the backup runs.
    const dispatcher = new Agent({ connect: { ca: await readFile(live.caFile, 'utf8') } });
    let served = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const login = await request(`${live.url}api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'ann@example.com', password: 'correct horse' }),
          dispatcher,
        });
        const { token } = (await login.body.json()) as { token: string };
        expect(login.statusCode).toBe(201);
        const devices = await request(`${live.url}api/v1/devices`, {
          headers: { authorization: `Bearer ${token}` },
          dispatcher,
        });
        await devices.body.text();
        expect(devices.statusCode).toBe(200);
        served += 2;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const backup = await bridgeCli(
      ['db', 'backup', `${tmp.dir}/backup/mylic-backup.sqlite`, '--json'],
      live.env,
    );
    stop = true;
    await load;
    await dispatcher.close();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.json.result.pages).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(0);
    // A second backup to the same name is refused: a backup never overwrites one.
    const again = await bridgeCli(['db', 'backup', `${tmp.dir}/backup/mylic-backup.sqlite`], live.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already');

    // Restore: the copy and the PKI into a fresh folder, a bridge on it.
    await mkdir(`${tmp.dir}/fresh`);
    await cp(`${tmp.dir}/backup/mylic-backup.sqlite`, `${tmp.dir}/fresh/mylic.sqlite`);
    await cp(`${tmp.dir}/data/pki`, `${tmp.dir}/fresh/pki`, { recursive: true });
    restored = await startBridgeProcess(`${tmp.dir}/fresh`);

    const before = await counts(live.env, `${tmp.dir}/data/mylic.sqlite`);
    const after = await counts(restored.env, `${tmp.dir}/fresh/mylic.sqlite`);
    expect(after).toEqual(before);
    expect(before.rows.devices).toBe(1);
    expect(before.report[1]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'PBX-Port13', activated: 20, balance: 8, bound: 0, free: 12 }),
        expect.objectContaining({ type: 'GW-Channel', activated: 4, balance: 2, bound: 2, free: 0 }),
      ]),
    );
    // The restored portal serves: Ann logs in there and sees her device.
    const d2 = new Agent({ connect: { ca: await readFile(restored.caFile, 'utf8') } });
    try {
      const login = await request(`${restored.url}api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ann@example.com', password: 'correct horse' }),
        dispatcher: d2,
      });
      expect(login.statusCode).toBe(201);
      const { token } = (await login.body.json()) as { token: string };
      const devices = await request(`${restored.url}api/v1/devices`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: d2,
      });
      expect(devices.statusCode).toBe(200);
      expect(await devices.body.text()).toContain('00-90-33-01-23-45');
    } finally {
      await d2.close();
    }
    const status = await bridgeCli(['db', 'status', '--json'], restored.env);
    expect(status.json.result.pending).toEqual([]);
  });
});
