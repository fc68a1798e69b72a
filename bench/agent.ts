import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
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
 * show) as multiples of `node -e 0`, and of the portal command `mylic licenses --json` against the
 * running bridge as a multiple of a bare node script making the same HTTPS request with undici
 * (bench/agent-baseline.mjs), all measured in the same run; peak RSS.
 */
const BUNDLE_TARGET_BYTES = 600_000;
const LOCAL_TARGET = 1.5;
const PORTAL_TARGET = 1.3;
const BASELINE = join(import.meta.dirname, 'agent-baseline.mjs');
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
  const commands = {
    node: ['-e', '0'],
    version: [AGENT, '--version'],
    help: [AGENT, '--help'],
    status: [AGENT, 'status', ...dirArgs],
    reset: [AGENT, 'reset', ...dirArgs],
    config: [AGENT, 'config', ...dirArgs],
    baseline: [BASELINE, deviceDir],
    licenses: [AGENT, 'licenses', ...dirArgs],
  } satisfies Record<string, string[]>;
  type Name = keyof typeof commands;
  const names = Object.keys(commands) as Name[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
  const check = (name: string, r: Timed) => {
    if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stdout}${r.stderr}`);
  };
  // Interleaved, so drift in machine load touches all alike; the first round only warms caches.
  for (let round = 0; round <= opts.runs; round++) {
    for (const name of names) {
      const r = await timed(process.execPath, commands[name]);
      check(name, r);
      if (name === 'licenses' && !JSON.parse(r.stdout).result?.licenses?.length)
        throw new Error(`mylic licenses returned no licenses: ${r.stdout}`);
      if (name === 'baseline' && !JSON.parse(r.stdout).licenses?.length)
        throw new Error(`the baseline request returned no licenses: ${r.stdout}`);
      if (round > 0) samples[name].push(r.ms);
    }
  }
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<Name, number>;
  const rss = {
    node: await peakRssKiB(commands.node, {}, scratch),
    version: await peakRssKiB(commands.version, {}, scratch),
    licenses: await peakRssKiB(commands.licenses, {}, scratch),
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
      status: ratio <= LOCAL_TARGET ? 'meets' : 'short',
      detail: detail(name),
    };
  };
  const portalRatio = med.licenses / med.baseline;
  const figures: Figure[] = [
    {
      id: 'agent.bundle',
      item: 5,
      measurement: 'Agent files dist/mylic.mjs + dist/agent/*.mjs, all (minified)',
      value: bundle.length / 1000,
      unit: 'kB',
      ceiling: BUNDLE_TARGET_BYTES / 1000,
      ratio: bundle.length / BUNDLE_TARGET_BYTES,
      target: `<= ${BUNDLE_TARGET_BYTES / 1000} kB`,
      status: bundle.length <= BUNDLE_TARGET_BYTES ? 'meets' : 'short',
      detail: { bytes: bundle.length, files: shipped.length, byPackage: analysis.composition },
    },
    {
      id: 'agent.bundle.command',
      item: 5,
      measurement: `Agent files one command loads, at most (${largest.command})`,
      value: largest.upToBytes / 1000,
      unit: 'kB',
      ceiling: BUNDLE_TARGET_BYTES / 1000,
      ratio: largest.upToBytes / BUNDLE_TARGET_BYTES,
      target: `<= ${BUNDLE_TARGET_BYTES / 1000} kB`,
      status: largest.upToBytes <= BUNDLE_TARGET_BYTES ? 'meets' : 'short',
      detail: {
        perCommand: perCommand.map((c) => ({ command: c.command, bytes: c.bytes, upToBytes: c.upToBytes })),
      },
    },
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
    {
      id: 'agent.cold.baseline',
      item: 5,
      measurement: 'baseline: bare node + undici, the same HTTPS request',
      value: med.baseline,
      unit: 'ms',
      status: 'info',
      detail: detail('baseline'),
    },
    {
      id: 'agent.cold.licenses',
      item: 5,
      measurement: 'Cold start: mylic licenses --json (HTTPS)',
      value: med.licenses,
      unit: 'ms',
      ceiling: med.baseline,
      ceilingNote: '(bare undici request)',
      ratio: portalRatio,
      ratioAs: 'times',
      target: `<= ${PORTAL_TARGET}x the bare request`,
      status: portalRatio <= PORTAL_TARGET ? 'meets' : 'short',
      detail: detail('licenses'),
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
