import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogEvent } from 'kysely';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { projectBalanceView } from '../../bridge/core/balance/index.js';
import type { Actor, Core } from '../../bridge/core/context.js';
import { listDeviceLicenses } from '../../bridge/core/licenses/index.js';
import { licenseDevices, search, searchDeviceKeys } from '../../bridge/core/devices/index.js';
import type { Database } from '../../bridge/db/schema.js';
import { makeTestCore, type TestCore } from '../../test/support/core.js';
import { tempDir } from '../../test/support/tmp.js';
import type { Figure, Status } from '../report.js';
import { percentile, round, summarize, type LatencySummary } from '../stats.js';
import { generateStore, rng, type GenerateResult } from './generate.js';

/**
 * Item 4 of issue 7: the store at 10k, 100k and 1M devices (generate.ts), and p50/p99 of the queries a
 * portal user and a device make, each through the real core function on a Core built like the tests
 * build it (test/support/core.ts): search by part of a MAC, by part of a name, the license-type search
 * `PBX-Port14=100`, a project's balance, and a device's license list (the agent's `GET /licenses`).
 *
 * "Typical company" rows: a random target device (or company) outside the large tenant; companies hold
 * ~90 devices at every size, so these show what the size of the store alone costs. "Large tenant" rows:
 * company 1, which holds 10% of all devices (1k, 10k, 100k), so its searches leave the scan path for
 * the trigram index once it passes searchTuning.scanLimit.
 *
 * Noise on a shared machine: after a warm-up the sizes are measured in interleaved rounds (10 queries on
 * each size in turn), so a busy moment hits every size alike and the growth ratios stay honest. A
 * query's latency is its wall time minus the time its thread waited for a CPU (Linux schedstat); the raw
 * wall times, the queries a GC pause fell into and those that read from storage rather than the OS
 * page cache are kept in the detail of each figure.
 *
 * At the largest size every SQL statement the functions run is captured (Kysely's log on a second
 * connection to the same file) with its time and its EXPLAIN QUERY PLAN, which is what explains a
 * figure that falls short.
 */

const TARGET = 'flat within 2x; < 20 ms p99 at 1M';
const ONE_M = 1_000_000;

export interface ScaleOptions {
  sizes: number[];
  /** Timed queries per kind and size. */
  queries: number;
  warmup: number;
  log: (s: string) => void;
}

interface DeviceFacts {
  id: number;
  hardware_id: string;
  company_id: number;
  project_id: number;
  name: string | null;
}

interface Target {
  actor: Actor;
  q?: string;
  projectId?: number;
  deviceId?: number;
}

interface Kind {
  id: string;
  label: string;
  /** Makes a random target (untimed). */
  target(f: Facts): Target;
  /** The timed call; returns false when the answer is wrong (the target was not found). */
  run(core: Core, t: Target): Promise<boolean>;
  /** Which way the device/license search went, for the detail (untimed). */
  path?(core: Core, t: Target): Promise<string>;
  /** Timed queries per size as a multiple of ScaleOptions.queries (cheap queries get more, for a steadier p99). */
  scale?: number;
}

/** Untimed look-ups on the generated file, for picking targets. */
class Facts {
  readonly random: () => number;
  private readonly byId: BetterSqlite3.Statement;
  constructor(
    readonly db: BetterSqlite3.Database,
    readonly gen: GenerateResult,
    seed: number,
  ) {
    this.random = rng(seed);
    this.byId = db.prepare(
      'select d.id, d.hardware_id, dp.company_id, dp.project_id, dp.name from devices d join device_projects dp on dp.device_id = d.id where d.id = ?',
    );
  }
  device(accept: (d: DeviceFacts) => boolean): DeviceFacts {
    for (;;) {
      const d = this.byId.get(1 + Math.floor(this.random() * this.gen.devices)) as DeviceFacts | undefined;
      if (d && accept(d)) return d;
    }
  }
  /** A company other than the large tenant. */
  company(): number {
    return 2 + Math.floor(this.random() * (this.gen.companies - 1));
  }
  project(): { id: number; company_id: number } {
    return this.db
      .prepare('select id, company_id from projects where id = ?')
      .get(1 + Math.floor(this.random() * this.gen.projects)) as { id: number; company_id: number };
  }
}

