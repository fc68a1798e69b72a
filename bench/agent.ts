import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DNS_DEFAULT_TIMEOUT_MS } from '../agent/checks/dns.js';
import { NTP_DEFAULT_TIMEOUT_MS } from '../agent/checks/ntp.js';
import { agentBuild } from '../build.config.js';
import { type CommandFiles, commandFiles, composition } from '../scripts/agent-bundle.js';
import { AGENT, agent as agentCli, bridgeCli } from '../test/support/cli.js';
import { ROOT } from './load.js';
import { timed, type Timed } from './processes.js';
import { readProfile, type ProfileSummary } from './profile.js';
import type { Figure } from './report.js';
import { EMAIL, PASSWORD, macFor, type BenchWorld } from './setup.js';
import { median } from './stats.js';

/**
 * Item 5: the agent bundle (the files each command loads and the total, from the esbuild metafile;
 * gzip), cold starts of the local commands (`--version`, `--help`, `status`, `reset`, `config` to
 * show) as multiples of `node -e 0`, of the portal commands (`licenses`, `download`, `invalidate
 * --transfer`, `login`) against the running bridge as multiples of a bare node script making the same
 * HTTPS request(s) with undici (bench/agent-baseline.mjs), and `check` against the bound its timeouts
 * set, all measured in the same run, interleaved; peak RSS.
 */
const BUNDLE_TARGET_BYTES = 600_000;
const LOCAL_TARGET = 1.5;
const PORTAL_TARGET = 1.3;
const BASELINE = join(import.meta.dirname, 'agent-baseline.mjs');
/** The NTP and DNS checks' timeouts (agent/checks/ntp.ts, dns.ts): side by side, then in series. */
const CHECK_LONGEST_TIMEOUT_MS = Math.max(NTP_DEFAULT_TIMEOUT_MS, DNS_DEFAULT_TIMEOUT_MS);
const CHECK_SERIAL_TIMEOUTS_MS = NTP_DEFAULT_TIMEOUT_MS + DNS_DEFAULT_TIMEOUT_MS;
const TIME = '/usr/bin/time';

async function must(p: Promise<{ code: number | null; stdout: string; stderr: string }>, what: string) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return r;
}

