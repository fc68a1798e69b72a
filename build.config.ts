import { readFileSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';

/**
 * Builds the two programs:
 * - dist/mylic.mjs: the agent, one self-contained minified file (it runs on or beside a device, where
 *   there is no node_modules). Bundled CommonJS packages call `require`, so the ESM bundle gets a
 *   createRequire banner.
 * - dist/mylic-bridge.mjs: the bridge server and operator CLI; its packages stay in node_modules
 *   (better-sqlite3 is a native addon).
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

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

export async function buildAll() {
  const agent = await build({
    ...common,
    entryPoints: ['agent/main.ts'],
    outfile: 'dist/mylic.mjs',
    minify: true,
    // The agent needs X.509 and CSRs from node-forge, not all of it (about 120 kB less).
    alias: { 'node-forge': './certs/forge-agent.cjs' },
    metafile: true,
    banner: { js: "import { createRequire as __mylicRequire } from 'node:module'; const require = __mylicRequire(import.meta.url);" },
  });
  await build({ ...common, entryPoints: ['bridge/main.ts'], outfile: 'dist/mylic-bridge.mjs', packages: 'external' });
  return { agentBytes: Object.values(agent.metafile!.outputs)[0]!.bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { agentBytes } = await buildAll();
  console.log(`built dist/mylic.mjs (${agentBytes} bytes) and dist/mylic-bridge.mjs`);
}