/**
 * Time this thread has spent runnable but waiting for a CPU, in ms (Linux schedstat; 0 elsewhere). A
 * query's latency is its wall time minus the wait within it: on a shared machine, other processes'
 * time slices otherwise make up the p99 of a 1 ms query.
 */
let schedstat = true;
export function runqueueWaitMs(): number {
  if (!schedstat) return 0;
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    schedstat = false;
    return 0;
  }
}
/** Bytes this thread caused to be read from storage (/proc/thread-self/io read_bytes; 0 where unavailable). */
let procIo = true;
function storageReadBytes(): number {
  if (!procIo) return 0;
  try {
    return Number(/read_bytes: (\d+)/.exec(readFileSync('/proc/thread-self/io', 'utf8'))?.[1] ?? 0);
  } catch {
    procIo = false;
    return 0;
  }
}

export const latencyNote = () =>
  schedstat
    ? 'Item 4 latencies are wall time minus the time the thread waited for a CPU (/proc/thread-self/schedstat); raw wall times: detail.wallMs in bench/results.json.'
    : 'Item 4 latencies are wall times (no /proc/thread-self/schedstat here to take out waits for a CPU).';

const percentileOf = (values: number[], p: number) => percentile(Float64Array.from(values).sort(), p);

const portalActor = (companyId: number): Actor => ({ userId: companyId, companyId, projectId: null });
/** The last 3 bytes of the MAC as the portal shows them ("0A-1B-2C"). */
const macPart = (hw: string) => hw.slice(6).match(/../g)!.join('-');

function kinds(): Kind[] {
  const typical = (d: DeviceFacts) => d.company_id !== 1;
  const large = (d: DeviceFacts) => d.company_id === 1;
  const devicePath = async (core: Core, t: Target) =>
    (await searchDeviceKeys(core.store.db, { companyId: t.actor.companyId!, external: [] }, t.q!)).path;
  const licensePath = async (core: Core, t: Target) =>
    (await licenseDevices(core.store.db, { companyId: t.actor.companyId!, external: [] }, 'PBX-Port14', 100))
      .path;
  const macSearch = (id: string, label: string, accept: (d: DeviceFacts) => boolean): Kind => ({
    id,
    label,
    target: (f) => {
      const d = f.device(accept);
      return { actor: portalActor(d.company_id), q: macPart(d.hardware_id), deviceId: d.id };
    },
    run: async (core, t) => (await search(core, t.actor, t.q!)).devices.some((d) => d.id === t.deviceId),
    path: devicePath,
  });
  const nameSearch = (id: string, label: string, accept: (d: DeviceFacts) => boolean): Kind => ({
    id,
    label,
    target: (f) => {
      const d = f.device((x) => x.name !== null && accept(x));
      return { actor: portalActor(d.company_id), q: d.name!, deviceId: d.id };
    },
    // At most 50 hits are shown: a name shared by more devices need not list the target.
    run: async (core, t) => {
      const r = await search(core, t.actor, t.q!);
      return r.devicesTruncated || r.devices.some((d) => d.id === t.deviceId);
    },
    path: devicePath,
  });
  const licenseSearch = (id: string, label: string, company: (f: Facts) => number): Kind => ({
    id,
    label,
    target: (f) => ({ actor: portalActor(company(f)), q: 'PBX-Port14=100' }),
    run: async (core, t) => (await search(core, t.actor, t.q!)).licenses !== null,
    path: licensePath,
  });
  return [
    macSearch('mac', 'search by MAC part (typical co.)', typical),
    nameSearch('name', 'search by name part (typical co.)', typical),
    licenseSearch('license', 'search PBX-Port14=100 (typical co.)', (f) => f.company()),
    {
      id: 'balance',
      label: "a project's balance",
      target: (f) => {
        const p = f.project();
        return { actor: portalActor(p.company_id), projectId: p.id };
      },
      run: async (core, t) =>
        (await projectBalanceView(core, t.actor, t.projectId!)).projectId === t.projectId,
      scale: 3,
    },
    {
      id: 'device-licenses',
      label: "a device's license list (agent)",
      target: (f) => {
        const d = f.device(() => true);
        return { actor: { userId: d.company_id, deviceId: d.id }, deviceId: d.id };
      },
      run: async (core, t) => (await listDeviceLicenses(core, t.actor)).licenses.length > 0,
      scale: 3,
    },
    macSearch('large-mac', 'search by MAC part (large tenant)', large),
    nameSearch('large-name', 'search by name part (large tenant)', large),
    licenseSearch('large-license', 'search PBX-Port14=100 (large tenant)', () => 1),
  ];
}

