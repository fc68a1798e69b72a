import { spawnSync } from 'node:child_process';
import { access, readFile, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { closeTestStores, freshPostgresDatabase, STORES } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

/**
 * The README's Tour is run line by line, as a reader would paste it, so it cannot drift from the code;
 * against the SQLite file and, unchanged, against PostgreSQL (README "Growing: PostgreSQL": the bridge
 * and every command with MYLIC_DATABASE_URL).
 */
afterAll(closeTestStores);

describe.each(STORES)("the README's Tour on %s", { timeout: 300_000 }, (kind) => {
  let bridge: BridgeProcess;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let storeEnv: Record<string, string> = {};

  beforeAll(async () => {
    tmp = await tempDir('mylic-tour-');
    storeEnv = kind === 'postgres' ? { MYLIC_DATABASE_URL: await freshPostgresDatabase() } : {};
    bridge = await startBridgeProcess(`${tmp.dir}/data`, storeEnv);
    await symlink(resolve(ROOT, 'bin'), `${tmp.dir}/bin`);
    // A PostgreSQL cluster, its migrated template and a bridge with its PKI: long on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await bridge?.stop();
    await tmp?.cleanup();
  });

  it('runs every line without an error and ends with the licenses back in the free pool', async () => {
    const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8');
    const block = /## Tour[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeTruthy();
    // The only change: the port of the bridge this test started instead of 8443.
    const script = block!.replaceAll('https://localhost:8443', bridge.url.replace(/\/$/, ''));
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: tmp.dir,
      encoding: 'utf8',
      env: { ...process.env, MYLIC_DATA: './data', ...storeEnv },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    // On PostgreSQL nothing went into a SQLite file.
    const sqliteMade = await access(`${tmp.dir}/data/mylic.sqlite`).then(
      () => true,
      () => false,
    );
    expect(sqliteMade).toBe(kind === 'sqlite');
    const last = run.stdout.trim().split('\n').slice(-2).join('\n');
    expect(last).toMatch(/GW-Channel\s+activated 4\s+balance 2\s+bound 2\s+free 0/);
    expect(last).toMatch(/PBX-Port13\s+activated 20\s+balance 8\s+bound 0\s+free 12/);
  });

  it('runs the API tour with curl after it, every call answering 2xx', async () => {
    const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8');
    const block = /## API tour[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeTruthy();
    const script = block!.replaceAll('https://localhost:8443', bridge.url.replace(/\/$/, ''));
    // Against the state the Tour left (same data folder); curl -f fails the script on any 4xx/5xx.
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: tmp.dir,
      encoding: 'utf8',
      env: { ...process.env, MYLIC_DATA: './data', ...storeEnv },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('"licenses":[{"type":"PBX-Port14","units":10}]');
    // The project is under SSA until a year from today, paid in SSC.
    const end = new Date();
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    expect(run.stdout).toContain(`"ssaEnd":"${end.toISOString().slice(0, 10)}"`);
    // curl prints JSON without a newline, so the last two answers end the output as "…rollout\n204".
    expect(run.stdout.trim()).toMatch(/rollout\n204$/);
    expect(await readFile(`${tmp.dir}/license-certificate.html`, 'utf8')).toContain('customer 42');
  });
});
