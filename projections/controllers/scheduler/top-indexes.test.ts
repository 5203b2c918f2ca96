import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topIndexes } from './schedule-pod.ts';

/** The plain definition: chosen first, then the others by total (highest first), ties in evaluation order. */
function reference(totals: number[], limit: number, chosen: number): number[] {
  const others = totals.map((_, i) => i).filter((i) => i !== chosen);
  others.sort((a, b) => totals[b]! - totals[a]! || a - b);
  return [chosen, ...others].slice(0, Math.max(0, limit));
}

describe('topIndexes (which feasible nodes a truncated decision keeps)', () => {
  it('keeps the chosen node first, then the best totals, ties in evaluation order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 120 }),
        fc.nat(),
        (totals, limit, pick) => {
          const chosen = pick % totals.length;
          expect(topIndexes(Float64Array.from(totals), totals.length, limit, chosen)).toEqual(reference(totals, limit, chosen));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('handles totals that are not small integers by sorting', () => {
    const totals = [0.5, 2.25, 2.25, 1e7, 3];
    expect(topIndexes(Float64Array.from(totals), totals.length, 4, 0)).toEqual(reference(totals, 4, 0));
  });
});
