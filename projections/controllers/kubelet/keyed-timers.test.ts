import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedTimers } from './keyed-timers.ts';

describe('keyed timers', () => {
  it('fires each key once at its latest scheduled time, in time then scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 40 }), (ops) => {
        const timers = createKeyedTimers();
        const expected = new Map<string, { time: number; seq: number }>();
        ops.forEach(([key, time, cancel], seq) => {
          if (cancel) {
            timers.cancel(key);
            expected.delete(key);
          } else {
            timers.schedule(key, time);
            if (expected.get(key)?.time !== time) expected.set(key, { time, seq });
          }
        });
        const order = [...expected.entries()].sort((x, y) => x[1].time - y[1].time || x[1].seq - y[1].seq).map(([k]) => k);
        expect(timers.peek()).toBe(order.length ? expected.get(order[0]!)!.time : undefined);
        expect(timers.popDue(20)).toEqual(order);
        expect(timers.peek()).toBeUndefined();
        expect(timers.size).toBe(0);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
