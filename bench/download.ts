import {
  constants,
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';
import { encodeLicenseFile } from '../protocol/documents/index.js';
import type { LicenseFilePayload } from '../protocol/documents/payloads.js';
import { runLoad, type LoadResult } from './load.js';
import { startServerProcess } from './processes.js';
import type { Figure } from './report.js';
import type { BenchWorld } from './setup.js';
import { opsPerSecond } from './stats.js';

/**
 * Item 1: the signed, encrypted license file for one device over HTTPS, N concurrent clients on
 * loopback, against (a) the crypto of one file in a loop on one core and (b) a trivial Hono route on
 * the same server stack.
 */
export interface HttpsTiming {
  warmupMs: number;
  durationMs: number;
  connections: number;
  ceilingMs: number;
}

/** What the bridge puts in a file for a download device (see setup: 3 licenses). */
export function samplePayload(hardwareId: string): LicenseFilePayload {
  const today = new Date().toISOString().slice(0, 10);
  const lic = (type: string, units: number, returnable: boolean) => ({
    serial: `L-${randomBytes(8).toString('hex').toUpperCase()}`,
    type,
    units,
    returnable,
    bindDate: today,
    ssaEnd: null,
    externalKey: null,
  });
  return {
    kind: 'license',
    hardwareId,
    version: 13,
    fileId: randomUUID(),
    issuedAt: new Date().toISOString(),
    deviceCounter: 0,
    encrypted: true,
    licenses: [lic('PBX-Port13', 4, true), lic('PBX-Voicemail14', 1, true), lic('GW-Channel', 2, false)],
  };
}

/** Ceiling (b): the trivial route on the same stack, loaded by the same client. */
export async function trivialRouteCeiling(world: BenchWorld, t: HttpsTiming): Promise<LoadResult> {
  const server = await startServerProcess(
    ['--import', 'tsx', 'bench/trivial-server.ts', world.pki.dir],
    /listening (\d+)/,
  );
  try {
    return await runLoad({
      origin: `https://localhost:${server.port}/`,
      caFile: `${world.pki.dir}/root-ca.pem`,
      method: 'GET',
      path: '/healthz',
      connections: t.connections,
      warmupMs: t.warmupMs,
      durationMs: t.durationMs,
      expectBodyIncludes: '"ok"',
      connectPath: '/healthz',
      serverPid: server.pid,
    });
  } finally {
    await server.stop();
  }
}

export function downloadLoadSpec(
  world: BenchWorld,
  port: number,
  t: Omit<HttpsTiming, 'ceilingMs'>,
  serverPid: number | undefined,
) {
  return {
    origin: `https://localhost:${port}/`,
    caFile: `${world.pki.dir}/root-ca.pem`,
    method: 'POST' as const,
    path: '/device/v1/license-file',
    contentType: 'application/json',
    body: JSON.stringify({ version: 13 }),
    tokens: world.downloadDevices.map((d) => d.token),
    connections: t.connections,
    warmupMs: t.warmupMs,
    durationMs: t.durationMs,
    // Only an encrypted V13 file counts.
    expectBodyIncludes: 'RSA-OAEP-SHA256+A256GCM',
    connectPath: '/healthz',
    ...(serverPid ? { serverPid } : {}),
  };
}

export function httpsFigures(
  prefix: string,
  item: number,
  what: string,
  ours: LoadResult,
  a: number,
  b: LoadResult,
  t: HttpsTiming,
): Figure[] {
  const ceiling = Math.min(a, b.rps);
  const ratio = ours.rps / ceiling;
  const detail = {
    connections: t.connections,
    warmupMs: t.warmupMs,
    durationMs: t.durationMs,
    ok: ours.ok,
    errors: ours.errors,
    statusCounts: ours.statusCounts,
    errorSamples: ours.errorSamples,
    latencyMs: ours.latency,
    serverCpuCores: ours.serverCpu,
    serverRunqueueWait: ours.serverRunqueueWait,
    /** Requests per second of server CPU time: the rate per core even when the server was not saturated. */
    perServerCore: ours.serverCpu ? ours.rps / ours.serverCpu : null,
    clientCpuCores: ours.clientCpu,
    exhaustedLanes: ours.exhaustedLanes,
    slowest: ours.slowest,
    limitedBy: a <= b.rps ? 'a: crypto per core' : 'b: trivial route',
  };
  const p99 = ours.latency.p99;
  return [
    {
      id: `${prefix}.rate`,
      item,
      measurement: `${what}, ${t.connections} clients`,
      value: ours.rps,
      unit: 'req/s',
      ceiling,
      ceilingNote: `(min of a, b)`,
      ratio,
      target: '>= 50% of min(a,b)',
      status: ours.errors > 0 ? 'short' : ratio >= 0.5 ? 'meets' : 'short',
      detail,
    },
    {
      id: `${prefix}.p50`,
      item,
      measurement: `${what} p50 latency`,
      value: ours.latency.p50,
      unit: 'ms',
      status: 'info',
    },
    {
      id: `${prefix}.p99`,
      item,
      measurement: `${what} p99 latency`,
      value: p99,
      unit: 'ms',
      target: '< 50 ms',
      status: p99 < 50 ? 'meets' : 'short',
    },
  ];
}

export async function benchDownload(
  world: BenchWorld,
  bridgePort: number,
  t: HttpsTiming,
  log: (s: string) => void,
) {
  const device = world.downloadDevices[0]!;
  const laKeyPem = world.pki.licenseAuthority.keyPem;

  // (a) encodeLicenseFile as the bridge calls it: schema check, sign (RSA-PSS), key wrap (RSA-OAEP), AES-GCM, XML.
  const payload = samplePayload(device.hardwareId);
  const ceilingLoop = () =>
    opsPerSecond(() => {
      encodeLicenseFile(
        { ...payload, fileId: randomUUID(), issuedAt: new Date().toISOString() },
        laKeyPem,
        device.certPem,
      );
    }, t.ceilingMs);
  const aBefore = ceilingLoop();
  // (a0) the same three primitives alone, keys parsed once: the floor of the crypto cost.
  const laKey = createPrivateKey(laKeyPem);
  const deviceKey = createPublicKey(device.certPem);
  const payloadBytes = Buffer.from(JSON.stringify(payload));
  const signedSize = 2 * payloadBytes.length + 600;
  const a0 = opsPerSecond(() => {
    const sig = sign('sha256', Buffer.concat([Buffer.from('license/'), payloadBytes]), {
      key: laKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const aesKey = randomBytes(32);
    const cipher = createCipheriv('aes-256-gcm', aesKey, randomBytes(12));
    Buffer.concat([cipher.update(Buffer.alloc(signedSize, sig[0])), cipher.final()]);
    cipher.getAuthTag();
    publicEncrypt({ key: deviceKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey);
  }, t.ceilingMs);
  log(
    `download ceiling a: encodeLicenseFile ${aBefore.opsPerSec.toFixed(0)}/s (raw primitives ${a0.opsPerSec.toFixed(0)}/s)`,
  );

  const b = await trivialRouteCeiling(world, t);
  log(
    `ceiling b: trivial Hono route ${b.rps.toFixed(0)} req/s, p99 ${b.latency.p99.toFixed(1)} ms (${fmtLoadCpu(b)})`,
  );

  const ours = await runLoad(downloadLoadSpec(world, bridgePort, t, world.bridgePid));

  // The ceiling again after the load: the better of the two is the machine's ceiling (others' work
  // on a shared machine only ever lowers a measurement).
  const aAfter = ceilingLoop();
  const a = aAfter.opsPerSec > aBefore.opsPerSec ? aAfter : aBefore;
  log(
    `download: ${ours.rps.toFixed(0)} req/s, p50 ${ours.latency.p50.toFixed(1)} ms, p99 ${ours.latency.p99.toFixed(1)} ms, errors ${ours.errors} (${fmtLoadCpu(ours)})`,
  );
  log(`download ceiling a again: ${aAfter.opsPerSec.toFixed(0)}/s`);

  const figures: Figure[] = [
    ...httpsFigures('download', 1, 'License download (V13, encrypted)', ours, a.opsPerSec, b, t),
    {
      id: 'download.ceiling.a',
      item: 1,
      measurement: 'ceiling a: encodeLicenseFile loop, 1 core',
      value: a.opsPerSec,
      unit: 'files/s',
      status: 'info',
      detail: { before: aBefore, after: aAfter },
    },
    {
      id: 'download.ceiling.a0',
      item: 1,
      measurement: 'a0: sign+wrap+AES-GCM only, keys preloaded',
      value: a0.opsPerSec,
      unit: 'files/s',
      ratio: ours.rps / a0.opsPerSec,
      status: 'info',
      detail: { ops: a0.ops, ms: a0.ms, note: 'ratio: our rate against the bare primitives' },
    },
    {
      id: 'https.ceiling.b',
      item: 1,
      measurement: 'ceiling b: trivial Hono route (same TLS stack)',
      value: b.rps,
      unit: 'req/s',
      status: 'info',
      detail: {
        latencyMs: b.latency,
        serverCpuCores: b.serverCpu,
        serverRunqueueWait: b.serverRunqueueWait,
        clientCpuCores: b.clientCpu,
        errors: b.errors,
        note: 'a lower bound when the client (one process, one core) is the bottleneck',
      },
    },
  ];
  return { figures, ceilingB: b, ceilingA: a.opsPerSec };
}

export const fmtCpu = (c: number | null) => (c === null ? '? cpu' : `${(c * 100).toFixed(0)}% cpu`);
/** "server 97% cpu, waited 2% for a core, client 13% cpu" */
export const fmtLoadCpu = (r: LoadResult) =>
  `server ${fmtCpu(r.serverCpu)}${r.serverRunqueueWait === null ? '' : `, waited ${(r.serverRunqueueWait * 100).toFixed(0)}% for a core`}; client ${fmtCpu(r.clientCpu)}`;
