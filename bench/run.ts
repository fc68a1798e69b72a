import { loadavg } from 'node:os';
import { join } from 'node:path';
import { benchAgent } from './agent.js';
import { benchContention } from './contention.js';
import { benchDownload, fmtLoadCpu, type HttpsTiming } from './download.js';
import { benchInvalidation } from './invalidation.js';
import { benchPages } from './pages.js';
import { ROOT } from './load.js';
import { profileDownload, renderProfile, type ProfileSummary } from './profile.js';
import { machine, renderTable, writeResults, type Figure } from './report.js';
import { setupWorld } from './setup.js';
import { benchStoreScale, renderPlans, sizeLabel } from './store-scale/queries.js';

/**
 * `npm run bench` (after `npm run build`): issue 7, items 1 to 5. Every figure is measured next to its
 * ceiling in the same run on this machine. Progress goes to stderr; the table goes to stdout and
 * everything to bench/results.json. Exits non-zero when a contention run loses or doubles a unit, or a
 * store query gives a wrong answer. Loads touch only localhost.
 *
 * Shorter runs for development: BENCH_WARMUP_MS, BENCH_DURATION_MS, BENCH_RUNS.
 * Item 4 (store scale, bench/store-scale/): MYLIC_BENCH_SKIP_SCALE=1 leaves it out,
 * MYLIC_BENCH_SCALE_MAX (default 1000000) is the largest store, MYLIC_BENCH_SCALE_QUERIES (default 300)
 * the timed queries per kind and size. `tsx bench/run.ts --only scale` runs item 4 alone (no build needed).
 */
const envInt = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const timing: HttpsTiming = {
  warmupMs: envInt('BENCH_WARMUP_MS', 2000),
  durationMs: envInt('BENCH_DURATION_MS', 8000),
  connections: 32,
  ceilingMs: 2000,
};
const agentRuns = envInt('BENCH_RUNS', 15);

const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (onlyAt >= 0 && only !== 'scale' && only !== 'pages' && only !== 'download')
  throw new Error(
    `--only: only "scale" (item 4), "pages" (item 6) or "download" (item 1 with its profile; build first) can run alone, not ${only ?? '(nothing)'}`,
  );
const runScale = only === 'scale' || (!only && process.env.MYLIC_BENCH_SKIP_SCALE !== '1');
const runPages = only === 'pages' || !only;
const scaleMax = envInt('MYLIC_BENCH_SCALE_MAX', 1_000_000);
const scaleSizes = [...new Set([10_000, 100_000, 1_000_000].filter((n) => n < scaleMax).concat(scaleMax))];

