import { createMinHeap } from '../../engine/min-heap.ts';

/**
 * Timers keyed by name on the virtual clock: scheduling a key again replaces its previous time,
 * and ties fire in scheduling order, so a controller replaying the same events fires the same
 * timers in the same order.
 */
export interface KeyedTimers {
  schedule(key: string, time: number): void;
  cancel(key: string): void;
  /** When `key` is due, if scheduled. */
  dueAt(key: string): number | undefined;
  /** Earliest pending time. */
  peek(): number | undefined;
  /** Removes and returns the keys due at or before `time`, earliest first. */
  popDue(time: number): string[];
  readonly size: number;
}

interface Entry {
  time: number;
  seq: number;
  key: string;
}

export function createKeyedTimers(): KeyedTimers {
  const heap = createMinHeap<Entry>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  const due = new Map<string, number>();
  let seq = 0;
  const pop = () => heap.pop()!;
  // Entries whose key was rescheduled or cancelled stay in the heap until they surface.
  const dropStale = () => {
    while (heap.size > 0 && due.get(heap.peek()!.key) !== heap.peek()!.time) pop();
  };
  return {
    schedule(key, time) {
      if (due.get(key) === time) return;
      due.set(key, time);
      heap.push({ time, seq: seq++, key });
    },
    cancel: (key) => void due.delete(key),
    dueAt: (key) => due.get(key),
    peek() {
      dropStale();
      return heap.peek()?.time;
    },
    popDue(time) {
      const keys: string[] = [];
      // Nothing in a min-heap is earlier than its top, stale or not: the usual case (no timer due
      // at this event) needs no look-up of which entries are stale.
      const first = heap.peek();
      if (!first || first.time > time) return keys;
      for (;;) {
        dropStale();
        const top = heap.peek();
        if (!top || top.time > time) return keys;
        pop();
        due.delete(top.key);
        keys.push(top.key);
      }
    },
    get size() {
      return due.size;
    },
  };
}
