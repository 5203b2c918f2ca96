import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toRfc3339 } from './virtual-clock.ts';

const viaDate = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('toRfc3339', () => {
  it('formats at second precision, as metav1.Time serialises', () => {
    expect(toRfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 999))).toBe('2026-01-02T03:04:05Z');
    expect(toRfc3339(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('gives what Date gives for any sequence of times, however close together (property)', () => {
    // Runs of times inside one second and across its edges, negative ones and fractional milliseconds.
    const time = fc.oneof(
      fc.integer({ min: -2_000, max: 2_000 }).map((ms) => 1_780_000_000_000 + ms),
      fc.double({ min: -3_000, max: 3_000, noNaN: true }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      // Days apart and seconds apart, so consecutive times share a date or do not.
      fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }).map((ms) => 1_780_000_000_000 + ms),
      // Years 0000 and 9999 and either side of them, which Date writes with a sign and six digits.
      fc.integer({ min: -62_167_219_200_000 - 2 * 86_400_000, max: -62_167_219_200_000 + 2 * 86_400_000 }),
      fc.integer({ min: 253_402_300_800_000 - 2 * 86_400_000, max: 253_402_300_800_000 + 2 * 86_400_000 }),
      fc.constantFrom(-8.64e15, 8.64e15),
    );
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 40 }), (times) => {
        for (const t of times) expect(toRfc3339(t)).toBe(viaDate(t));
      }),
      { seed: 5, numRuns: 2000 },
    );
  });

  it('rejects an invalid time as Date does, and is not confused by it afterwards', () => {
    toRfc3339(1000);
    expect(() => toRfc3339(Number.NaN)).toThrow(RangeError);
    expect(() => toRfc3339(8.64e15 + 1)).toThrow(RangeError);
    expect(toRfc3339(1500)).toBe('1970-01-01T00:00:01Z');
  });
});