/** Peak RSS (KiB) of one run: GNU time -v when present, else a preload that reports resourceUsage(). */
async function peakRssKiB(
  args: string[],
  env: Record<string, string>,
  scratch: string,
): Promise<number | null> {
  if (existsSync(TIME)) {
    const r = await timed(TIME, ['-v', process.execPath, ...args], env);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    return m ? Number(m[1]) : null;
  }
  const preload = join(scratch, 'maxrss.cjs');
  const out = join(scratch, 'maxrss.txt');
  await writeFile(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  await timed(process.execPath, ['--require', preload, ...args], env);
  return Number(await readFile(out, 'utf8')) || null;
}

/** A UDP server on 127.0.0.1 that reads every packet and never answers (a silent NTP or DNS server). */
async function silentUdp(): Promise<{ port: number; close: () => void }> {
  const socket = createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

/** What the agent files are made of (by package) and which of them each command loads (metafile). */
async function bundleAnalysis() {
  const r = await build({
    ...agentBuild,
    absWorkingDir: ROOT,
    outdir: join(ROOT, '.bench-composition'),
    write: false,
    logLevel: 'silent',
  });
  return { composition: composition(r.metafile!).slice(0, 12), ...commandFiles(r.metafile!) };
}

export async function benchAgent(
  world: BenchWorld,
  opts: { runs: number; log: (s: string) => void },
): Promise<{
  figures: Figure[];
  startupProfile: ProfileSummary | null;
  composition: { name: string; bytes: number }[];
  perCommand: CommandFiles[];
}> {
  // The agent as it is shipped: the launcher dist/mylic.mjs and the files under dist/agent/.
  const analysis = await bundleAnalysis();
  const shipped = [
    AGENT,
    ...(await readdir(join(ROOT, 'dist/agent'))).map((f) => join(ROOT, 'dist/agent', f)),
  ];
  const bundle = Buffer.concat(await Promise.all(shipped.map((f) => readFile(f))));
  const gzipBytes = gzipSync(bundle).length;

  // A device as the factory makes it, placed in the company with licenses, logged in to the bridge.
  const mac = macFor(3, 1);
  const deviceDir = join(world.dir, 'agent-device');
  const scratch = join(world.dir, 'agent-scratch');
  await mkdir(scratch, { recursive: true });
  const env = { MYLIC_DATA: world.dataDir };
  for (const [type, units] of [
    ['PBX-Port13', '2'],
    ['GW-Channel', '1'],
  ]) {
    await must(
      bridgeCli(
        [
          'ops',
          'balance',
          'add',
          '--company',
          String(world.companyId),
          '--type',
          type!,
          '--units',
          units!,
          '--ref',
          'bench-agent',
          '--json',
        ],
        env,
      ),
      'ops balance add',
    );
  }
  await must(
    bridgeCli(['ops', 'device', 'register', '--type', 'IP811', '--mac', mac, '--json'], env),
    'ops device register',
  );
  await must(
    bridgeCli(['ops', 'device', 'add', '--company', String(world.companyId), '--mac', mac, '--json'], env),
    'ops device add',
  );
  await must(
    bridgeCli(
      [
        'ops',
        'license',
        'bind',
        '--company',
        String(world.companyId),
        '--mac',
        mac,
        '--type',
        'PBX-Port13',
        '--units',
        '2',
        '--json',
      ],
      env,
    ),
    'ops license bind',
  );
  await must(
    bridgeCli(
      [
        'ops',
        'license',
        'bind',
        '--company',
        String(world.companyId),
        '--mac',
        mac,
        '--type',
        'GW-Channel',
        '--units',
        '1',
        '--json',
      ],
      env,
    ),
    'ops license bind',
  );
  await must(
    agentCli([
      'device',
      'init',
      '--mac',
      mac,
      '--dir',
      deviceDir,
      '--pki',
      world.pki.dir,
      '--portal',
      world.bridge.url,
      '--firmware',
      '13.1',
      '--json',
    ]),
    'mylic device init',
  );
  await must(
    agentCli(['login', '--email', EMAIL, '--password', PASSWORD, '--dir', deviceDir, '--json']),
    'mylic login',
  );

  const dirArgs = ['--json', '--dir', deviceDir];
  const bindReturnable = async () => {
    // Two PBX-Port13 units more on the balance and bound to the device: returnable licenses for the
    // next `invalidate --transfer` (the download before it installs them).
    for (const args of [
      ['ops', 'balance', 'add', '--company', String(world.companyId), '--type', 'PBX-Port13'],
      ['ops', 'license', 'bind', '--company', String(world.companyId), '--mac', mac, '--type', 'PBX-Port13'],
    ])
      await must(
        bridgeCli(
          [...args, '--units', '2', ...(args[1] === 'balance' ? ['--ref', 'bench-agent'] : []), '--json'],
          env,
        ),
        args.slice(0, 3).join(' '),
      );
  };

  // The document the invalidate baseline sends: made with --backup and sent once with --transfer (the
  // portal credits it then); sent again, the portal answers it with the same confirmation, as it does
  // for a device that lost the answer. Its server work is that of a replay, less than a new document's.
  const invalidationFile = join(scratch, 'invalidation.xml');
  await bindReturnable();
  await must(agentCli(['download', ...dirArgs]), 'mylic download');
  await must(agentCli(['invalidate', '--backup', invalidationFile, ...dirArgs]), 'mylic invalidate --backup');
  await must(agentCli(['invalidate', '--transfer', ...dirArgs]), 'mylic invalidate --transfer');

  // `mylic check` on a second device whose NTP and DNS servers never answer (UDP sockets that read and
  // say nothing) and whose portal is the bridge: the checks run side by side, so it takes about the
  // longest timeout (NTP 3 s, DNS 3 s), not their sum.
  const silent = await Promise.all([0, 1].map(() => silentUdp()));
  const checkDir = join(world.dir, 'agent-check-device');
  await must(
    agentCli([
      'device',
      'init',
      '--mac',
      macFor(3, 2),
      '--dir',
      checkDir,
      '--pki',
      world.pki.dir,
      '--portal',
      world.bridge.url,
      '--firmware',
      '13.1',
      '--json',
    ]),
    'mylic device init (check device)',
  );
  await must(
    agentCli([
      'config',
      '--ntp',
      `127.0.0.1:${silent[0]!.port}`,
      '--dns',
      `127.0.0.1:${silent[1]!.port}`,
      '--json',
      '--dir',
      checkDir,
    ]),
    'mylic config (check device)',
  );

  /** Each timed run: its arguments, what it must answer, and (for invalidate) the untimed step before it. */
  interface Run {
    args: string[];
    ok?: (r: Timed) => boolean;
    before?: () => Promise<void>;
  }
  const json = (r: Timed) => JSON.parse(r.stdout);
  const runs = {
    node: { args: ['-e', '0'] },
    version: { args: [AGENT, '--version'] },
    help: { args: [AGENT, '--help'] },
    status: { args: [AGENT, 'status', ...dirArgs] },
    reset: { args: [AGENT, 'reset', ...dirArgs] },
    config: { args: [AGENT, 'config', ...dirArgs] },
    'baseline.licenses': {
      args: [BASELINE, deviceDir, 'licenses'],
      ok: (r) => json(r).licenses?.length > 0,
    },
    licenses: {
      args: [AGENT, 'licenses', ...dirArgs],
      ok: (r) => json(r).result?.licenses?.length > 0,
    },
    'baseline.download': {
      args: [BASELINE, deviceDir, 'download', '13'],
      ok: (r) => r.stdout.startsWith('<?xml'),
      before: bindReturnable,
    },
    download: { args: [AGENT, 'download', ...dirArgs], ok: (r) => json(r).ok === true },
    'baseline.invalidate': {
      args: [BASELINE, deviceDir, 'invalidate', invalidationFile],
      ok: (r) => r.stdout.startsWith('<?xml'),
    },
    invalidate: {
      args: [AGENT, 'invalidate', '--transfer', ...dirArgs],
      ok: (r) => json(r).ok === true && json(r).result.resumed === false,
    },
    check: {
      args: [AGENT, 'check', '--json', '--dir', checkDir],
      // Exit 8: the NTP and DNS checks fail (by their timeouts), the portal and certificate pass.
      ok: (r) =>
        r.code === 8 &&
        json(r).result.results.filter((c: { ok: boolean }) => !c.ok).length === 2 &&
        json(r).result.results.some((c: { name: string; ok: boolean }) => c.name === 'portal' && c.ok),
    },
    'baseline.login': { args: [BASELINE, deviceDir, 'login', EMAIL, PASSWORD], ok: (r) => !!json(r).token },
    login: {
      args: [AGENT, 'login', '--email', EMAIL, '--password', PASSWORD, ...dirArgs],
      ok: (r) => json(r).ok === true,
    },
  } satisfies Record<string, Run>;
  type Name = keyof typeof runs;
  const names = Object.keys(runs) as Name[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
  // Interleaved, so drift in machine load touches all alike; the first round only warms caches.
  for (let round = 0; round <= opts.runs; round++) {
    for (const name of names) {
      const run: Run = runs[name];
      await run.before?.();
      const r = await timed(process.execPath, run.args);
      let good = false;
      try {
        good = run.ok ? run.ok(r) : r.code === 0;
      } catch {
        good = false;
      }
      if (!good || (name !== 'check' && r.code !== 0))
        throw new Error(`${name} failed (${r.code}): ${r.stdout}${r.stderr}`);
      if (round > 0) samples[name].push(r.ms);
    }
  }
  for (const s of silent) s.close();
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<Name, number>;
  const rss = {
    node: await peakRssKiB(runs.node.args, {}, scratch),
    version: await peakRssKiB(runs.version.args, {}, scratch),
    licenses: await peakRssKiB(runs.licenses.args, {}, scratch),
  };
  // Where `mylic --version` spends its start: one run under --cpu-prof.
  const profDir = join(scratch, 'cpu-profile');
  await mkdir(profDir, { recursive: true });
  await timed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, AGENT, '--version']);
  const startupProfile = await readProfile(profDir, 'mylic.mjs', 10).catch(() => null);
  const perCommand = analysis.commands;
  const largest = perCommand.reduce((a, b) => (b.upToBytes > a.upToBytes ? b : a));

  opts.log(
    `agent: ${bundle.length} B in all (gzip ${gzipBytes} B), one command loads at most ${largest.upToBytes} B (${largest.command}); median ms: ${names.map((n) => `${n} ${med[n].toFixed(1)}`).join(', ')}; peak RSS ${rss.version} / ${rss.licenses} KiB`,
  );

  const detail = (name: Name) => ({
    runs: samples[name].length,
    samplesMs: samples[name].map((v) => Math.round(v * 10) / 10),
  });
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const local = (name: 'version' | 'help' | 'status' | 'reset' | 'config', what: string): Figure => {
    const ratio = med[name] / med.node;
    return {
      id: `agent.cold.${name}`,
      item: 5,
      measurement: `Cold start: ${what}`,
      value: med[name],
      unit: 'ms',
      ceiling: med.node,
      ceilingNote: '(node -e 0)',
      ratio,
      ratioAs: 'times',
      target: `<= ${LOCAL_TARGET}x node -e 0`,
      status: pass(ratio <= LOCAL_TARGET),
      detail: detail(name),
    };
  };
  const portal = (
    name: 'licenses' | 'download' | 'invalidate' | 'login',
    baseline: 'baseline.licenses' | 'baseline.download' | 'baseline.invalidate' | 'baseline.login',
    what: string,
  ): Figure[] => {
    const ratio = med[name] / med[baseline];
    return [
      {
        id: `agent.cold.${baseline}`,
        item: 5,
        measurement: `baseline: bare node + undici, ${what.split(': ')[1]}`,
        value: med[baseline],
        unit: 'ms',
        status: 'info',
        detail: detail(baseline),
      },
      {
        id: `agent.cold.${name}`,
        item: 5,
        measurement: `Cold start: ${what.split(': ')[0]}`,
        value: med[name],
        unit: 'ms',
        ceiling: med[baseline],
        ceilingNote: '(bare request)',
        ratio,
        ratioAs: 'times',
        target: `<= ${PORTAL_TARGET}x the bare request`,
        status: pass(ratio <= PORTAL_TARGET),
        detail: detail(name),
      },
    ];
  };
  // `check` is bounded by its timeouts: at most the longest one plus what a portal command may take
  // over its bare request (the checks side by side); one after another they would take their sum.
  const checkBound = CHECK_LONGEST_TIMEOUT_MS + PORTAL_TARGET * med['baseline.licenses'];
  const bundleFigure = (
    id: string,
    measurement: string,
    bytes: number,
    extra: Record<string, unknown>,
  ): Figure => ({
    id,
    item: 5,
    measurement,
    value: bytes / 1000,
    unit: 'kB',
    ceiling: BUNDLE_TARGET_BYTES / 1000,
    ratio: bytes / BUNDLE_TARGET_BYTES,
    target: `<= ${BUNDLE_TARGET_BYTES / 1000} kB`,
    status: pass(bytes <= BUNDLE_TARGET_BYTES),
    detail: extra,
  });
  const figures: Figure[] = [
    bundleFigure(
      'agent.bundle',
      'Agent files dist/mylic.mjs + dist/agent/*.mjs, all (minified)',
      bundle.length,
      {
        bytes: bundle.length,
        files: shipped.length,
        byPackage: analysis.composition,
      },
    ),
    bundleFigure(
      'agent.bundle.command',
      `Agent files one command loads, at most (${largest.command})`,
      largest.upToBytes,
      {
        perCommand: perCommand.map((c) => ({ command: c.command, bytes: c.bytes, upToBytes: c.upToBytes })),
      },
    ),
    {
      id: 'agent.bundle.gzip',
      item: 5,
      measurement: 'Agent files gzipped together (zlib level 6)',
      value: gzipBytes / 1000,
      unit: 'kB',
      status: 'info',
      detail: { bytes: gzipBytes },
    },
    {
      id: 'agent.cold.node',
      item: 5,
      measurement: 'baseline: node -e 0',
      value: med.node,
      unit: 'ms',
      status: 'info',
      detail: detail('node'),
    },
    local('version', 'mylic --version'),
    local('help', 'mylic --help'),
    local('status', 'mylic status --json'),
    local('reset', 'mylic reset --json'),
    local('config', 'mylic config --json (show)'),
    ...portal('licenses', 'baseline.licenses', 'mylic licenses --json: GET /device/v1/licenses'),
    ...portal('download', 'baseline.download', 'mylic download --json (V13): POST /device/v1/license-file'),
    ...portal(
      'invalidate',
      'baseline.invalidate',
      'mylic invalidate --transfer --json: POST /device/v1/invalidations (a replayed document)',
    ),
    ...portal('login', 'baseline.login', 'mylic login --json: POST challenge, RSA-PSS proof, POST login'),
    {
      id: 'agent.cold.check',
      item: 5,
      measurement: 'mylic check --json, NTP and DNS servers silent (3 s timeouts each), real portal',
      value: med.check,
      unit: 'ms',
      ceiling: checkBound,
      ceilingNote: `(longest timeout ${CHECK_LONGEST_TIMEOUT_MS} ms + ${PORTAL_TARGET}x the bare request; in series >= ${CHECK_SERIAL_TIMEOUTS_MS} ms)`,
      ratio: med.check / checkBound,
      ratioAs: 'times',
      target: '<= 1x the bound',
      status: pass(med.check <= checkBound),
      detail: detail('check'),
    },
    {
      id: 'agent.rss.node',
      item: 5,
      measurement: 'Peak RSS: node -e 0',
      value: rss.node === null ? null : rss.node / 1024,
      unit: 'MiB',
      status: 'info',
    },
    {
      id: 'agent.rss.version',
      item: 5,
      measurement: 'Peak RSS: mylic --version',
      value: rss.version === null ? null : rss.version / 1024,
      unit: 'MiB',
      ...(rss.node && rss.version ? { ratio: rss.version / rss.node, ratioAs: 'times' as const } : {}),
      status: 'info',
    },
    {
      id: 'agent.rss.licenses',
      item: 5,
      measurement: 'Peak RSS: mylic licenses --json',
      value: rss.licenses === null ? null : rss.licenses / 1024,
      unit: 'MiB',
      ...(rss.node && rss.licenses ? { ratio: rss.licenses / rss.node, ratioAs: 'times' as const } : {}),
      status: 'info',
    },
  ];
  return { figures, startupProfile, composition: analysis.composition, perCommand };
}
