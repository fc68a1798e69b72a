import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_COMMAND, missingBinaries, plan } from '../../scripts/test-setup.mjs';
import { tempDir } from '../support/tmp.js';

/**
 * The `pretest` step (scripts/test-setup.mjs): which binaries it finds missing, and what it then does.
 * Nothing here installs anything: the decision is a pure function, and the script runs only where all
 * binaries are present or with --dry-run.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let empty: string;
let full: string;
/** A PostgreSQL root like /usr/lib/postgresql with one major version's server binaries. */
let pgRoot: string;

beforeAll(async () => {
  root = await tempDir('mylic-test-setup-');
  empty = join(root.dir, 'empty');
  full = join(root.dir, 'full');
  await mkdir(empty);
  await mkdir(full);
  for (const name of ['chromium', 'chronyd', 'dnsmasq', 'curl']) {
    await writeFile(join(full, name), '#!/bin/sh\n');
    await chmod(join(full, name), 0o755);
  }
  pgRoot = join(root.dir, 'postgresql');
  await mkdir(join(pgRoot, '15', 'bin'), { recursive: true });
  for (const name of ['initdb', 'pg_ctl', 'postgres']) {
    await writeFile(join(pgRoot, '15', 'bin', name), '#!/bin/sh\n');
    await chmod(join(pgRoot, '15', 'bin', name), 0o755);
  }
});
afterAll(async () => {
  await root?.cleanup();
});

describe('missingBinaries', () => {
  it('reports all five when PATH, the system folders and the PostgreSQL folder have none of them', () => {
    expect(missingBinaries({ PATH: empty, MYLIC_CHROMIUM: join(empty, 'chromium') }, [], empty)).toEqual([
      'chromium',
      'chronyd',
      'dnsmasq',
      'curl',
      'postgresql',
    ]);
  });

  it("finds PostgreSQL's server in <root>/<major>/bin or in MYLIC_PG_BIN, and not when a binary is missing", async () => {
    const env = { PATH: full, MYLIC_CHROMIUM: join(full, 'chromium') };
    expect(missingBinaries(env, [], pgRoot)).toEqual([]);
    expect(missingBinaries({ ...env, MYLIC_PG_BIN: join(pgRoot, '15', 'bin') }, [], empty)).toEqual([]);
    expect(missingBinaries({ ...env, MYLIC_PG_BIN: full }, [], pgRoot)).toEqual(['postgresql']);
    const clientOnly = join(root.dir, 'client-only');
    await mkdir(join(clientOnly, '15', 'bin'), { recursive: true });
    await writeFile(join(clientOnly, '15', 'bin', 'psql'), '#!/bin/sh\n');
    await chmod(join(clientOnly, '15', 'bin', 'psql'), 0o755);
    expect(missingBinaries(env, [], clientOnly)).toEqual(['postgresql']);
  });

  it('finds them on PATH, or in the system folders the daemons test also searches (sbin is often not on PATH)', () => {
    expect(missingBinaries({ PATH: full, MYLIC_CHROMIUM: join(full, 'chromium') }, [], pgRoot)).toEqual([]);
    expect(missingBinaries({ PATH: empty, MYLIC_CHROMIUM: join(full, 'chromium') }, [full], pgRoot)).toEqual(
      [],
    );
  });

  it('does not take a file that is not executable', async () => {
    const plain = join(root.dir, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'curl'), '');
    expect(missingBinaries({ PATH: plain, MYLIC_CHROMIUM: join(full, 'chromium') }, [], pgRoot)).toEqual([
      'chronyd',
      'dnsmasq',
      'curl',
    ]);
  });
});

describe('plan', () => {
  it('does nothing when nothing is missing', () => {
    expect(plan({ missing: [], isRoot: false, sudo: false })).toEqual({ action: 'ready' });
  });

  it('runs .ci/install-system.sh itself as root, and through sudo -n when that works', () => {
    expect(plan({ missing: ['chronyd'], isRoot: true, sudo: false })).toEqual({
      action: 'install',
      command: ['bash', '.ci/install-system.sh'],
    });
    expect(plan({ missing: ['chronyd'], isRoot: false, sudo: true })).toEqual({
      action: 'install',
      command: ['sudo', '-n', 'bash', '.ci/install-system.sh'],
    });
  });

  it('otherwise stops, naming what is missing and the one command to run', () => {
    const step = plan({ missing: ['chromium', 'dnsmasq'], isRoot: false, sudo: false });
    expect(step.action).toBe('stop');
    const message = step.action === 'stop' ? step.message : '';
    expect(message).toContain('chromium, dnsmasq are not installed');
    expect(message).toContain(`  ${INSTALL_COMMAND}\n`);
    expect(INSTALL_COMMAND).toBe('sudo .ci/install-system.sh');
  });

  it('does not install over a MYLIC_CHROMIUM that points at nothing: the install could not fix it', () => {
    const step = plan({ missing: ['chromium'], isRoot: true, sudo: false, chromiumOverride: '/opt/nothing' });
    expect(step).toEqual({
      action: 'stop',
      message: expect.stringContaining('MYLIC_CHROMIUM is /opt/nothing'),
    });
  });
});

describe('the script', () => {
  const script = fileURLToPath(new URL('../../scripts/test-setup.mjs', import.meta.url));

  it('prints nothing and succeeds when everything is there, in well under a second', () => {
    const t0 = Date.now();
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${full}:${process.env.PATH}`,
        MYLIC_CHROMIUM: join(full, 'chromium'),
        MYLIC_PG_BIN: join(pgRoot, '15', 'bin'),
      },
    });
    expect([run.status, run.stdout, run.stderr]).toEqual([0, '', '']);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('stops with the reason when MYLIC_CHROMIUM points at nothing', () => {
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: full, MYLIC_CHROMIUM: join(empty, 'chromium') },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MYLIC_CHROMIUM');
  });
});
