import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { microTime, rfc3339 } from './time-format.ts';

describe('time formats', () => {
  it('rfc3339 agrees with toRfc3339, and microTime has six fractional digits, whatever the order of calls', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), { minLength: 1, maxLength: 20 }), (times) => {
        for (const time of times) {
          expect(rfc3339(time)).toBe(toRfc3339(time));
          expect(microTime(time)).toBe(new Date(time).toISOString().replace(/Z$/, '000Z'));
        }
      }),
      { seed: 7 },
    );
  });

  it('formats the examples Kubernetes shows', () => {
    expect(rfc3339(Date.UTC(2026, 0, 1, 12, 30, 5, 999))).toBe('2026-01-01T12:30:05Z');
    expect(microTime(Date.UTC(2026, 0, 1, 12, 30, 5, 7))).toBe('2026-01-01T12:30:05.007000Z');
  });
});
