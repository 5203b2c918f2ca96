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
  popDue(time: number): readonly string[];
  readonly size: number;
}

interface Entry {
  time: number;
  seq: number;
  key: string;
}

/** What popDue returns when nothing is due (most calls): one shared, frozen list. */
const NONE_DUE: readonly string[] = Object.freeze([]);

export function createKeyedTimers(): KeyedTimers {
  const heap = createMinHeap<Entry>((a, b) => a.time < b.time || (a.time === b.time && a.seq < b.seq));
  const due = new Map<string, number>();
  let seq = 0;
  // The heap's top as last found live: neither it nor its liveness can change until the next
  // schedule, cancel or pop, so a peek between them (the usual case: one per event) looks nothing up.
  let liveTop: Entry | undefined;
  // Entries whose key was rescheduled or cancelled stay in the heap until they surface.
  const dropStale = () => {
    for (;;) {
      const top = heap.peek();
      if (top === undefined || due.get(top.key) === top.time) return;
      heap.pop();
    }
  };
  return {
    schedule(key, time) {
      if (due.get(key) === time) return;
      liveTop = undefined;
      due.set(key, time);
      heap.push({ time, seq: seq++, key });
    },
    cancel(key) {
      liveTop = undefined;
      due.delete(key);
    },
    dueAt: (key) => due.get(key),
    peek() {
      const top = heap.peek();
      if (top !== undefined && top === liveTop) return top.time;
      dropStale();
      liveTop = heap.peek();
      return liveTop?.time;
    },
    popDue(time) {
      // Nothing in a min-heap is earlier than its top, stale or not: the usual case (no timer due
      // at this event) needs no look-up of which entries are stale.
      const first = heap.peek();
      if (!first || first.time > time) return NONE_DUE;
      liveTop = undefined;
      const keys: string[] = [];
      for (;;) {
        dropStale();
        const top = heap.peek();
        if (!top || top.time > time) return keys;
        heap.pop();
        due.delete(top.key);
        keys.push(top.key);
      }
    },
    get size() {
      return due.size;
    },
  };
}
