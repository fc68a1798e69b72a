import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LatencySummary } from './stats.js';

/**
 * The load generator runs in its own node process (bench/load-client.ts, undici), so the bridge
 * process under test and the client never share an event loop. This module is the parent side:
 * the spec goes to the child as a JSON file, the result comes back as one JSON line on stdout.
 */
export const ROOT = resolve(import.meta.dirname, '..');
const LOAD_CLIENT = resolve(import.meta.dirname, 'load-client.ts');

export interface LaneItem {
  token: string;
  body: string;
}

export interface LoadSpec {
  /** https://localhost:PORT */
  origin: string;
  /** The root CA the client trusts (and nothing else). */
  caFile: string;
  method: 'GET' | 'POST';
  path: string;
  contentType?: string;
  /** Concurrent requests = undici connections = workers. */
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Bearer tokens, spread round-robin over the requests. */
  tokens?: string[];
  /** The same body on every request. */
  body?: string;
  /**
   * One ordered list per worker, each item sent once (for documents that must not be replayed and
   * must arrive in counter order per device). Overrides tokens and body.
   */
  lanes?: LaneItem[][];
  /** A 2xx body must contain this, else the request counts as an error. */
  expectBodyIncludes?: string;
  /** A cheap GET (e.g. /healthz) sent once per connection before the clock starts, to open them all. */
  connectPath?: string;
  /** The server's pid: the client samples its CPU time over the measured window (/proc). */
  serverPid?: number;
}

export interface LoadResult {
  /** 2xx answers completed inside the measured window. */
  ok: number;
  errors: number;
  statusCounts: Record<string, number>;
  errorSamples: string[];
  /** ok per second over the measured window. */
  rps: number;
  /** Latency of every request completed inside the window, in ms. */
  latency: LatencySummary;
  windowMs: number;
  warmupRequests: number;
  /** Workers whose lane ran out of items before the window ended (lanes mode). */
  exhaustedLanes: number;
  /** The 10 slowest requests of the window: start (ms after the window opened), latency, worker. */
  slowest: { atMs: number; ms: number; worker: number; status: string }[];
  /** CPU time used in the window, as a fraction of one core. */
  clientCpu: number;
  serverCpu: number | null;
  /**
   * Share of the window the server's main thread was ready to run but waited for a CPU
   * (/proc/PID/schedstat): high when other processes on the machine took the cores.
   */
  serverRunqueueWait: number | null;
}

/** Runs one load in a fresh child process and returns what it measured. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mylic-load-'));
  const specFile = join(dir, 'spec.json');
  await writeFile(specFile, JSON.stringify(spec));
  try {
    return await new Promise<LoadResult>((resolvePromise, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', LOAD_CLIENT, specFile], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const limit = setTimeout(() => child.kill('SIGKILL'), spec.warmupMs + spec.durationMs + 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(limit);
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          if (code !== 0) throw new Error(`exit ${code}`);
          resolvePromise(JSON.parse(line) as LoadResult);
        } catch (e) {
          reject(new Error(`load client failed (${(e as Error).message}):\n${stderr}\n${stdout}`));
        }
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// /proc helpers: CPU time of a process (Linux), and finding a child we did not spawn ourselves.

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid` in ms, or null where /proc is not available. */
export async function cpuTimeMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Time the main thread of `pid` spent runnable but waiting for a CPU, in ms (Linux schedstat). */
export async function runqueueWaitMs(pid: number): Promise<number | null> {
  try {
    const fields = (await readFile(`/proc/${pid}/schedstat`, 'utf8')).trim().split(/\s+/);
    return Number(fields[1]) / 1e6;
  } catch {
    return null;
  }
}

/** The pid of a direct child of this process whose command line contains `needle` (newest first). */
export async function findChildPid(needle: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const found: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = await readFile(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = (await readFile(`/proc/${e}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmdline.includes(needle)) found.push(Number(e));
    } catch {
      // the process ended meanwhile
    }
  }
  return found.sort((a, b) => b - a)[0];
}
