import { describe, expect, it } from 'vitest';
import { cheapestPacks, type PackOption } from '../../bridge/core/licenses/index.js';

/** The pre-filled cheapest combination of V8+ PBX packs, checked against brute force. */
const packs = (avail: [number, number, number]): PackOption[] => [
  { type: 'PBX-Port14', packSize: 1, unitPrice: 1000, available: avail[0] },
  { type: 'PBX-Port14*5', packSize: 5, unitPrice: 4500, available: avail[1] },
  { type: 'PBX-Port14*20', packSize: 20, unitPrice: 16000, available: avail[2] },
];

function bruteForce(total: number, options: PackOption[]) {
  let best: { cost: number; units: number } | null = null;
  const walk = (i: number, left: number, cost: number, units: number) => {
    if (i === options.length) {
      if (left === 0 && (!best || cost < best.cost || (cost === best.cost && units < best.units)))
        best = { cost, units };
      return;
    }
    const o = options[i]!;
    for (let k = 0; k <= o.available && k * o.packSize <= left; k++)
      walk(i + 1, left - k * o.packSize, cost + k * o.unitPrice, units + k);
  };
  walk(0, total, 0, 0);
  return best as { cost: number; units: number } | null;
}

describe('cheapestPacks', () => {
  it('takes a 20-pack and a 5-pack for 25 ports when both are there', () => {
    expect(cheapestPacks(25, packs([100, 10, 10]))).toEqual({
      choice: [
        { type: 'PBX-Port14*20', units: 1 },
        { type: 'PBX-Port14*5', units: 1 },
      ],
      cost: 20500,
      units: 2,
    });
  });

  it('falls back to single ports when no packs are in the balance', () => {
    expect(cheapestPacks(7, packs([10, 0, 0]))?.choice).toEqual([{ type: 'PBX-Port14', units: 7 }]);
  });

  it('answers null when the balance cannot make the exact amount', () => {
    expect(cheapestPacks(7, packs([1, 3, 3]))).toBeNull();
    expect(cheapestPacks(0, packs([0, 0, 0]))).toEqual({ choice: [], cost: 0, units: 0 });
  });

  it('prefers a pricier-per-port big pack only when it is cheaper in total', () => {
    const odd: PackOption[] = [
      { type: 'A', packSize: 1, unitPrice: 100, available: 50 },
      { type: 'B', packSize: 20, unitPrice: 2500, available: 5 },
    ];
    expect(cheapestPacks(20, odd)?.choice).toEqual([{ type: 'A', units: 20 }]);
  });

  it('agrees with brute force on every amount up to 60 for many balances', () => {
    let checked = 0;
    for (const avail of [
      [0, 0, 3],
      [3, 2, 1],
      [60, 12, 3],
      [4, 0, 2],
      [2, 5, 0],
      [0, 12, 0],
      [7, 7, 7],
    ] as [number, number, number][]) {
      for (const prices of [
        [1000, 4500, 16000],
        [1000, 5000, 20000],
        [1000, 6000, 15000],
        [900, 5000, 17000],
      ]) {
        const options = packs(avail).map((o, i) => ({ ...o, unitPrice: prices[i]! }));
        for (let total = 0; total <= 60; total++) {
          const plan = cheapestPacks(total, options);
          const best = bruteForce(total, options);
          if (!best) expect(plan).toBeNull();
          else {
            expect(plan, `total ${total}`).not.toBeNull();
            expect({ cost: plan!.cost, units: plan!.units }).toEqual(best);
            expect(
              plan!.choice.reduce(
                (s, c) => s + c.units * options.find((o) => o.type === c.type)!.packSize,
                0,
              ),
            ).toBe(total);
            for (const c of plan!.choice)
              expect(c.units).toBeLessThanOrEqual(options.find((o) => o.type === c.type)!.available);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(7 * 4 * 61);
  });

  it('handles a 10,000-port PBX exactly', () => {
    const plan = cheapestPacks(10_003, packs([10, 1000, 400]));
    expect(plan?.choice).toEqual([
      { type: 'PBX-Port14*20', units: 400 },
      { type: 'PBX-Port14*5', units: 400 },
      { type: 'PBX-Port14', units: 3 },
    ]);
  });
});