const t0 = performance.now();
const log = (s: string) =>
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${s}\n`);

const m = machine();
log(
  `${m.cpuModel} x${m.cpuCount}, node ${m.node}, load average ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}; ${timing.connections} clients, ${timing.warmupMs} ms warm-up + ${timing.durationMs} ms per load`,
);

const figures: Figure[] = [];
let profile: ProfileSummary | undefined;
let agentProfile: ProfileSummary | null = null;
let agentComposition: { name: string; bytes: number }[] = [];
let agentPerCommand: { command: string; bytes: number; upToBytes: number }[] = [];
let profileLoad: Record<string, unknown> | undefined;
let failed = false;

let scaleDetail: Record<string, unknown> | null = null;

if (!only || only === 'download') {
  const world = await setupWorld({
    downloadDevices: 64,
    invalidationDevices: only ? 1 : timing.connections,
    keyPoolSize: 8,
    log,
  });
  try {
    const download = await benchDownload(world, timing, log);
    figures.push(...download.figures);
    if (!only) {
      figures.push(
        ...(await benchInvalidation(world, world.bridge.port, timing, download.ceilingB, log)).figures,
      );
      const agent = await benchAgent(world, { runs: agentRuns, log });
      figures.push(...agent.figures);
      agentProfile = agent.startupProfile;
      agentComposition = agent.composition;
      agentPerCommand = agent.perCommand;
    }

    const profiled = await profileDownload(world, {
      warmupMs: 1000,
      durationMs: Math.min(5000, timing.durationMs),
      connections: timing.connections,
    });
    profile = profiled.summary;
    profileLoad = {
      rps: profiled.load.rps,
      latencyMs: profiled.load.latency,
      errors: profiled.load.errors,
      serverCpuCores: profiled.load.serverCpu,
    };
    log(
      `profiled download run: ${profiled.load.rps.toFixed(0)} req/s under --cpu-prof (${fmtLoadCpu(profiled.load)})`,
    );

    if (!only) {
      const contention = await benchContention(world.pki, log);
      figures.push(...contention.figures);
      failed ||= contention.failed;
    }
  } finally {
    await world.cleanup();
  }
}

// Item 4 after the others: the bridge of items 1-3 and 5 is stopped, so it takes no CPU from it.
if (runScale) {
  const scale = await benchStoreScale({
    sizes: scaleSizes,
    queries: envInt('MYLIC_BENCH_SCALE_QUERIES', 300),
    warmup: 30,
    log,
  });
  figures.push(...scale.figures);
  scaleDetail = scale.detail;
  failed ||= scale.figures.some((f) => f.status === 'FAIL');
} else if (!only) {
  figures.push({
    id: 'store.scale',
    item: 4,
    measurement: `Store scale 10k -> ${sizeLabel(scaleMax)} devices`,
    value: null,
    unit: '',
    ceilingNote: 'skipped (MYLIC_BENCH_SKIP_SCALE=1)',
    target: 'flat within 2x; < 20 ms p99 at 1M',
    status: 'pending',
  });
}
// Item 6 last, on a quiet machine too: the portal pages' server time for a company of 10k devices.
if (runPages) {
  const pages = await benchPages({ requests: envInt('MYLIC_BENCH_PAGE_REQUESTS', 400), warmup: 40, log });
  figures.push(...pages.figures);
  failed ||= pages.failed;
}
figures.sort((a, b) => a.item - b.item);

// A shared machine: when the server had to wait for a core, other processes took CPU from it.
const warnings: string[] = [];
for (const f of figures) {
  const wait = f.detail?.serverRunqueueWait;
  if (typeof wait === 'number' && wait > 0.1) {
    warnings.push(
      `${f.measurement}: the server waited for a CPU ${(wait * 100).toFixed(0)}% of the window (other processes on the machine); this figure understates what the code can do.`,
    );
  }
}
const startLoad = m.loadAverage[0] ?? 0;
if (startLoad > m.cpuCount)
  warnings.push(
    `Load average was ${startLoad.toFixed(2)} on ${m.cpuCount} cores at the start: rerun on a quiet machine for figures to compare.`,
  );

const table = renderTable(figures);
console.log(table);
if (scaleDetail) console.log(`note: ${String(scaleDetail.latency)}`);
for (const w of warnings) console.log(`warning: ${w}`);
if (profile)
  console.log(`\n${renderProfile(profile, 'CPU profile of the bridge during one download run', 'bridge')}`);
if (agentProfile)
  console.log(`\n${renderProfile(agentProfile, 'CPU profile of `mylic --version`', 'agent', false)}`);
if (agentComposition.length)
  console.log(
    `Agent bundle by package: ${agentComposition.map((c) => `${c.name} ${(c.bytes / 1000).toFixed(0)} kB`).join(', ')}`,
  );
if (agentPerCommand.length)
  console.log(
    `Agent files per command, kB loaded (up to, with its lazy imports): ${agentPerCommand.map((c) => `${c.command} ${(c.bytes / 1000).toFixed(0)}${c.upToBytes > c.bytes ? ` (${(c.upToBytes / 1000).toFixed(0)})` : ''}`).join(', ')}`,
  );
if (scaleDetail) console.log(`\n${renderPlans(scaleDetail)}`);
const out = join(ROOT, 'bench', 'results.json');
await writeResults(out, m, figures, {
  ...(only ? { command: `tsx bench/run.ts --only ${only}` } : {}),
  warnings,
  timing,
  agentRuns,
  profile: profile ? { ...profile, load: profileLoad } : null,
  agentStartupProfile: agentProfile,
  storeScale: scaleDetail,
  loadAverageAtEnd: loadavg(),
  totalSeconds: (performance.now() - t0) / 1000,
});
log(`wrote ${out}; total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (failed) {
  console.error(
    'FAIL: a contention run lost or doubled a unit, a store query answered wrongly, or a portal page did not answer 200 (see the table and bench/results.json).',
  );
  process.exitCode = 1;
}
