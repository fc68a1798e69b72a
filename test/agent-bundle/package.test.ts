import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { packAgent } from '../../scripts/pack-agent.js';
import { tempDir } from '../support/tmp.js';

const run = promisify(execFile);

/**
 * The agent as a product: `npm run pack:agent` makes an npm package that installs from its tarball
 * alone (no registry: it declares no dependencies) into a fresh prefix, and the installed `mylic` runs
 * with nothing but node on the PATH: `--version --json`, `device init` and `status --json`.
 */
describe('the packed agent installs and runs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let tarball: string;
  let mylic: string;
  // Only node (and the shell the bin script is written in) on the PATH: no npm, no node_modules.
  const env = () => ({ PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('mylic-pack-'));
    tarball = await packAgent(join(dir, 'out'));
    const prefix = join(dir, 'prefix');
    await run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
      { env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } },
    );
    mylic = join(prefix, 'bin', 'mylic');
  }, 180_000);
  afterAll(() => cleanup?.());

  it('the package holds the bundle, the licences, the notices and the SBOM, and no dependencies', async () => {
    const pkgDir = join(dir, 'prefix', 'lib', 'node_modules', 'mylic-agent');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.license).toBe('GPL-3.0-only');
    for (const f of [
      'LICENSE',
      'COPYING',
      'dist/mylic.mjs',
      'dist/THIRD-PARTY-NOTICES.txt',
      'dist/mylic.cdx.json',
    ])
      expect(existsSync(join(pkgDir, f)), f).toBe(true);
    expect((await readdir(join(pkgDir, 'dist', 'agent'))).length).toBeGreaterThan(5);
    expect(existsSync(join(pkgDir, 'node_modules'))).toBe(false);
    const sbom = JSON.parse(readFileSync(join(pkgDir, 'dist', 'mylic.cdx.json'), 'utf8'));
    expect(sbom.bomFormat).toBe('CycloneDX');
    const names = sbom.components.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['node-forge', 'zod', 'ntp-time-sync']));
    // The SBOM is the agent's, not the project's: the bridge's packages are not in the bundle, nor
    // undici and Hono (the agent's HTTPS client is node:https, its device page node:http).
    expect(names).not.toContain('better-sqlite3');
    expect(names).not.toContain('nodemailer');
    expect(names).not.toContain('undici');
    expect(names).not.toContain('hono');
  });

  it('runs `mylic --version --json`, `device init` and `status --json` from the install', async () => {
    const version = await run(mylic, ['--version', '--json'], { env: env(), cwd: dir });
    expect(JSON.parse(version.stdout)).toMatchObject({ ok: true, result: { version: expect.any(String) } });

    const pki = await loadOrCreateDevPki(join(dir, 'pki'));
    expect(pki).toBeTruthy();
    const device = join(dir, 'device');
    const init = await run(
      mylic,
      ['device', 'init', '--mac', '00-90-33-0A-0B-0C', '--dir', device, '--pki', join(dir, 'pki'), '--json'],
      { env: env(), cwd: dir },
    );
    expect(JSON.parse(init.stdout)).toMatchObject({ ok: true, result: { hardwareId: '0090330A0B0C' } });
    const status = await run(mylic, ['status', '--json', '--dir', device], { env: env(), cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({
      ok: true,
      command: 'status',
      result: { hardwareId: '0090330A0B0C', mac: '00-90-33-0A-0B-0C', installed: null, resetRequired: false },
    });
  });
});
