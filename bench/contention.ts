import { spawn } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createUser } from '../bridge/core/accounts/index.js';
import { createCompany } from '../bridge/core/organisation/index.js';
import { addDevice, registerVendorDevices } from '../bridge/core/devices/index.js';
import { companyCounts, type TypeCounts } from '../bridge/core/balance/index.js';
import { bindFromBalance } from '../bridge/core/licenses/index.js';
import { operatorCredit } from '../bridge/core/organisation/index.js';
import type { Pki } from '../certs/index.js';
import { MylicError } from '../protocol/errors.js';
import { makeTestCore } from '../test/support/core.js';
import { bridgeCli } from '../test/support/cli.js';
import { tempDir } from '../test/support/tmp.js';
import { ROOT } from './load.js';
import type { Figure } from './report.js';
import { macFor } from './setup.js';

/**
 * Item 3: clients binding 1 unit each from one project's balance at the same time, through the core
 * (there is no HTTP route for it yet). Run 1: 50 async clients in one process on one SQLite file.
 * Run 2: 2 OS processes × 25 clients on the same file, plus `mylic-bridge ops license bind` from the
 * command line meanwhile, so BEGIN IMMEDIATE is exercised across processes. More binds are tried
 * than the balance holds. After each run the ledger must balance: activated = balance + bound + free,
 * bound = binds that succeeded, balance = credit - binds; a unit lost or doubled fails the benchmark.
 */
const TYPE = 'PBX-Port13';

export interface WorkerSpec {
  dir: string;
  userId: number;
  projectId: number;
  licenseType: string;
  /** The devices this process's clients bind to, one per client. */
  macs: string[];
  attemptsPerClient: number;
}

export interface Tally {
  ok: number;
  insufficient: number;
  /** SQLITE_BUSY and other errors: the bind did not happen (the transaction rolled back). */
  failed: number;
  failures: string[];
  ms: number;
}

/** Each client binds 1 unit per attempt to its own device, one attempt after the other. */
export async function bindWorkers(
  spec: Pick<WorkerSpec, 'macs' | 'attemptsPerClient'>,
  bind: (mac: string) => Promise<unknown>,
): Promise<Tally> {
  const tally: Tally = { ok: 0, insufficient: 0, failed: 0, failures: [], ms: 0 };
  const start = performance.now();
  await Promise.all(
    spec.macs.map(async (mac) => {
      for (let i = 0; i < spec.attemptsPerClient; i++) {
        try {
          await bind(mac);
          tally.ok++;
        } catch (e) {
          if (e instanceof MylicError && e.code === 'BALANCE_INSUFFICIENT') tally.insufficient++;
          else {
            tally.failed++;
            if (tally.failures.length < 3) tally.failures.push(String((e as Error).message ?? e));
          }
        }
      }
    }),
  );
  tally.ms = performance.now() - start;
  return tally;
}

interface Seeded {
  dir: string;
  cleanup: () => Promise<void>;
  userId: number;
  companyId: number;
  projectId: number;
  macs: string[];
  credit: number;
}

export async function seed(pki: Pki, clients: number, credit: number): Promise<Seeded> {
  const { dir, cleanup } = await tempDir('mylic-bench-contention-');
  await cp(pki.dir, `${dir}/pki`, { recursive: true });
  const { core, close } = await makeTestCore(dir);
  try {
    const user = await createUser(core, {
      email: 'contention@example.com',
      password: 'contention-pw-1',
      name: 'Contention',
      active: true,
    });
    const { companyId, defaultProjectId } = await createCompany(core, user.id, 'Contention Co');
    await operatorCredit(core, companyId, 'DEFAULT', TYPE, credit, 'bench-contention');
    const macs = Array.from({ length: clients }, (_, i) => macFor(4, i));
    await registerVendorDevices(core, { deviceType: 'IP811', devices: macs });
    for (const mac of macs) await addDevice(core, { userId: user.id }, defaultProjectId, mac);
    return { dir, cleanup, userId: user.id, companyId, projectId: defaultProjectId, macs, credit };
  } finally {
    await close();
  }
}

