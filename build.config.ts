import { readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import {
  AGENT_LICENSE,
  PROJECT_LICENSE,
  bundledPackages,
  commandFiles,
  renderNotices,
} from './scripts/agent-bundle.js';

/**
 * Builds the two programs:
 * - dist/mylic.mjs + dist/agent/*.mjs: the agent, a launcher of a few hundred bytes and one file per
 *   command plus the chunks they share, minified and self-contained (it runs on or beside a device,
 *   where there is no node_modules), and dist/THIRD-PARTY-NOTICES.txt for the packages in them.
 * - dist/mylic-bridge.mjs: the bridge server and operator CLI; its packages stay in node_modules
 *   (better-sqlite3 is a native addon).
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { MYLIC_VERSION: JSON.stringify(pkg.version) },
};

/**
 * The agent's own build (also used by `npm run bench` and the notices to see what it is made of).
 * Code splitting: dist/mylic.mjs is the launcher (agent/main.ts, answers `--version` itself), it
 * imports the CLI (agent/cli.ts) and that imports the one command asked for (agent/commands/*.ts);
 * esbuild puts each into its own file under dist/agent/ and what several share into shared chunks, so
 * a command loads only its own code. Every file gets the createRequire banner (the bundled CommonJS
 * packages call `require` for node builtins).
 */
export const agentBuild: BuildOptions = {
  ...common,
  entryPoints: { mylic: 'agent/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'agent/[name]-[hash]',
  minify: true,
  // The agent needs X.509 and CSRs from node-forge, not all of it (about 120 kB less).
  alias: { 'node-forge': './certs/forge-agent.cjs' },
  metafile: true,
  banner: {
    js: `/*! mylic agent ${pkg.version}: ${AGENT_LICENSE} as a whole (COPYING); our source ${PROJECT_LICENSE} (LICENSE); bundled packages: THIRD-PARTY-NOTICES.txt */\nimport { createRequire as __mylicRequire } from 'node:module'; const require = __mylicRequire(import.meta.url);`,
  },
};

export async function buildAll() {
  const agent = await build(agentBuild);
  // Chunks of earlier builds (other hashes) go after the new ones are written, not before: a build
  // while agent tests run (another checkout user, `npm test`) must not leave the launcher pointing at a
  // file that is not there yet. The single-file agent of earlier versions goes too.
  const written = new Set(Object.keys(agent.metafile!.outputs).map((f) => resolve(f)));
  for (const f of await readdir('dist/agent'))
    if (!written.has(resolve('dist/agent', f))) await rm(join('dist/agent', f), { force: true });
  await rm('dist/mylic-agent.mjs', { force: true });
  await build({
    ...common,
    entryPoints: ['bridge/main.ts'],
    outfile: 'dist/mylic-bridge.mjs',
    packages: 'external',
  });
  // The notices of exactly what is in the agent files, from the metafile.
  await writeFile(
    'dist/THIRD-PARTY-NOTICES.txt',
    renderNotices(bundledPackages(agent.metafile!), pkg.version),
  );
  // Kept for the package script (scripts/pack-agent.ts: the SBOM of what is bundled); not shipped.
  await writeFile('dist/agent-metafile.json', JSON.stringify(agent.metafile));
  return commandFiles(agent.metafile!);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { commands, totalBytes } = await buildAll();
  const most = commands.reduce((a, b) => (b.upToBytes > a.upToBytes ? b : a));
  console.log(
    `built dist/mylic.mjs + dist/agent/ (${totalBytes} bytes in all; one command loads at most ${most.upToBytes}: ${most.command}), dist/THIRD-PARTY-NOTICES.txt and dist/mylic-bridge.mjs`,
  );
}
