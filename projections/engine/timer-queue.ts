import { createMinHeap } from './min-heap.ts';

/** The virtual times controllers asked to be woken at, earliest first, without duplicates. */
export interface TimerQueue {
  add(time: number): void;
  /** Earliest pending time, or undefined. */
  peek(): number | undefined;
  /** Removes every time ≤ `time`. */
  dropThrough(time: number): void;
  readonly size: number;
}

export function createTimerQueue(): TimerQueue {
  // The set keeps one entry per instant: thousands of nodes ask for the same heartbeat instants.
  const heap = createMinHeap<number>((a, b) => a < b);
  const present = new Set<number>();
  return {
    add(time) {
      if (present.has(time)) return;
      present.add(time);
      heap.push(time);
    },
    peek: () => heap.peek(),
    dropThrough(time) {
      while (heap.size > 0 && heap.peek()! <= time) present.delete(heap.pop()!);
    },
    get size() {
      return heap.size;
    },
  };
}
