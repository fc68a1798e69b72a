#!/usr/bin/env node
// The `pretest` step of `npm test`: makes sure the programs the tests use for real are on this machine.
// Chromium (the device page test, test/support/browser.ts: MYLIC_CHROMIUM or /usr/bin/chromium),
// chronyd and dnsmasq (test/agent/daemons.test.ts: PATH, /usr/sbin, /usr/bin, /sbin) and curl (the API
// tour, test/e2e/readme-tour.test.ts) and PostgreSQL's server (the two-store suites start their own cluster,
// test/support/postgres.ts: MYLIC_PG_BIN or /usr/lib/postgresql/<major>/bin). They are Debian packages;
// .ci/install-system.sh installs them.
//
// When all are there it prints nothing and returns at once. When one is missing it runs
// .ci/install-system.sh itself if it may install (running as root, or `sudo -n` works); otherwise it
// stops at once, naming the one command to run. `--dry-run` says what it would do and installs nothing.
// Plain JavaScript so that node runs it without a build step; test/unit/test-setup.test.ts tests it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_SCRIPT = '.ci/install-system.sh';
export const INSTALL_COMMAND = `sudo ${INSTALL_SCRIPT}`;
/** Where daemons.test.ts looks besides PATH (sbin is often not on a user's PATH). */
export const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin'];
const DAEMONS_AND_TOOLS = ['chronyd', 'dnsmasq', 'curl'];
/** Where Debian puts PostgreSQL's server binaries, one folder per major version. */
export const POSTGRES_ROOT = '/usr/lib/postgresql';
const POSTGRES_SERVER = ['initdb', 'pg_ctl', 'postgres'];

const isExecutable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The binaries the tests need that are not here, as the tests look for them.
 * @param {{ PATH?: string, MYLIC_CHROMIUM?: string, MYLIC_PG_BIN?: string }} env
 * @param {string[]} systemDirs
 * @param {string} postgresRoot
 * @returns {string[]}
 */
export function missingBinaries(env = process.env, systemDirs = SYSTEM_DIRS, postgresRoot = POSTGRES_ROOT) {
  const dirs = [...(env.PATH ?? '').split(delimiter), ...systemDirs].filter((d) => d !== '');
  const missing = [];
  if (!isExecutable(env.MYLIC_CHROMIUM ?? '/usr/bin/chromium')) missing.push('chromium');
  for (const name of DAEMONS_AND_TOOLS)
    if (!dirs.some((d) => isExecutable(join(d, name)))) missing.push(name);
  if (!hasPostgresServer(env, postgresRoot)) missing.push('postgresql');
  return missing;
}

/** initdb, pg_ctl and postgres in MYLIC_PG_BIN, or in one /usr/lib/postgresql/<major>/bin. */
function hasPostgresServer(env, postgresRoot) {
  let dirs = [];
  if (env.MYLIC_PG_BIN) dirs = [env.MYLIC_PG_BIN];
  else
    try {
      dirs = readdirSync(postgresRoot)
        .filter((v) => /^\d+$/.test(v))
        .map((v) => join(postgresRoot, v, 'bin'));
    } catch {
      dirs = [];
    }
  return dirs.some((d) => POSTGRES_SERVER.every((f) => isExecutable(join(d, f))));
}

/**
 * What to do about the missing binaries.
 * @param {{ missing: string[], isRoot: boolean, sudo: boolean, chromiumOverride?: string }} facts
 * @returns {{ action: 'ready' } | { action: 'install', command: string[] } | { action: 'stop', message: string }}
 */
export function plan({ missing, isRoot, sudo, chromiumOverride }) {
  if (missing.length === 0) return { action: 'ready' };
  // The install script puts Chromium at /usr/bin/chromium; it cannot fix a MYLIC_CHROMIUM that points elsewhere.
  if (chromiumOverride !== undefined && missing.includes('chromium')) {
    return {
      action: 'stop',
      message: `npm test: MYLIC_CHROMIUM is ${chromiumOverride}, which is not an executable: point it at a Chromium binary or unset it.`,
    };
  }
  const what = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed`;
  if (isRoot) return { action: 'install', command: ['bash', INSTALL_SCRIPT] };
  if (sudo) return { action: 'install', command: ['sudo', '-n', 'bash', INSTALL_SCRIPT] };
  return {
    action: 'stop',
    message: `npm test: ${what} (the tests use them for real), and installing needs root. Run\n\n  ${INSTALL_COMMAND}\n\nonce, then npm test again.`,
  };
}

const sudoWorks = () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

function main(argv) {
  const dryRun = argv.includes('--dry-run');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const missing = missingBinaries();
  if (missing.length === 0) {
    if (dryRun) console.log('test-setup: everything is installed');
    return 0;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const step = plan({
    missing,
    isRoot,
    sudo: !isRoot && sudoWorks(),
    chromiumOverride: process.env.MYLIC_CHROMIUM,
  });
  if (step.action === 'stop') {
    console.error(step.message);
    return 1;
  }
  if (step.action === 'ready') return 0;
  console.log(
    `test-setup: ${missing.join(', ')} missing; ${dryRun ? 'would run' : 'running'}: ${step.command.join(' ')}`,
  );
  if (dryRun) return 0;
  const run = spawnSync(step.command[0], step.command.slice(1), { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(
      `npm test: ${INSTALL_SCRIPT} failed (exit ${run.status ?? run.signal}); run \`${INSTALL_COMMAND}\` and look at its output.`,
    );
    return 1;
  }
  const still = missingBinaries();
  if (still.length > 0) {
    console.error(`npm test: still missing after ${INSTALL_SCRIPT}: ${still.join(', ')}.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
