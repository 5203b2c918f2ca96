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
  // A binary min-heap plus a set, since thousands of nodes ask for the same heartbeat instants.
  const heap: number[] = [];
  const present = new Set<number>();
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= heap[i]!) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && heap[l]! < heap[smallest]!) smallest = l;
      if (r < heap.length && heap[r]! < heap[smallest]!) smallest = r;
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
    present.delete(top);
    return top;
  };
  return {
    add(time) {
      if (present.has(time)) return;
      present.add(time);
      heap.push(time);
      up(heap.length - 1);
    },
    peek: () => heap[0],
    dropThrough(time) {
      while (heap.length > 0 && heap[0]! <= time) pop();
    },
    get size() {
      return heap.length;
    },
  };
}
