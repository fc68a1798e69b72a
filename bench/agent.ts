import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { agentBuild } from '../build.config.js';
import { AGENT, agent as agentCli, bridgeCli } from '../test/support/cli.js';
import { ROOT } from './load.js';
import { timed, type Timed } from './processes.js';
import { readProfile, type ProfileSummary } from './profile.js';
import type { Figure } from './report.js';
import { EMAIL, PASSWORD, macFor, type BenchWorld } from './setup.js';
import { median } from './stats.js';

/**
 * Item 5: the agent bundle (size, gzip), cold start of `mylic --version` and `mylic licenses`
 * against the running bridge as multiples of `node -e 0` measured in the same run, and peak RSS.
 */
const BUNDLE_TARGET_BYTES = 600_000;
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

/** What the minified agent bundle is made of, by package (esbuild metafile, not written to disk). */
async function bundleComposition(): Promise<{ name: string; bytes: number }[]> {
  const r = await build({
    ...agentBuild,
    absWorkingDir: ROOT,
    outfile: undefined,
    outdir: join(ROOT, '.bench-composition'),
    write: false,
    logLevel: 'silent',
  });
  const by = new Map<string, number>();
  for (const output of Object.values(r.metafile!.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? `${file.split('/')[0]}/ (ours)`;
      by.set(name, (by.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([name, bytes]) => ({ name, bytes }));
}

export async function benchAgent(
  world: BenchWorld,
  opts: { runs: number; log: (s: string) => void },
): Promise<{
  figures: Figure[];
  startupProfile: ProfileSummary | null;
  composition: { name: string; bytes: number }[];
}> {
  // The agent as it is shipped: the launcher dist/mylic.mjs and the agent dist/mylic-agent.mjs.
  const bundle = Buffer.concat([await readFile(AGENT), await readFile(join(ROOT, 'dist/mylic-agent.mjs'))]);
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

  const commands: Record<'node' | 'version' | 'licenses', string[]> = {
    node: ['-e', '0'],
    version: [AGENT, '--version'],
    licenses: [AGENT, 'licenses', '--json', '--dir', deviceDir],
  };
  const samples: Record<keyof typeof commands, number[]> = { node: [], version: [], licenses: [] };
  const check = (name: string, r: Timed) => {
    if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stdout}${r.stderr}`);
  };
  // Interleaved, so drift in machine load touches all three alike; the first round only warms caches.
  for (let round = 0; round <= opts.runs; round++) {
    for (const name of Object.keys(commands) as (keyof typeof commands)[]) {
      const r = await timed(process.execPath, commands[name]);
      check(name, r);
      if (name === 'licenses' && !JSON.parse(r.stdout).result?.licenses?.length)
        throw new Error(`mylic licenses returned no licenses: ${r.stdout}`);
      if (round > 0) samples[name].push(r.ms);
    }
  }
  const med = {
    node: median(samples.node),
    version: median(samples.version),
    licenses: median(samples.licenses),
  };
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
  const composition = await bundleComposition().catch(() => []);

  opts.log(
    `agent: bundle ${bundle.length} B (gzip ${gzipBytes} B); median node -e 0 ${med.node.toFixed(1)} ms, --version ${med.version.toFixed(1)} ms, licenses ${med.licenses.toFixed(1)} ms; peak RSS ${rss.version} / ${rss.licenses} KiB`,
  );

  const versionRatio = med.version / med.node;
  const detail = (name: keyof typeof samples) => ({
    runs: samples[name].length,
    samplesMs: samples[name].map((v) => Math.round(v * 10) / 10),
  });
  const figures: Figure[] = [
    {
      id: 'agent.bundle',
      item: 5,
      measurement: 'Agent bundle dist/mylic.mjs + dist/mylic-agent.mjs (minified)',
      value: bundle.length / 1000,
      unit: 'kB',
      ceiling: BUNDLE_TARGET_BYTES / 1000,
      ratio: bundle.length / BUNDLE_TARGET_BYTES,
      target: '< 600 kB',
      status: bundle.length < BUNDLE_TARGET_BYTES ? 'meets' : 'short',
      detail: { bytes: bundle.length, byPackage: composition },
    },
    {
      id: 'agent.bundle.gzip',
      item: 5,
      measurement: 'Agent bundle gzipped (zlib level 6)',
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
    {
      id: 'agent.cold.version',
      item: 5,
      measurement: 'Cold start: mylic --version',
      value: med.version,
      unit: 'ms',
      ceiling: med.node,
      ceilingNote: '(node -e 0)',
      ratio: versionRatio,
      ratioAs: 'times',
      target: '<= 1.5x node -e 0',
      status: versionRatio <= 1.5 ? 'meets' : 'short',
      detail: detail('version'),
    },
    {
      id: 'agent.cold.licenses',
      item: 5,
      measurement: 'Cold start: mylic licenses --json (HTTPS)',
      value: med.licenses,
      unit: 'ms',
      ceiling: med.node,
      ceilingNote: '(node -e 0)',
      ratio: med.licenses / med.node,
      ratioAs: 'times',
      status: 'info',
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
  return { figures, startupProfile, composition };
}
