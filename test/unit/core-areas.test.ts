import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The shape of bridge/core (issue 12): a small kernel at the top and one folder per area of the seed.
 * Other code reaches an area only through its index.ts, the areas import one another without a cycle,
 * and nothing in the core speaks to a database driver or compiles queries ahead (bridge/db owns that).
 */
const CORE = 'bridge/core';
const KERNEL = '(kernel)';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const areas = readdirSync(CORE).filter((f) => statSync(join(CORE, f)).isDirectory());
const areaOf = (file: string): string | null => {
  const rel = relative(CORE, file);
  if (rel.startsWith('..')) return null;
  const [first, ...rest] = rel.split(sep);
  return rest.length ? first! : KERNEL;
};

/** Relative imports of a file, resolved to repository paths (.ts). */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

const files = tsFiles(CORE);

describe('the core in the seed’s areas', () => {
  it('has a small kernel at the top and areas of about a dozen files each', () => {
    const kernel = files.filter((f) => areaOf(f) === KERNEL);
    expect(kernel.length).toBeLessThanOrEqual(10);
    expect(areas.sort()).toEqual([
      'accounts',
      'balance',
      'devices',
      'keys',
      // The Import of the old license manager (seed L76-81, L305-321; issue 15 item 1).
      'legacy',
      'licenses',
      'organisation',
      // myplay, the sandbox portal (seed L330-350; issue 15 item 2).
      'play',
      'ssa',
    ]);
    for (const a of areas) {
      const own = files.filter((f) => areaOf(f) === a);
      expect(own, a).toContain(join(CORE, a, 'index.ts'));
      expect(own.length, `${a} has ${own.length} files`).toBeLessThanOrEqual(14);
    }
  });

  it('reaches another area only through its index.ts, and the kernel imports no area', () => {
    const wrong: string[] = [];
    for (const f of files) {
      const from = areaOf(f)!;
      for (const target of importsOf(f)) {
        const to = areaOf(target);
        if (to === null || to === KERNEL || to === from) continue;
        if (from === KERNEL) wrong.push(`${f} → ${target} (the kernel imports no area)`);
        else if (target !== join(CORE, to, 'index.ts')) wrong.push(`${f} → ${target} (use ${to}/index.ts)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between areas', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      const from = areaOf(f)!;
      for (const target of importsOf(f)) {
        const to = areaOf(target);
        if (to && to !== from && to !== KERNEL)
          (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) return void cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const a of areas) visit(a, []);
    expect(cycles).toEqual([]);
  });

  it('has no import cycle between the files of an area', () => {
    const cycles = new Set<string>();
    const graph = new Map(
      files.map((f) => [
        f,
        importsOf(f).filter((t) => t.startsWith(CORE) && areaOf(t) === areaOf(f) && !t.endsWith('index.ts')),
      ]),
    );
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) return void cycles.add([...path.slice(path.indexOf(node)), node].join(' → '));
      if (path.length > 30) return;
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const f of files) visit(f, []);
    expect([...cycles]).toEqual([]);
  });

  it('speaks to no database driver and compiles no query ahead: bridge/db owns the dialect', () => {
    // Code only: comments may say which database does what.
    const code = (f: string) =>
      readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
    const offending = files.filter((f) =>
      /from ['"](better-sqlite3|pg)['"]|precompiled\(|\bPRAGMA\b|BEGIN IMMEDIATE|fts5|sqlite_/i.test(code(f)),
    );
    expect(offending).toEqual([]);
  });
});
