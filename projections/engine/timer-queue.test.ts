import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTimerQueue } from './timer-queue.ts';

describe('timer queue', () => {
  it('yields the earliest time first, once per distinct time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), (times) => {
        const queue = createTimerQueue();
        for (const t of times) queue.add(t);
        const drained: number[] = [];
        while (queue.peek() !== undefined) {
          const next = queue.peek()!;
          drained.push(next);
          queue.dropThrough(next);
        }
        expect(drained).toEqual([...new Set(times)].sort((a, b) => a - b));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('dropThrough removes every time at or before the given one', () => {
    const queue = createTimerQueue();
    [50, 10, 30, 20, 40].forEach((t) => queue.add(t));
    queue.dropThrough(30);
    expect(queue.peek()).toBe(40);
    expect(queue.size).toBe(2);
  });
});
