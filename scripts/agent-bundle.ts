import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';

/**
 * What the agent bundle is made of, read from esbuild's metafile (never from a hand list): the files
 * each command loads, the packages in each file with their license and license text, and the
 * THIRD-PARTY-NOTICES.txt written from them. Used by build.config.ts, `npm run bench` and the tests.
 */
const ROOT = resolve(import.meta.dirname, '..');

/**
 * The licence of the shipped agent files as a whole (README "License"): GPL-3.0 because ntp-time-sync
 * and ntp-packet-parser are in them. Version 3 only: both say "GPL-3.0" ("GNU General Public License
 * Version 3") and grant no "or any later version", so the combination cannot be offered under later ones.
 */
export const AGENT_LICENSE = 'GPL-3.0-only';
/** The project's own source. */
export const PROJECT_LICENSE = 'Apache-2.0';

/**
 * Licenses a package bundled into the agent may have: permissive ones compatible with the GPL-3.0 the
 * agent files are shipped under, and the GPL-3.0 itself (ntp-time-sync, ntp-packet-parser).
 * GPL-2.0-only is not on it (not compatible with GPL-3.0): node-forge's "(BSD-3-Clause OR GPL-2.0)"
 * passes through its BSD-3-Clause alternative.
 */
export const LICENSE_ALLOW_LIST = [
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'Apache-2.0',
  'GPL-3.0',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
] as const satisfies readonly string[];

/**
 * License texts for bundled packages that ship none, reviewed by hand: agent/license-texts/<name>.txt
 * (a scope's slash written as "+").
 */
const SUPPLIED_TEXTS = join(ROOT, 'agent', 'license-texts');

/** Whether an SPDX expression of OR / AND (with parentheses) is satisfied by the allow-list. */
export function licenseAllowed(expression: string, allow: readonly string[] = LICENSE_ALLOW_LIST): boolean {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const primary = (): boolean => {
    const t = tokens[at++];
    if (t === '(') {
      const v = or();
      if (tokens[at++] !== ')') throw new Error(`unbalanced license expression: ${expression}`);
      return v;
    }
    if (!t || t === ')' || t === 'OR' || t === 'AND')
      throw new Error(`bad license expression: ${expression}`);
    return allow.includes(t);
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[at] === 'AND') {
      at++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[at] === 'OR') {
      at++;
      v = and() || v;
    }
    return v;
  };
  const v = or();
  if (at !== tokens.length) throw new Error(`bad license expression: ${expression}`);
  return v;
}

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** The license file's text, or the supplied text for a package that ships none; null when neither. */
  licenseText: string | null;
  licenseSource: string | null;
  /** Bytes of the package in the bundle, and the dist files it is in. */
  bytes: number;
  files: string[];
}

const PACKAGE_DIR = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;

function licenseFileOf(dir: string): string | null {
  const name = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return name ? join(dir, name) : null;
}

