import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadLoadSpec, type HttpsTiming } from './download.js';
import { runLoad, type LoadResult } from './load.js';
import { startBridgeWithFlags } from './processes.js';
import type { BenchWorld } from './setup.js';

/**
 * Where a download's time goes: the bridge runs once more under `node --cpu-prof` on the same data
 * folder for one download load, and the .cpuprofile is summarised here (self time per function,
 * time per package or module, and inclusive time of the bridge's own functions).
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  where: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** endTime - startTime of the profile. */
  wallMs: number;
  samples: number;
  totalMs: number;
  busyMs: number;
  topSelf: ProfileRow[];
  byModule: ProfileRow[];
  bundleInclusive: ProfileRow[];
}

/** The package or module a frame belongs to. */
function moduleOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtin)';
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const dist = /\/dist\/([^/]+\.mjs)$/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  return url.replace(/^file:\/\//, '');
}

const short = (url: string) =>
  url.replace(/^file:\/\/.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');

export function summariseProfile(
  profile: CpuProfile,
  file: string,
  top = 15,
  bundleFile = 'mylic-bridge.mjs',
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute it to the sample's node (µs).
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleUs = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busyUs = totalUs - idleUs;
  const row = (name: string, where: string, us: number): ProfileRow => ({
    name,
    where,
    ms: us / 1000,
    share: us / busyUs,
  });

  const selfByFn = new Map<string, { name: string; where: string; us: number }>();
  const selfByModule = new Map<string, number>();
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us || n.callFrame.functionName === '(idle)') continue;
    const f = n.callFrame;
    const where = f.url ? `${short(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName}|${where}`;
    const e = selfByFn.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 };
    e.us += us;
    selfByFn.set(key, e);
    const m = moduleOf(f);
    selfByModule.set(m, (selfByModule.get(m) ?? 0) + us);
  }

  // Inclusive time of the bridge bundle's named functions, each counted once per stack (recursion).
  const inclusive = new Map<number, number>();
  const totalOf = (id: number): number => {
    const cached = inclusive.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    const t = (self.get(id) ?? 0) + (n.children ?? []).reduce((a, c) => a + totalOf(c), 0);
    inclusive.set(id, t);
    return t;
  };
  const root = profile.nodes[0]!;
  totalOf(root.id);
  const bundleFns = new Map<string, { name: string; where: string; us: number }>();
  const walk = (id: number, open: Set<string>) => {
    const n = byId.get(id)!;
    const f = n.callFrame;
    let key: string | undefined;
    if (f.url.includes(bundleFile) && f.functionName && !open.has(f.functionName)) {
      key = f.functionName;
      const e = bundleFns.get(key) ?? {
        name: f.functionName,
        where: `dist/${bundleFile}:${f.lineNumber + 1}`,
        us: 0,
      };
      e.us += inclusive.get(id) ?? 0;
      bundleFns.set(key, e);
      open.add(key);
    }
    for (const c of n.children ?? []) walk(c, open);
    if (key) open.delete(key);
  };
  walk(root.id, new Set());

  return {
    file,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    samples: profile.samples.length,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    topSelf: [...selfByFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => row(e.name, e.where, e.us)),
    byModule: [...selfByModule.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([m, us]) => row(m, '', us)),
    bundleInclusive: [...bundleFns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => row(e.name, e.where, e.us)),
  };
}

export function renderProfile(p: ProfileSummary, title: string, bundle = 'bridge', inclusive = true): string {
  const pct = (r: ProfileRow) =>
    `${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms`;
  return [
    `${title} (${p.file}); ${p.samples} samples over ${p.wallMs.toFixed(0)} ms; busy ${p.busyMs.toFixed(0)} ms of ${p.totalMs.toFixed(0)} ms sampled`,
    'Top self time:',
    ...p.topSelf.map((r) => `  ${pct(r)}  ${r.name}  ${r.where}`),
    'Self time by package / module:',
    ...p.byModule.map((r) => `  ${pct(r)}  ${r.name}`),
    ...(inclusive
      ? [
          `Inclusive time of ${bundle} bundle functions:`,
          ...p.bundleInclusive.map((r) => `  ${pct(r)}  ${r.name}  ${r.where}`),
        ]
      : []),
  ].join('\n');
}

/**
 * Reads the .cpuprofile of the main thread that node wrote into `dir` and summarises it. Worker
 * threads (the bridge's SQLite checkpointer) write their own files, `CPU.<date>.<time>.<pid>.<thread>.<n>`;
 * the main thread is thread 0.
 */
export async function readProfile(dir: string, bundleFile: string, top = 15): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const file = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  return summariseProfile(profile, file, top, bundleFile);
}

export async function profileDownload(
  world: BenchWorld,
  t: Omit<HttpsTiming, 'ceilingMs'>,
): Promise<{ load: LoadResult; summary: ProfileSummary }> {
  const dir = join(world.dir, 'cpu-profile');
  await mkdir(dir, { recursive: true });
  const bridge = await startBridgeWithFlags(world.dataDir, ['--cpu-prof', '--cpu-prof-dir', dir]);
  let load: LoadResult;
  try {
    load = await runLoad(downloadLoadSpec(world, bridge.port, t, bridge.pid));
  } finally {
    // The profile is written when the process exits (the bridge exits on SIGTERM).
    await bridge.stop();
  }
  return { load, summary: await readProfile(dir, 'mylic-bridge.mjs') };
}