interface Conservation {
  ok: boolean;
  counts: TypeCounts | undefined;
  expected: { activated: number; balance: number; bound: number; free: number };
  problems: string[];
}

export async function conservation(s: Seeded, succeeded: number): Promise<Conservation> {
  const { core, close } = await makeTestCore(s.dir);
  try {
    const counts = (await companyCounts(core.store.db, s.companyId)).find((r) => r.type === TYPE);
    const expected = { activated: s.credit, balance: s.credit - succeeded, bound: succeeded, free: 0 };
    const problems: string[] = [];
    if (!counts) problems.push(`no ${TYPE} in the company counts`);
    else {
      if (counts.activated !== counts.balance + counts.bound + counts.free) {
        problems.push(
          `activated ${counts.activated} != balance ${counts.balance} + bound ${counts.bound} + free ${counts.free}`,
        );
      }
      for (const k of ['activated', 'balance', 'bound', 'free'] as const) {
        if (counts[k] !== expected[k]) problems.push(`${k} is ${counts[k]}, expected ${expected[k]}`);
      }
      if (counts.balance < 0) problems.push('negative balance');
    }
    return { ok: problems.length === 0, counts, expected, problems };
  } finally {
    await close();
  }
}

async function inProcess(pki: Pki, clients: number, attempts: number, credit: number) {
  const s = await seed(pki, clients, credit);
  try {
    const { core, close } = await makeTestCore(s.dir);
    let tally: Tally;
    try {
      tally = await bindWorkers({ macs: s.macs, attemptsPerClient: attempts }, (mac) =>
        bindFromBalance(
          core,
          { userId: s.userId },
          { projectId: s.projectId, hardwareId: mac, licenseType: TYPE, units: 1 },
        ),
      );
    } finally {
      await close();
    }
    return { tally, check: await conservation(s, tally.ok) };
  } finally {
    await s.cleanup();
  }
}

function startWorker(spec: WorkerSpec) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/contention-worker.ts', JSON.stringify(spec)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => (waiters.length ? waiters.shift()!(line) : queue.push(line)));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      if (queue.length) return resolve(queue.shift()!);
      waiters.push(resolve);
      child.once('exit', (code) => reject(new Error(`contention worker exited (${code}): ${stderr}`)));
    });
  return { child, nextLine };
}

async function crossProcess(
  pki: Pki,
  processes: number,
  clientsPerProcess: number,
  attempts: number,
  credit: number,
  cliBinds: number,
) {
  const s = await seed(pki, processes * clientsPerProcess + 1, credit);
  let workers: ReturnType<typeof startWorker>[] = [];
  try {
    workers = Array.from({ length: processes }, (_, p) =>
      startWorker({
        dir: s.dir,
        userId: s.userId,
        projectId: s.projectId,
        licenseType: TYPE,
        macs: s.macs.slice(p * clientsPerProcess, (p + 1) * clientsPerProcess),
        attemptsPerClient: attempts,
      }),
    );
    for (const w of workers)
      if ((await w.nextLine()) !== 'ready') throw new Error('contention worker did not get ready');
    const start = performance.now();
    for (const w of workers) w.child.stdin!.write('go\n');
    let done = false;
    const results = Promise.all(workers.map(async (w) => JSON.parse(await w.nextLine()) as Tally)).finally(
      () => (done = true),
    );
    results.catch(() => undefined); // awaited below; a worker that dies must not end the process first
    // Meanwhile, the operator command line binds from the same balance (a third writer process).
    const cliMac = s.macs.at(-1)!;
    const cli: Tally = { ok: 0, insufficient: 0, failed: 0, failures: [], ms: 0 };
    const env = { MYLIC_DATA: s.dir, MYLIC_SQLITE: `${s.dir}/test.sqlite` };
    for (let i = 0; i < cliBinds && !done; i++) {
      const r = await bridgeCli(
        [
          'ops',
          'license',
          'bind',
          '--company',
          String(s.companyId),
          '--mac',
          cliMac,
          '--type',
          TYPE,
          '--units',
          '1',
          '--json',
        ],
        env,
      );
      if (r.json?.ok) cli.ok++;
      else if (r.json?.error?.code === 'BALANCE_INSUFFICIENT') cli.insufficient++;
      else {
        cli.failed++;
        if (cli.failures.length < 3) cli.failures.push(`${r.stdout}${r.stderr}`.slice(0, 300));
      }
    }
    cli.ms = performance.now() - start;
    const tallies = await results;
    for (const w of workers) w.child.stdin!.end();
    // The rate counts the worker processes over their own time; the CLI is the extra writer.
    const ms = Math.max(...tallies.map((t) => t.ms));
    const ok = tallies.reduce((n, t) => n + t.ok, 0) + cli.ok;
    return { tallies, cli, ms, ok, check: await conservation(s, ok) };
  } finally {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await s.cleanup();
  }
}

