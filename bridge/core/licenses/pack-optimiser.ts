/**
 * The cheapest combination of PBX license packs for a wished amount (seed: Add licenses from balance,
 * "The best (cheapest) combination of each v8 pbx license type is already filled in").
 *
 * Exact: a bounded knapsack solved by dynamic programming over the amount. Each pack type's available
 * count is split into powers of two (1, 2, 4, …, rest), which turns it into a 0/1 knapsack of
 * O(log available) items per type: O(amount × Σ log available) steps, a few hundred thousand for a
 * 10,000-port PBX. Prices are integers (cents) so that comparisons are exact. Among equally cheap
 * combinations the one with fewer licenses wins, then the one with larger packs (stable choice).
 */
export interface PackOption {
  type: string;
  /** Ports per unit of this type (1, 5, 20, …). */
  packSize: number;
  /** Price per unit in cents. */
  unitPrice: number;
  /** Units of this type the chosen projects have. */
  available: number;
}

export interface PackChoice {
  type: string;
  units: number;
}

export interface PackPlan {
  choice: PackChoice[];
  cost: number;
  units: number;
}

const INF = Number.POSITIVE_INFINITY;

export function cheapestPacks(total: number, options: readonly PackOption[]): PackPlan | null {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('total must be a whole number ≥ 0');
  for (const o of options) {
    if (
      !Number.isInteger(o.packSize) ||
      o.packSize <= 0 ||
      !Number.isInteger(o.unitPrice) ||
      o.unitPrice < 0 ||
      !Number.isInteger(o.available) ||
      o.available < 0
    ) {
      throw new RangeError(`bad pack option ${o.type}`);
    }
  }
  // Larger packs first, so that the first optimum found prefers them on full ties.
  const sorted = options
    .map((o, index) => ({ ...o, index }))
    .sort((a, b) => b.packSize - a.packSize || a.index - b.index);
  const items: { option: number; count: number }[] = [];
  sorted.forEach((o, i) => {
    let left = Math.min(o.available, Math.floor(total / o.packSize));
    for (let k = 1; left > 0; k *= 2) {
      const c = Math.min(k, left);
      items.push({ option: i, count: c });
      left -= c;
    }
  });
  const cost = new Float64Array(total + 1).fill(INF);
  const units = new Float64Array(total + 1).fill(INF);
  cost[0] = 0;
  units[0] = 0;
  // taken[i][p]: item i was used to reach amount p (0/1 knapsack, amounts descending).
  const taken = items.map(() => new Uint8Array(total + 1));
  items.forEach((item, i) => {
    const o = sorted[item.option]!;
    const size = o.packSize * item.count;
    const price = o.unitPrice * item.count;
    for (let p = total; p >= size; p--) {
      const c = cost[p - size]! + price;
      const u = units[p - size]! + item.count;
      if (c < cost[p]! || (c === cost[p]! && u < units[p]!)) {
        cost[p] = c;
        units[p] = u;
        taken[i]![p] = 1;
      } else {
        taken[i]![p] = 0;
      }
    }
  });
  if (cost[total] === INF) return null;
  const counts = new Map<number, number>();
  let p = total;
  for (let i = items.length - 1; i >= 0 && p > 0; i--) {
    if (taken[i]![p]) {
      const item = items[i]!;
      counts.set(item.option, (counts.get(item.option) ?? 0) + item.count);
      p -= sorted[item.option]!.packSize * item.count;
    }
  }
  const choice = sorted
    .map((o, i) => ({ type: o.type, units: counts.get(i) ?? 0 }))
    .filter((c) => c.units > 0);
  return { choice, cost: cost[total]!, units: units[total]! };
}
