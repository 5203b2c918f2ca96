import { Subject, concatMap, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { reconcileEach, reconcileHandler } from './reconcile-each.ts';

describe('reconcileEach', () => {
  it('emits what concatMap over the same handler emits, synchronously and in order', () => {
    const handle = (n: number) => Array.from({ length: n % 3 }, (_, i) => `${n}.${i}`);
    const inputs = [0, 1, 2, 3, 4, 5, 7, 8];
    const viaOperator: string[] = [];
    const viaConcatMap: string[] = [];
    const a = new Subject<number>();
    const b = new Subject<number>();
    a.pipe(reconcileEach(handle)).subscribe((o) => viaOperator.push(o));
    b.pipe(concatMap(handle)).subscribe((o) => viaConcatMap.push(o));
    for (const n of inputs) {
      a.next(n);
      b.next(n);
      // Synchronous: the outputs of an input are out before the next input goes in.
      expect(viaOperator).toEqual(viaConcatMap);
    }
    expect(viaOperator).toEqual(['1.0', '2.0', '2.1', '4.0', '5.0', '5.1', '7.0', '8.0', '8.1']);
  });

  it('errors the stream when the handler throws, and completes when the inputs do', () => {
    const inputs = new Subject<number>();
    const seen: string[] = [];
    inputs.pipe(reconcileEach((n: number) => {
      if (n < 0) throw new Error('negative');
      return [n];
    })).subscribe({ next: (n) => seen.push(String(n)), error: (e: Error) => seen.push(`error ${e.message}`), complete: () => seen.push('complete') });
    inputs.next(1);
    inputs.next(-1);
    inputs.next(2);
    expect(seen).toEqual(['1', 'error negative']);

    const done: number[][] = [];
    const more = new Subject<number>();
    more.pipe(reconcileEach((n: number) => [n, n]), toArray()).subscribe((all) => done.push(all));
    more.next(3);
    more.complete();
    expect(done).toEqual([[3, 3]]);
  });

  it('exposes its handler only for exactly `source.pipe(reconcileEach(handle))`', () => {
    const handle = (n: number) => [n + 1];
    const source = new Subject<number>().asObservable();
    expect(reconcileHandler(source.pipe(reconcileEach(handle)), source)).toBe(handle);
    // Another source, or more operators after it: the outputs are no longer just the handler's.
    expect(reconcileHandler(source.pipe(reconcileEach(handle)), new Subject<number>().asObservable())).toBeUndefined();
    expect(reconcileHandler(source.pipe(reconcileEach(handle), map((n) => n * 2)), source)).toBeUndefined();
    expect(reconcileHandler(source.pipe(map((n) => n * 2), reconcileEach(handle)), source)).toBeUndefined();
  });
});
