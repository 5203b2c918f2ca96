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
  const heap: Entry[] = [];
  const due = new Map<string, number>();
  let seq = 0;
  const less = (a: Entry, b: Entry) => a.time < b.time || (a.time === b.time && a.seq < b.seq);
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && less(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && less(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
    return top;
  };
  // Entries whose key was rescheduled or cancelled stay in the heap until they surface.
  const dropStale = () => {
    while (heap.length > 0 && due.get(heap[0]!.key) !== heap[0]!.time) pop();
  };
  return {
    schedule(key, time) {
      if (due.get(key) === time) return;
      due.set(key, time);
      heap.push({ time, seq: seq++, key });
      up(heap.length - 1);
    },
    cancel: (key) => void due.delete(key),
    dueAt: (key) => due.get(key),
    peek() {
      dropStale();
      return heap[0]?.time;
    },
    popDue(time) {
      const keys: string[] = [];
      for (;;) {
        dropStale();
        const top = heap[0];
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
