/** Small statistics helpers shared by the benchmarks (no dependencies). */

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: number[]): number => percentile(Float64Array.from(values).sort(), 50);

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Rounds for display and JSON: 3 significant digits below 100, integers above. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}

/**
 * Runs `fn` in a tight loop for `ms` after `warmupMs`, in this process (one core), and returns
 * operations per second. Used for the crypto ceilings.
 */
export function opsPerSecond(
  fn: (i: number) => void,
  ms: number,
  warmupMs = 300,
): { opsPerSec: number; ops: number; ms: number } {
  let i = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) fn(i++);
  const start = performance.now();
  let ops = 0;
  let now = start;
  while (now - start < ms) {
    fn(i++);
    ops++;
    now = performance.now();
  }
  const elapsed = now - start;
  return { opsPerSec: (ops / elapsed) * 1000, ops, ms: elapsed };
}