export const sizeLabel = (n: number) =>
  n >= ONE_M && n % ONE_M === 0 ? `${n / ONE_M}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);

const countLabel = (n: number) =>
  n >= ONE_M ? `${round(n / ONE_M)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : n.toLocaleString('en-US');

interface Captured {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

/** A Core on a second connection to `file` whose Kysely records every statement with its time. */
function loggingCore(
  file: string,
  like: Core,
  sink: Captured[],
): { core: Core; raw: BetterSqlite3.Database; close: () => Promise<void> } {
  const raw = new BetterSqlite3(file);
  // The same settings as openSqliteStore.
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  const log = (e: LogEvent) => {
    if (e.level === 'query')
      sink.push({ sql: e.query.sql, parameters: e.query.parameters, ms: e.queryDurationMillis });
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }), log });
  const core: Core = {
    ...like,
    store: {
      dialect: 'sqlite',
      db,
      write: () => Promise.reject(new Error('read-only profiling core')),
      close: () => db.destroy(),
    },
  };
  return { core, raw, close: () => db.destroy() };
}

/**
 * A statement's shape: the same query with another number of keys (`(a = ? and b = ?) or (…)`, `in (?, ?)`)
 * is one statement in the profile.
 */
const shape = (sql: string) =>
  sql.replace(/(\([^()]*\))(?: or \1)+/g, '$1 or …').replace(/\(\?(?:, \?)+\)/g, '(?, …)');

/** EXPLAIN QUERY PLAN as indented lines. */
function explain(raw: BetterSqlite3.Database, sql: string, parameters: readonly unknown[]): string[] {
  const rows = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(parameters as unknown[])) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const depth = new Map<number, number>([[0, -1]]);
  const lines = rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
  return collapse(lines);
}

/** Runs of the same 2-line block (e.g. the 50 arms of a MULTI-INDEX OR) written once with their count. */
function collapse(lines: string[]): string[] {
  const norm = lines.map((l) => l.replace(/\bINDEX \d+$/, 'INDEX n'));
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let k = 1;
    while (i + 2 * k + 1 < lines.length && norm[i + 2 * k] === norm[i] && norm[i + 2 * k + 1] === norm[i + 1])
      k++;
    if (k > 1) {
      out.push(`${norm[i]} (x${k})`, lines[i + 1]!);
      i += 2 * k;
    } else {
      out.push(lines[i]!);
      i++;
    }
  }
  return out;
}

interface StatementProfile {
  sql: string;
  calls: number;
  /** Per call of the core function. */
  perCall: number;
  meanMs: number;
  maxMs: number;
  /** Share of the core function's wall time spent in this statement. */
  share: number;
  plan: string[];
}

interface KindProfile {
  kind: string;
  label: string;
  calls: number;
  meanCallMs: number;
  sqlShare: number;
  statements: StatementProfile[];
}

async function profileKind(
  kind: Kind,
  facts: Facts,
  baseCore: Core,
  file: string,
  calls: number,
): Promise<KindProfile> {
  const sink: Captured[] = [];
  const { core, raw, close } = loggingCore(file, baseCore, sink);
  try {
    const targets = Array.from({ length: calls + 10 }, () => kind.target(facts));
    for (const t of targets.slice(0, 10)) await kind.run(core, t);
    sink.length = 0;
    let wall = 0;
    for (const t of targets.slice(10)) {
      const t0 = performance.now();
      await kind.run(core, t);
      wall += performance.now() - t0;
    }
    const by = new Map<string, Captured[]>();
    for (const c of sink) {
      const key = shape(c.sql);
      by.set(key, [...(by.get(key) ?? []), c]);
    }
    const statements = [...by.entries()]
      .map(([sql, list]) => {
        const total = list.reduce((s, c) => s + c.ms, 0);
        const slowest = list.reduce((a, b) => (b.ms > a.ms ? b : a));
        return {
          sql,
          calls: list.length,
          perCall: list.length / calls,
          meanMs: total / list.length,
          maxMs: slowest.ms,
          share: total / wall,
          plan: explain(raw, slowest.sql, slowest.parameters),
        };
      })
      .sort((a, b) => b.share - a.share);
    const sqlMs = sink.reduce((s, c) => s + c.ms, 0);
    return {
      kind: kind.id,
      label: kind.label,
      calls,
      meanCallMs: wall / calls,
      sqlShare: sqlMs / wall,
      statements,
    };
  } finally {
    await close();
  }
}

