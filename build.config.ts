import { readFileSync } from 'node:fs';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/**
 * Builds the two programs:
 * - dist/mylic.mjs + dist/mylic-agent.mjs: the agent, a launcher of a few hundred bytes and one
 *   self-contained minified file next to it (it runs on or beside a device, where
 *   there is no node_modules). Bundled CommonJS packages call `require`, so the ESM bundle gets a
 *   createRequire banner.
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
 * undici carries its HTTP parser (llhttp) twice, as WebAssembly with and without SIMD, and falls back
 * to the plain one when SIMD is off (`UNDICI_NO_WASM_SIMD=1`, and on ppc64). The agent makes a handful
 * of requests per run, so it takes the plain parser always: the SIMD copy (72 kB) stays out of the
 * bundle, and the switch is set at build time so undici never asks for it.
 */
const plainLlhttp: Plugin = {
  name: 'plain-llhttp',
  setup(b) {
    b.onResolve({ filter: /llhttp_simd-wasm\.js$/ }, (args) => ({
      path: args.path,
      namespace: 'plain-llhttp',
    }));
    b.onLoad({ filter: /.*/, namespace: 'plain-llhttp' }, () => ({
      contents:
        "throw new Error('The agent bundle has no SIMD HTTP parser; it runs with UNDICI_NO_WASM_SIMD=1.');",
      loader: 'js',
    }));
  },
};

/**
 * The launcher (agent/main.ts) imports the agent's CLI lazily. In the bundle that import stays a
 * separate file, so `mylic --version` compiles a few hundred bytes instead of the whole agent.
 */
const agentAsSeparateFile: Plugin = {
  name: 'agent-as-separate-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) =>
      args.importer.endsWith('agent/main.ts') ? { path: './mylic-agent.mjs', external: true } : undefined,
    );
  },
};

/** The agent's own build (also used by `npm run bench` to report what the bundle is made of). */
export const agentBuild: BuildOptions = {
  ...common,
  entryPoints: ['agent/cli.ts'],
  outfile: 'dist/mylic-agent.mjs',
  minify: true,
  // The agent needs X.509 and CSRs from node-forge, not all of it (about 120 kB less).
  // Likewise undici: an Agent and its request method, not fetch, WebSocket and the rest.
  alias: { 'node-forge': './certs/forge-agent.cjs', undici: './agent/undici-agent.cjs' },
  define: { ...common.define, 'process.env.UNDICI_NO_WASM_SIMD': '"1"' },
  plugins: [plainLlhttp],
  metafile: true,
  banner: {
    js: "import { createRequire as __mylicRequire } from 'node:module'; const require = __mylicRequire(import.meta.url);",
  },
};

export async function buildAll() {
  const agent = await build(agentBuild);
  const launcher = await build({
    ...common,
    entryPoints: ['agent/main.ts'],
    outfile: 'dist/mylic.mjs',
    minify: true,
    plugins: [agentAsSeparateFile],
    metafile: true,
  });
  await build({
    ...common,
    entryPoints: ['bridge/main.ts'],
    outfile: 'dist/mylic-bridge.mjs',
    packages: 'external',
  });
  const bytes = (r: typeof agent) => Object.values(r.metafile!.outputs)[0]!.bytes;
  return { agentBytes: bytes(agent), launcherBytes: bytes(launcher) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { agentBytes, launcherBytes } = await buildAll();
  console.log(
    `built dist/mylic.mjs (${launcherBytes} bytes), dist/mylic-agent.mjs (${agentBytes} bytes) and dist/mylic-bridge.mjs`,
  );
}
