/** A binary min-heap ordered by `less`. */
export interface MinHeap<T> {
  push(item: T): void;
  /** Removes and returns the smallest item. */
  pop(): T | undefined;
  peek(): T | undefined;
  readonly size: number;
}

export function createMinHeap<T>(less: (a: T, b: T) => boolean): MinHeap<T> {
  const heap: T[] = [];
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
  return {
    push(item) {
      heap.push(item);
      up(heap.length - 1);
    },
    pop() {
      if (heap.length === 0) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
      return top;
    },
    peek: () => heap[0],
    get size() {
      return heap.length;
    },
  };
}
