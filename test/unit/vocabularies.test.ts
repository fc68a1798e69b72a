import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HISTORY_EVENTS, SSA_END_SET_EVENTS } from '../../bridge/core/history.js';
import {
  INTERNAL_CREDIT_REASONS,
  KEY_CREDIT_REASONS,
  LEDGER_REASONS,
  LEFT_COMPANY_REASONS,
} from '../../bridge/core/ledger.js';

/**
 * The closed vocabularies (issue 12): history event names (bridge/core/history.ts) and ledger reasons
 * (bridge/core/ledger.ts) are each one list. tsc already holds every write to them; this also scans the
 * core's source for a string literal written as an event or a reason that is not in its list, in case
 * a write ever goes around the typed functions.
 */
const CORE = 'bridge/core';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = tsFiles(CORE).map((file) => ({ file, src: readFileSync(file, 'utf8') }));
const literals = (text: string) => [...text.matchAll(/'([^'\n]*)'/g)].map((m) => m[1]!);

/** Every string literal written where an event name goes: `event: …` (also `a ? 'x' : 'y'`, `?? 'x'`) and tellOtherHolders(…, 'x'). */
function eventLiterals(file: string, src: string): { file: string; name: string }[] {
  const spots = [
    ...src.matchAll(/\bevent\??:\s*([^,;}\n]+)/g),
    ...src.matchAll(/\btellOtherHolders\(([^)\n]*)\)/g),
  ].map((m) => m[1]!);
  return spots.flatMap((s) =>
    literals(s)
      .filter((l) => l.includes('.'))
      .map((name) => ({ file, name })),
  );
}

/** Every string literal written where a ledger reason goes: creditBalance/debitBalance/keyEntry calls, `reason: '…'`, `.where('…reason', op, …)`. */
function reasonLiterals(file: string, src: string): { file: string; name: string }[] {
  const calls = [...src.matchAll(/\b(?:creditBalance|debitBalance|keyEntry)\(([^)]*)\)/g)].map((m) => m[1]!);
  const props = [...src.matchAll(/\breason:\s*([^,;}\n]+)/g)].map((m) => m[1]!);
  const wheres = [...src.matchAll(/\.where\(\s*'(?:[a-z_]+\.)?reason',\s*'[^']+',\s*([^)]+)\)/g)].map(
    (m) => m[1]!,
  );
  return [...calls, ...props, ...wheres].flatMap((s) =>
    literals(s)
      .filter((l) => l.includes('.'))
      .map((name) => ({ file, name })),
  );
}

const duplicates = (list: readonly string[]) => list.filter((x, i) => list.indexOf(x) !== i);

describe('history event names', () => {
  it('are dotted lower-case names, each once', () => {
    expect(HISTORY_EVENTS.length).toBeGreaterThan(0);
    expect(HISTORY_EVENTS.filter((e) => !/^[a-z_]+\.[a-z_]+$/.test(e))).toEqual([]);
    expect(duplicates(HISTORY_EVENTS)).toEqual([]);
  });

  it('name the SSA-end events from the list', () => {
    expect(SSA_END_SET_EVENTS.filter((e) => !(HISTORY_EVENTS as readonly string[]).includes(e))).toEqual([]);
  });

  it('cover every event the core writes, and the list holds no name the core never writes', () => {
    const written = sources.flatMap(({ file, src }) =>
      file.endsWith('/history.ts') ? [] : eventLiterals(file, src),
    );
    expect(written.length).toBeGreaterThan(50);
    expect(written.filter((w) => !(HISTORY_EVENTS as readonly string[]).includes(w.name))).toEqual([]);
    const names = new Set(written.map((w) => w.name));
    expect(HISTORY_EVENTS.filter((e) => !names.has(e))).toEqual([]);
  });
});

describe('ledger reasons', () => {
  it('are each once', () => {
    expect(LEDGER_REASONS.length).toBeGreaterThan(0);
    expect(duplicates(LEDGER_REASONS)).toEqual([]);
  });

  it('group the conservation report’s reasons as subsets of the list, without overlap', () => {
    const groups = [INTERNAL_CREDIT_REASONS, KEY_CREDIT_REASONS, LEFT_COMPANY_REASONS];
    for (const g of groups)
      expect(g.filter((r) => !(LEDGER_REASONS as readonly string[]).includes(r))).toEqual([]);
    expect(duplicates(groups.flat())).toEqual([]);
  });

  it('cover every reason the core writes, and the list holds no reason the core never writes', () => {
    const written = sources.flatMap(({ file, src }) =>
      file.endsWith('/ledger.ts') ? [] : reasonLiterals(file, src),
    );
    expect(written.length).toBeGreaterThan(15);
    expect(written.filter((w) => !(LEDGER_REASONS as readonly string[]).includes(w.name))).toEqual([]);
    const names = new Set(written.map((w) => w.name));
    expect(LEDGER_REASONS.filter((r) => !names.has(r))).toEqual([]);
  });
});