interface SizeRun {
  n: number;
  gen: GenerateResult;
  tc: TestCore;
  facts: Facts;
}

export interface ScaleResult {
  figures: Figure[];
  detail: Record<string, unknown>;
}

export async function benchStoreScale(opts: ScaleOptions): Promise<ScaleResult> {
  const sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
  const max = sizes[sizes.length - 1]!;
  const min = sizes[0]!;
  const { dir, cleanup } = await tempDir('mylic-scale-');
  const runs: SizeRun[] = [];
  try {
    const pki: Pki = await loadOrCreateDevPki(join(dir, 'pki'));
    for (const n of sizes) {
      const sub = join(dir, `n${n}`);
      mkdirSync(sub, { recursive: true });
      opts.log(`store scale: generating ${sizeLabel(n)} devices`);
      const gen = await generateStore({ file: join(sub, 'test.sqlite'), devices: n, log: opts.log });
      const tc = await makeTestCore(sub, pki);
      runs.push({
        n,
        gen,
        tc,
        facts: new Facts(new BetterSqlite3(gen.file, { readonly: true }), gen, 1000 + n),
      });
    }

    const list = kinds();
    /** Per kind and size: latency = wall time minus the time the thread waited for a CPU (the figures). */
    const samples = new Map<string, Map<number, number[]>>();
    /** Raw wall-clock times and the runqueue waits within them. */
    const wallSamples = new Map<string, Map<number, number[]>>();
    const waitSamples = new Map<string, Map<number, number[]>>();
    /** Bytes the query made the kernel read from storage (page cache misses). */
    const readSamples = new Map<string, Map<number, number[]>>();
    /** Per kind and size: timed queries during which a GC pause started. */
    const withGc = new Map<string, Map<number, number[]>>();
    const wrong = new Map<string, Map<number, number>>();
    const paths = new Map<string, Map<number, Record<string, number>>>();
    const batch = 10;
    const gcPauses: { start: number; end: number }[] = [];
    const gcObserver = new PerformanceObserver((items) => {
      for (const e of items.getEntries())
        gcPauses.push({ start: e.startTime, end: e.startTime + e.duration });
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    try {
      for (const kind of list) {
        const started = performance.now();
        const rounds = Math.max(1, Math.ceil((opts.queries * (kind.scale ?? 1)) / batch));
        const per = new Map<number, number[]>();
        const wall = new Map<number, number[]>();
        const waits = new Map<number, number[]>();
        const reads = new Map<number, number[]>();
        readSamples.set(kind.id, reads);
        wallSamples.set(kind.id, wall);
        waitSamples.set(kind.id, waits);
        const spans = new Map<number, [number, number][]>();
        const bad = new Map<number, number>();
        samples.set(kind.id, per);
        wrong.set(kind.id, bad);
        for (const r of runs) {
          per.set(r.n, []);
          wall.set(r.n, []);
          waits.set(r.n, []);
          reads.set(r.n, []);
          spans.set(r.n, []);
          bad.set(r.n, 0);
          for (let i = 0; i < opts.warmup; i++) await kind.run(r.tc.core, kind.target(r.facts));
          if (kind.path) {
            const count: Record<string, number> = {};
            for (let i = 0; i < 20; i++) {
              const p = await kind.path(r.tc.core, kind.target(r.facts));
              count[p] = (count[p] ?? 0) + 1;
            }
            if (!paths.has(kind.id)) paths.set(kind.id, new Map());
            paths.get(kind.id)!.set(r.n, count);
          }
        }
        gcPauses.length = 0;
        for (let round = 0; round < rounds; round++) {
          for (const r of runs) {
            const targets = Array.from({ length: batch }, () => kind.target(r.facts));
            for (const t of targets) {
              const io0 = storageReadBytes();
              const w0 = runqueueWaitMs();
              const t0 = performance.now();
              const ok = await kind.run(r.tc.core, t);
              const t1 = performance.now();
              const waited = runqueueWaitMs() - w0;
              reads.get(r.n)!.push(storageReadBytes() - io0);
              per.get(r.n)!.push(Math.max(0, t1 - t0 - waited));
              wall.get(r.n)!.push(t1 - t0);
              waits.get(r.n)!.push(waited);
              spans.get(r.n)!.push([t0, t1]);
              if (!ok) bad.set(r.n, bad.get(r.n)! + 1);
            }
          }
        }
        // GC entries arrive asynchronously.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const gcBy = new Map<number, number[]>();
        for (const r of runs) {
          gcBy.set(
            r.n,
            spans
              .get(r.n)!
              .flatMap(([a, b], i) => (gcPauses.some((g) => g.start < b && g.end > a) ? [i] : [])),
          );
        }
        withGc.set(kind.id, gcBy);
        const s = runs
          .map(
            (r) =>
              `${sizeLabel(r.n)} p50 ${summarize(per.get(r.n)!).p50.toFixed(2)} p99 ${summarize(per.get(r.n)!).p99.toFixed(2)} (wall ${summarize(wall.get(r.n)!).p99.toFixed(2)}) ms`,
          )
          .join(', ');
        opts.log(`store scale: ${kind.label}: ${s} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      }
    } finally {
      gcObserver.disconnect();
    }

    // Statements, their times and plans at the largest size.
    const top = runs[runs.length - 1]!;
    const profiles: KindProfile[] = [];
    for (const kind of list) profiles.push(await profileKind(kind, top.facts, top.tc.core, top.gen.file, 50));
    opts.log(`store scale: captured statements and plans at ${sizeLabel(max)}`);

    // Figures.
    const figures: Figure[] = [];
    const largest = runs[runs.length - 1]!;
    const genTarget = 180;
    figures.push({
      id: 'store.generate',
      item: 4,
      measurement: `Store generation: ${sizeLabel(max)} devices, ${countLabel(largest.gen.licenses)} licenses, ${countLabel(largest.gen.companies)} companies`,
      value: largest.gen.seconds,
      unit: 's',
      ceilingNote: runs
        .slice(0, -1)
        .map((r) => `${sizeLabel(r.n)}: ${round(r.gen.seconds)} s`)
        .join(', '),
      target:
        max >= ONE_M
          ? `<= ${genTarget} s for 1M devices + 5M licenses`
          : `(1M not run: MYLIC_BENCH_SCALE_MAX=${max})`,
      status: max >= ONE_M ? (largest.gen.seconds <= genTarget ? 'meets' : 'short') : 'info',
      detail: Object.fromEntries(
        runs.map((r) => [sizeLabel(r.n), { ...r.gen, file: undefined, seconds: round(r.gen.seconds) }]),
      ),
    });
    const mid = runs.find((r) => r.n === 100_000) ?? runs[Math.floor(runs.length / 2)]!;
    for (const kind of list) {
      const per = samples.get(kind.id)!;
      const sum = new Map<number, LatencySummary>(runs.map((r) => [r.n, summarize(per.get(r.n)!)]));
      const at = (n: number) => sum.get(n)!;
      const growth = at(max).p99 / at(min).p99;
      const growthMid = at(mid.n).p99 / at(min).p99;
      const flat = growth <= 2 && growthMid <= 2;
      const fast = at(max).p99 < 20;
      const wrongAny = [...wrong.get(kind.id)!.values()].some((v) => v > 0);
      const status: Status = wrongAny ? 'FAIL' : max < ONE_M ? 'info' : flat && fast ? 'meets' : 'short';
      figures.push({
        id: `store.${kind.id}`,
        item: 4,
        measurement: `Store: ${kind.label}, p99 at ${sizeLabel(max)} (p50 ${round(at(max).p50)} ms)`,
        value: at(max).p99,
        unit: 'ms',
        ceiling: at(min).p99,
        ceilingNote: `p99 at ${sizeLabel(min)}; ${sizeLabel(mid.n)}/${sizeLabel(min)} ${round(growthMid)}×`,
        ratio: growth,
        ratioAs: 'times',
        target: TARGET,
        status,
        detail: {
          latencyMs: Object.fromEntries(runs.map((r) => [sizeLabel(r.n), at(r.n)])),
          wallMs: Object.fromEntries(
            runs.map((r) => [sizeLabel(r.n), summarize(wallSamples.get(kind.id)!.get(r.n)!)]),
          ),
          /** Queries that had to read from storage (not the OS page cache), overall and among the slowest 1%. */
          storageReads: Object.fromEntries(
            runs.map((r) => {
              const b = readSamples.get(kind.id)!.get(r.n)!;
              const all = per.get(r.n)!;
              const slow = percentileOf(all, 99);
              return [
                sizeLabel(r.n),
                {
                  queries: b.filter((v) => v > 0).length,
                  atOrAboveP99: all.filter((v, i) => v >= slow && b[i]! > 0).length,
                  bytes: b.reduce((x, y) => x + y, 0),
                },
              ];
            }),
          ),
          cpuWait: Object.fromEntries(
            runs.map((r) => {
              const w = waitSamples.get(kind.id)!.get(r.n)!;
              return [
                sizeLabel(r.n),
                {
                  queriesWaitingOver1ms: w.filter((v) => v > 1).length,
                  totalMs: w.reduce((a, b) => a + b, 0),
                  maxMs: Math.max(...w),
                },
              ];
            }),
          ),
          growthP99: {
            [`${sizeLabel(mid.n)}/${sizeLabel(min)}`]: growthMid,
            [`${sizeLabel(max)}/${sizeLabel(min)}`]: growth,
          },
          growthP50: {
            [`${sizeLabel(mid.n)}/${sizeLabel(min)}`]: at(mid.n).p50 / at(min).p50,
            [`${sizeLabel(max)}/${sizeLabel(min)}`]: at(max).p50 / at(min).p50,
          },
          wrongAnswers: Object.fromEntries([...wrong.get(kind.id)!].map(([n, v]) => [sizeLabel(n), v])),
          /** Queries during which a V8 GC pause started, and the latency without them (how much of the tail is GC). */
          gc: Object.fromEntries(
            runs.map((r) => {
              const hit = new Set(withGc.get(kind.id)!.get(r.n)!);
              const all = per.get(r.n)!;
              const slow = percentileOf(all, 99);
              return [
                sizeLabel(r.n),
                {
                  queriesWithGc: hit.size,
                  ofQueriesAtOrAboveP99: all.filter((v, i) => v >= slow && hit.has(i)).length,
                  queriesAtOrAboveP99: all.filter((v) => v >= slow).length,
                  withoutGc: summarize(all.filter((_, i) => !hit.has(i))),
                },
              ];
            }),
          ),
          ...(paths.has(kind.id)
            ? { searchPath: Object.fromEntries([...paths.get(kind.id)!].map(([n, v]) => [sizeLabel(n), v])) }
            : {}),
        },
      });
    }

    return {
      figures,
      detail: {
        sizes,
        queriesPerSize: Object.fromEntries(
          list.map((k) => [k.id, Math.ceil((opts.queries * (k.scale ?? 1)) / batch) * batch]),
        ),
        warmupPerSize: opts.warmup,
        note: 'Typical company: targets outside company 1; large tenant: company 1 with 10% of the devices. Sizes measured in interleaved rounds of 10 queries.',
        latency: latencyNote(),
        generation: Object.fromEntries(runs.map((r) => [sizeLabel(r.n), { ...r.gen, file: undefined }])),
        /** Every statement each core function ran at the largest size: share of its time, and the plan. */
        plansAt: sizeLabel(max),
        profiles,
      },
    };
  } finally {
    for (const r of runs) {
      r.facts.db.close();
      await r.tc.close();
    }
    await cleanup();
  }
}

/** The plans in short: per query, the statements that take most of its time, with their plans. */
export function renderPlans(detail: Record<string, unknown>, topStatements = 2): string {
  const profiles = detail.profiles as KindProfile[] | undefined;
  if (!profiles) return '';
  const out = [
    `Store queries at ${String(detail.plansAt)}: where the time goes (share of the call; statement; plan)`,
  ];
  for (const p of profiles) {
    out.push(
      `- ${p.label}: ${p.meanCallMs.toFixed(2)} ms per call, ${(p.sqlShare * 100).toFixed(0)}% in SQL, ${p.statements.reduce((s, x) => s + x.perCall, 0).toFixed(1)} statements`,
    );
    for (const s of p.statements.slice(0, topStatements)) {
      out.push(
        `    ${(s.share * 100).toFixed(0).padStart(3)}%  ${s.meanMs.toFixed(3)} ms x${s.perCall.toFixed(1)}  ${s.sql.length > 110 ? `${s.sql.slice(0, 107)}...` : s.sql}`,
      );
      for (const line of s.plan) out.push(`          ${line}`);
    }
  }
  return out.join('\n');
}
