import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { cpuTimeMs, runqueueWaitMs, type LoadResult, type LoadSpec } from './load.js';
import { summarize } from './stats.js';

/**
 * The load generator (a child process; see load.ts): `connections` workers, each with one request
 * in flight, over an undici Agent that trusts only the bridge's root CA. After `warmupMs` it counts
 * the answers completed in the next `durationMs` and their latencies; requests still in flight at
 * the end are not counted. With `connectPath`, all connections are opened before the clock starts.
 * Prints one JSON line (LoadResult).
 */
const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
const ca = readFileSync(spec.caFile, 'utf8');
const dispatcher = new Agent({ connect: { ca }, connections: spec.connections, pipelining: 1 });
const url = new URL(spec.path, spec.origin);

const latencies: number[] = [];
const statusCounts: Record<string, number> = {};
const errorSamples: string[] = [];
let ok = 0;
let errors = 0;
let warmupRequests = 0;
let exhaustedLanes = 0;
let tokenCursor = 0;
const slowest: LoadResult['slowest'] = [];

// Open every connection first (TLS handshakes while the server is idle), so that connections opened
// against an already saturated server do not show up as multi-second first requests.
if (spec.connectPath) {
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      const res = await request(new URL(spec.connectPath!, spec.origin), { method: 'GET', dispatcher });
      await res.body.dump();
    }),
  );
}

const begin = performance.now();
const measureStart = begin + spec.warmupMs;
const endAt = measureStart + spec.durationMs;

// CPU of this process and of the server over the measured window.
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
const cpuWindow = (async () => {
  await sleepUntil(measureStart);
  const clientStart = process.cpuUsage();
  const serverStart = spec.serverPid ? await cpuTimeMs(spec.serverPid) : null;
  const waitStart = spec.serverPid ? await runqueueWaitMs(spec.serverPid) : null;
  await sleepUntil(endAt);
  const d = process.cpuUsage(clientStart);
  const serverEnd = spec.serverPid ? await cpuTimeMs(spec.serverPid) : null;
  const waitEnd = spec.serverPid ? await runqueueWaitMs(spec.serverPid) : null;
  return {
    clientMs: (d.user + d.system) / 1000,
    serverMs: serverEnd !== null && serverStart !== null ? serverEnd - serverStart : null,
    serverWaitMs: waitEnd !== null && waitStart !== null ? waitEnd - waitStart : null,
  };
})();

async function worker(w: number): Promise<void> {
  const lane = spec.lanes?.[w];
  let laneIndex = 0;
  for (;;) {
    if (performance.now() >= endAt) return;
    let token: string | undefined;
    let body: string | undefined;
    if (lane) {
      const item = lane[laneIndex++];
      if (!item) {
        exhaustedLanes++;
        return;
      }
      token = item.token;
      body = item.body;
    } else {
      token = spec.tokens?.length ? spec.tokens[tokenCursor++ % spec.tokens.length] : undefined;
      body = spec.body;
    }
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (spec.contentType) headers['content-type'] = spec.contentType;

    const start = performance.now();
    let status = 0;
    let text = '';
    try {
      const res = await request(url, { method: spec.method, headers, body, dispatcher });
      status = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      text = (e as Error).message;
    }
    const end = performance.now();
    if (end < measureStart) {
      warmupRequests++;
      continue;
    }
    if (end > endAt) return;
    const good =
      status >= 200 &&
      status < 300 &&
      (spec.expectBodyIncludes === undefined || text.includes(spec.expectBodyIncludes));
    const key = good
      ? String(status)
      : status === 0
        ? 'network'
        : `${status}${status < 300 ? ' (unexpected body)' : ''}`;
    statusCounts[key] = (statusCounts[key] ?? 0) + 1;
    latencies.push(end - start);
    slowest.push({
      atMs: Math.round(start - measureStart),
      ms: Math.round(end - start),
      worker: w,
      status: key,
    });
    if (slowest.length > 40) slowest.sort((x, y) => y.ms - x.ms).splice(10);
    if (good) ok++;
    else {
      errors++;
      if (errorSamples.length < 3) errorSamples.push(`${key}: ${text.slice(0, 300)}`);
    }
  }
}

await Promise.all(Array.from({ length: spec.connections }, (_, w) => worker(w)));
const cpu = await cpuWindow;
await dispatcher.close();

const windowMs = spec.durationMs;
const result: LoadResult = {
  ok,
  errors,
  statusCounts,
  errorSamples,
  rps: (ok / windowMs) * 1000,
  latency: summarize(latencies),
  windowMs,
  warmupRequests,
  exhaustedLanes,
  slowest: slowest.sort((x, y) => y.ms - x.ms).slice(0, 10),
  clientCpu: cpu.clientMs / windowMs,
  serverCpu: cpu.serverMs === null ? null : cpu.serverMs / windowMs,
  serverRunqueueWait: cpu.serverWaitMs === null ? null : cpu.serverWaitMs / windowMs,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