export async function benchContention(
  pki: Pki,
  log: (s: string) => void,
): Promise<{ figures: Figure[]; failed: boolean }> {
  const clients = 50;
  const attempts = 60;
  // 10% more attempts than units: the last binds must be refused, not overdrawn.
  const credit = Math.round(clients * attempts * 0.9);
  const one = await inProcess(pki, clients, attempts, credit);
  const oneRate = (one.tally.ok / one.tally.ms) * 1000;
  log(
    `contention, 1 process: ${one.tally.ok} binds + ${one.tally.insufficient} refused in ${(one.tally.ms / 1000).toFixed(2)} s = ${oneRate.toFixed(0)} binds/s; conservation ${one.check.ok ? 'ok' : `BROKEN: ${one.check.problems.join('; ')}`}`,
  );

  const two = await crossProcess(pki, 2, clients / 2, attempts, credit, 4);
  const twoRate = ((two.ok - two.cli.ok) / two.ms) * 1000;
  const refused = two.tallies.reduce((n, t) => n + t.insufficient, 0) + two.cli.insufficient;
  const failedOps = two.tallies.reduce((n, t) => n + t.failed, 0) + two.cli.failed;
  log(
    `contention, 2 processes + CLI: ${two.ok} binds (${two.tallies.map((t) => t.ok).join(' + ')} + cli ${two.cli.ok}) + ${refused} refused + ${failedOps} failed in ${(two.ms / 1000).toFixed(2)} s = ${twoRate.toFixed(0)} binds/s; conservation ${two.check.ok ? 'ok' : `BROKEN: ${two.check.problems.join('; ')}`}`,
  );

  const figures: Figure[] = [
    {
      id: 'contention.inprocess',
      item: 3,
      measurement: `Balance contention: ${clients} clients, 1 process`,
      value: oneRate,
      unit: 'binds/s',
      target: 'no unit lost or doubled',
      status: one.check.ok ? 'PASS' : 'FAIL',
      detail: { clients, attemptsPerClient: attempts, credit, ...one.tally, conservation: one.check },
    },
    {
      id: 'contention.crossprocess',
      item: 3,
      measurement: `Balance contention: 2 processes x ${clients / 2} + CLI`,
      value: twoRate,
      unit: 'binds/s',
      ratio: twoRate / oneRate,
      target: 'no unit lost or doubled',
      // A bind that failed (e.g. SQLITE_BUSY) rolled back: not a conservation failure, but reported.
      status: two.check.ok ? 'PASS' : 'FAIL',
      detail: {
        processes: 2,
        clientsPerProcess: clients / 2,
        attemptsPerClient: attempts,
        credit,
        ok: two.ok,
        refused,
        failedOps,
        perProcess: two.tallies,
        cli: two.cli,
        ms: two.ms,
        conservation: two.check,
        ratioNote: 'against the 1-process rate',
      },
    },
  ];
  return { figures, failed: !one.check.ok || !two.check.ok };
}
