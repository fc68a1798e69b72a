import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { AGENT_LICENSE, bundledPackages } from './agent-bundle.js';

/**
 * `npm run pack:agent [-- DEST_DIR]` (after `npm run build`): the agent as an npm package,
 * mylic-agent-<version>.tgz in DEST_DIR (default dist/). It holds the launcher, dist/agent/, bin/mylic,
 * LICENSE (our source, Apache-2.0), COPYING (GPL-3.0: the agent files as a whole), the third-party
 * notices and the SBOM, and declares no dependencies: everything it runs is in the bundle, so it
 * installs with Node 20 alone and no registry. The project's package.json stays the development one
 * (its dependencies are the bridge's, better-sqlite3 among them), so the package is made from a
 * manifest of its own in a staging folder and packed there with `npm pack`.
 *
 * The SBOM, dist/mylic.cdx.json, is `npm sbom --sbom-format cyclonedx` of the project narrowed to the
 * packages the esbuild metafile says are in the agent files (npm's SBOM alone would list the bridge's
 * packages too, which the agent does not contain).
 */
const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');

interface CycloneDx {
  metadata: { component?: Record<string, unknown> } & Record<string, unknown>;
  components: { 'bom-ref': string; name: string; version: string }[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

export async function writeAgentSbom(version: string): Promise<string> {
  const metafile = JSON.parse(await readFile(join(DIST, 'agent-metafile.json'), 'utf8')) as Metafile;
  const bundled = new Set(bundledPackages(metafile).map((p) => `${p.name}@${p.version}`));
  const sbom = JSON.parse(
    execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }),
  ) as CycloneDx;
  const components = sbom.components.filter((c) => bundled.has(`${c.name}@${c.version}`));
  const found = new Set(components.map((c) => `${c.name}@${c.version}`));
  const missing = [...bundled].filter((p) => !found.has(p));
  if (missing.length) throw new Error(`npm sbom does not list bundled packages: ${missing.join(', ')}`);
  const refs = new Set(components.map((c) => c['bom-ref']));
  const self = `mylic-agent@${version}`;
  sbom.metadata.component = {
    'bom-ref': self,
    type: 'application',
    name: 'mylic-agent',
    version,
    purl: `pkg:npm/mylic-agent@${version}`,
    licenses: [{ license: { id: AGENT_LICENSE } }],
    description: 'The mylic device agent: one self-contained esbuild bundle; these components are in it.',
  };
  sbom.components = components;
  sbom.dependencies = [
    { ref: self, dependsOn: [...refs].sort() },
    ...(sbom.dependencies ?? [])
      .filter((d) => refs.has(d.ref))
      .map((d) => ({ ref: d.ref, dependsOn: (d.dependsOn ?? []).filter((r) => refs.has(r)) })),
  ];
  const out = join(DIST, 'mylic.cdx.json');
  await writeFile(out, `${JSON.stringify(sbom, null, 2)}\n`);
  return out;
}

export async function packAgent(dest = DIST): Promise<string> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  await writeAgentSbom(pkg.version);
  const stage = await mkdtemp(join(tmpdir(), 'mylic-agent-pack-'));
  try {
    await mkdir(join(stage, 'dist'), { recursive: true });
    await mkdir(join(stage, 'bin'), { recursive: true });
    await cp(join(ROOT, 'bin', 'mylic'), join(stage, 'bin', 'mylic'));
    await cp(join(DIST, 'mylic.mjs'), join(stage, 'dist', 'mylic.mjs'));
    await cp(join(DIST, 'agent'), join(stage, 'dist', 'agent'), { recursive: true });
    for (const f of ['THIRD-PARTY-NOTICES.txt', 'mylic.cdx.json'])
      await cp(join(DIST, f), join(stage, 'dist', f));
    await cp(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
    await cp(join(ROOT, 'agent', 'COPYING'), join(stage, 'COPYING'));
    await writeFile(
      join(stage, 'README.md'),
      `# mylic-agent ${pkg.version}\n\nThe mylic device agent: \`mylic --help\`. Node.js 20 or later, nothing else.\n\nLicense: ${AGENT_LICENSE} for the agent files as a whole (COPYING), because they bundle ntp-time-sync (GPL-3.0); the mylic source in them is Apache-2.0 (LICENSE). Every bundled package, its license and text: dist/THIRD-PARTY-NOTICES.txt; SBOM (CycloneDX): dist/mylic.cdx.json. Source: the mylic repository at the same version.\n`,
    );
    await writeFile(
      join(stage, 'package.json'),
      `${JSON.stringify(
        {
          name: 'mylic-agent',
          version: pkg.version,
          description: 'The mylic device agent (self-contained bundle)',
          license: AGENT_LICENSE,
          type: 'module',
          engines: { node: '>=20' },
          bin: { mylic: 'bin/mylic' },
          files: ['bin/mylic', 'dist/', 'COPYING'],
        },
        null,
        2,
      )}\n`,
    );
    await mkdir(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(dest)], {
      cwd: stage,
      encoding: 'utf8',
    });
    const [packed] = JSON.parse(out) as { filename: string }[];
    if (!packed) throw new Error(`npm pack made no package: ${out}`);
    return join(resolve(dest), packed.filename);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await packAgent(process.argv[2]));
}