/** Every npm package that ends up in the agent's output files, from the metafile. */
export function bundledPackages(metafile: Metafile, root = ROOT): BundledPackage[] {
  const byDir = new Map<string, { bytes: number; files: Set<string> }>();
  for (const [outFile, output] of Object.entries(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const dir = PACKAGE_DIR.exec(input)?.[1];
      if (!dir || bytesInOutput === 0) continue;
      const entry = byDir.get(dir) ?? { bytes: 0, files: new Set<string>() };
      entry.bytes += bytesInOutput;
      entry.files.add(outFile);
      byDir.set(dir, entry);
    }
  }
  return [...byDir.entries()]
    .map(([dir, { bytes, files }]) => {
      const abs = resolve(root, dir);
      const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        license?: string;
      };
      let licenseSource = licenseFileOf(abs);
      if (!licenseSource) {
        const supplied = join(SUPPLIED_TEXTS, `${pkg.name.replace('/', '+')}.txt`);
        licenseSource = existsSync(supplied) ? supplied : null;
      }
      const text = licenseSource ? readFileSync(licenseSource, 'utf8').trim() : '';
      return {
        name: pkg.name,
        version: pkg.version,
        license: pkg.license ?? 'UNKNOWN',
        licenseText: text || null,
        licenseSource: licenseSource ? licenseSource.slice(root.length + 1) : null,
        bytes,
        files: [...files].sort(),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Bytes of the bundle by package (our own code by top folder), largest first. */
export function composition(metafile: Metafile): { name: string; bytes: number }[] {
  const by = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? `${file.split('/')[0]}/ (ours)`;
      by.set(name, (by.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes }));
}

/**
 * The files one command loads: `bytes` is the static-import closure of the launcher, the CLI and the
 * command's module (what it always loads); `upToBytes` adds everything its lazy `import()`s can reach
 * (undici when a flow opens a portal client, node-forge when an identity is replaced or checked, the
 * text renderer without --json), the most it can load.
 */
export interface CommandFiles {
  command: string;
  files: string[];
  bytes: number;
  upToBytes: number;
}

const LAUNCHER_ENTRY = 'agent/main.ts';
const CLI_ENTRY = 'agent/cli.ts';
const COMMAND_ENTRY = /^agent\/commands\/([a-z-]+)\.ts$/;

/** Per command (and `--version`: the launcher alone; `--help`: launcher and CLI), from the metafile. */
export function commandFiles(metafile: Metafile): { commands: CommandFiles[]; totalBytes: number } {
  const outputs = metafile.outputs;
  const byEntry = new Map<string, string>();
  for (const [file, o] of Object.entries(outputs)) if (o.entryPoint) byEntry.set(o.entryPoint, file);
  const closure = (start: string[], dynamic: boolean) => {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const imp of outputs[f]?.imports ?? []) {
        if (imp.external) continue;
        if (imp.kind === 'import-statement' || (dynamic && imp.kind === 'dynamic-import'))
          stack.push(imp.path);
      }
    }
    return seen;
  };
  const launcher = byEntry.get(LAUNCHER_ENTRY);
  const cli = byEntry.get(CLI_ENTRY);
  if (!launcher || !cli) throw new Error('the metafile has no agent launcher or CLI entry');
  const sum = (files: Set<string>) => [...files].reduce((n, f) => n + outputs[f]!.bytes, 0);
  const base = closure([launcher, cli], false);
  const make = (command: string, start: string[]): CommandFiles => {
    const files = start.length ? new Set([...base, ...closure(start, false)]) : base;
    const upTo = new Set([...base, ...closure(start, true)]);
    return { command, files: [...files].sort(), bytes: sum(files), upToBytes: sum(upTo) };
  };
  const version = closure([launcher], false);
  const commands: CommandFiles[] = [
    { command: '--version', files: [...version], bytes: sum(version), upToBytes: sum(version) },
    make('--help', []),
  ];
  for (const [entry, file] of [...byEntry.entries()].sort()) {
    const name = COMMAND_ENTRY.exec(entry)?.[1];
    if (name) commands.push(make(name, [file]));
  }
  const totalBytes = Object.entries(outputs)
    .filter(([f]) => f.endsWith('.mjs'))
    .reduce((n, [, o]) => n + o.bytes, 0);
  return { commands, totalBytes };
}

/** Of an SPDX "A OR B" choice, the first alternative on the allow-list (node-forge: BSD-3-Clause). */
export function chosenLicense(expression: string): string {
  const alternatives = expression.replace(/^\(|\)$/g, '').split(/\s+OR\s+/);
  return alternatives.find((a) => licenseAllowed(a)) ?? expression;
}

/** dist/THIRD-PARTY-NOTICES.txt: every bundled package with its version, license and license text. */
export function renderNotices(packages: BundledPackage[], version: string): string {
  const rule = '='.repeat(78);
  const head = [
    `mylic agent ${version}: third-party notices`,
    '',
    `The agent files (dist/mylic.mjs and dist/agent/*.mjs) are distributed under ${AGENT_LICENSE}`,
    `(COPYING). Our own source is ${PROJECT_LICENSE} (LICENSE); ntp-time-sync and ntp-packet-parser,`,
    'bundled into these files, are GPL-3.0, so the files as a whole are GPL-3.0 (version 3 only).',
    'The complete source is the mylic repository at the same version (agent/, protocol/, certs/ and',
    'build.config.ts build these files with esbuild from the packages below).',
    '',
    'This list is written by `npm run build` from the esbuild metafile: every package with code in the',
    'agent files, the files it is in, its license and its license text.',
    '',
  ];
  const body = packages.flatMap((p) => [
    rule,
    `${p.name} ${p.version}`,
    `License: ${p.license}`,
    ...(/\sOR\s/.test(p.license) ? [`Used under: ${chosenLicense(p.license)}`] : []),
    `In: ${p.files.join(', ')}`,
    ...(p.licenseSource?.startsWith('agent/license-texts/')
      ? [
          'The package ships no license file; the text below is the standard text of its declared license',
          `(${p.licenseSource}).`,
        ]
      : []),
    rule,
    '',
    p.licenseText ?? '(NO LICENSE TEXT FOUND)',
    '',
  ]);
  return `${[...head, ...body].join('\n')}\n`;
}
