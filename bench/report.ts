import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { round } from './stats.js';

/**
 * One line of the table and of results.json. `value` and `ceiling` are in `unit`; `ratio` is
 * value / ceiling (or, for cold starts, value / baseline), as the target is phrased.
 */
export type Status = 'meets' | 'short' | 'info' | 'PASS' | 'FAIL' | 'pending';

export interface Figure {
  id: string;
  /** Item: 1 download, 2 invalidation, 3 contention, 4 store scale, 5 agent (issue 7); 6 portal pages (issues 13, 14). */
  item: number;
  measurement: string;
  value: number | null;
  unit: string;
  ceiling?: number | null;
  /** What the ceiling is, e.g. "min(a=…, b=…)". */
  ceilingNote?: string;
  ratio?: number | null;
  /** How the ratio reads: a share of the ceiling (default) or a multiple of a baseline. */
  ratioAs?: 'percent' | 'times';
  target?: string;
  status: Status;
  detail?: Record<string, unknown>;
}

export function machine() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cpuCount: list.length,
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    /** 1, 5, 15 minutes: other work on the machine skews every figure; see also loadAverageAtEnd. */
    loadAverage: loadavg(),
    date: new Date().toISOString(),
  };
}

const fmt = (v: number | null | undefined, unit = ''): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  const n = round(v);
  return unit ? `${n.toLocaleString('en-US')} ${unit}` : n.toLocaleString('en-US');
};

export function renderTable(figures: Figure[]): string {
  const rows = [
    ['#', 'measurement', 'value', 'ceiling', 'ratio', 'target', 'status'],
    ...figures.map((f) => [
      String(f.item),
      f.measurement,
      fmt(f.value, f.unit),
      f.ceiling === undefined
        ? (f.ceilingNote ?? '')
        : `${fmt(f.ceiling, f.unit)}${f.ceilingNote ? ` ${f.ceilingNote}` : ''}`,
      f.ratio === undefined || f.ratio === null
        ? ''
        : f.ratioAs === 'times'
          ? `${round(f.ratio)}×`
          : `${round(f.ratio * 100)}%`,
      f.target ?? '',
      f.status,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** `machineInfo`: taken when the run started (its date and load average belong to the start). */
export async function writeResults(
  file: string,
  machineInfo: ReturnType<typeof machine>,
  figures: Figure[],
  extra: Record<string, unknown>,
) {
  const clean = figures.map((f) => ({
    ...f,
    value: f.value === null ? null : round(f.value),
    ...(f.ceiling !== undefined ? { ceiling: f.ceiling === null ? null : round(f.ceiling) } : {}),
    ...(f.ratio !== undefined ? { ratio: f.ratio === null ? null : round(f.ratio) } : {}),
  }));
  await writeFile(
    file,
    `${JSON.stringify({ machine: machineInfo, command: 'npm run bench', figures: clean, ...extra }, null, 2)}\n`,
  );
}
