import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentBuild } from '../../build.config.js';
import {
  AGENT_LICENSE,
  type BundledPackage,
  LICENSE_ALLOW_LIST,
  bundledPackages,
  chosenLicense,
  licenseAllowed,
} from '../../scripts/agent-bundle.js';
import { ROOT } from '../support/cli.js';

/**
 * Licensing of the agent: every package the esbuild metafile puts into the agent files has a license
 * on the allow-list and its text, dist/THIRD-PARTY-NOTICES.txt (written by `npm run build`) names
 * each with that text, and every shipped agent file says under which terms it is.
 */
describe('agent bundle licenses', () => {
  let packages: BundledPackage[];
  beforeAll(async () => {
    const r = await build({ ...agentBuild, absWorkingDir: ROOT, outdir: join(ROOT, 'dist'), write: false });
    packages = bundledPackages(r.metafile!, ROOT);
  });

  it('finds the packages the agent is known to bundle (the metafile is read, not a hand list)', () => {
    const names = packages.map((p) => p.name);
    for (const name of [
      'zod',
      'node-forge',
      'fast-xml-parser',
      'ntp-time-sync',
      'ntp-packet-parser',
      'dns-packet',
    ])
      expect(names).toContain(name);
  });

  it('every bundled package has a license on the allow-list and a license text', () => {
    const refused = packages.filter((p) => !licenseAllowed(p.license)).map((p) => `${p.name}: ${p.license}`);
    expect(refused, `not on the allow-list ${LICENSE_ALLOW_LIST.join(', ')}`).toEqual([]);
    const noText = packages.filter((p) => !p.licenseText || p.licenseText.length < 200).map((p) => p.name);
    expect(noText, 'packages without a license text').toEqual([]);
  });

  it('the allow-list reads SPDX expressions: an OR passes by one allowed side, an AND needs both', () => {
    expect(licenseAllowed('MIT')).toBe(true);
    expect(licenseAllowed('(BSD-3-Clause OR GPL-2.0)')).toBe(true);
    expect(licenseAllowed('GPL-2.0')).toBe(false);
    expect(licenseAllowed('GPL-2.0-only')).toBe(false);
    expect(licenseAllowed('AGPL-3.0-only')).toBe(false);
    expect(licenseAllowed('SSPL-1.0 OR BUSL-1.1')).toBe(false);
    expect(licenseAllowed('MIT AND GPL-2.0')).toBe(false);
    expect(licenseAllowed('UNKNOWN')).toBe(false);
    expect(licenseAllowed('(MIT OR Apache-2.0) AND BSD-2-Clause')).toBe(true);
  });

  it('dist/THIRD-PARTY-NOTICES.txt names every bundled package with version, license and text', () => {
    const notices = readFileSync(join(ROOT, 'dist/THIRD-PARTY-NOTICES.txt'), 'utf8');
    expect(notices).toContain(AGENT_LICENSE);
    for (const p of packages) {
      expect(notices).toContain(`${p.name} ${p.version}\nLicense: ${p.license}\n`);
      expect(notices).toContain(p.licenseText!.slice(0, 200));
      // A choice of licenses names the one taken (node-forge: BSD-3-Clause, not GPL-2.0).
      if (/\sOR\s/.test(p.license)) expect(notices).toContain(`Used under: ${chosenLicense(p.license)}\n`);
    }
    expect(chosenLicense('(BSD-3-Clause OR GPL-2.0)')).toBe('BSD-3-Clause');
    expect(notices).not.toContain('NO LICENSE TEXT FOUND');
  });

  it('LICENSE (the project, Apache-2.0) and COPYING (GPL-3.0, the agent files) exist; every agent file names its terms', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(readFileSync(join(ROOT, 'agent/COPYING'), 'utf8')).toMatch(
      /GNU GENERAL PUBLIC LICENSE\s+Version 3/,
    );
    const files = ['dist/mylic.mjs', ...readdirSync(join(ROOT, 'dist/agent')).map((f) => `dist/agent/${f}`)];
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      expect(existsSync(join(ROOT, f))).toBe(true);
      expect(readFileSync(join(ROOT, f), 'utf8').slice(0, 300), f).toContain(
        `${AGENT_LICENSE} as a whole (COPYING)`,
      );
    }
  });
});
