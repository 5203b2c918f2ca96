import fc from 'fast-check';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../events.ts';
import { type EventStore, type ExpectedRevision, isStoreClosedError, isWrongExpectedRevisionError } from './event-store.ts';

/** A fresh, empty store, and a way to close it and open the same log again. */
export interface ContractStore {
  store: EventStore;
  /** Closes `store` (if still open) and opens the same log again. */
  reopen(): Promise<EventStore>;
}

export interface ContractOptions {
  /** When set, the suite is reported as skipped with this reason in its name. */
  skip?: string;
}

/** A small event whose content says where it came from, so reads can be checked against appends. */
export function testEvent(label: string | number, extra: Record<string, unknown> = {}): NewEvent {
  return { type: 'ClockAdvanced', data: { time: Number(String(label).replace(/\D/g, '')) || 0, label, ...extra }, metadata: { actor: 'contract-test', time: 1_700_000_000_000 } } as unknown as NewEvent;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const positions = (events: readonly StoredEvent[]) => events.map((e) => e.position);
const labels = (events: readonly StoredEvent[]) => events.map((e) => (e.data as unknown as { label: unknown }).label);

/**
 * The behaviour every EventStore adapter promises, as one suite: run it once per adapter with a
 * factory for fresh stores.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<ContractStore>, options: ContractOptions = {}): void {
  const title = options.skip ? `${name} (skipped: ${options.skip})` : name;
  describe.skipIf(options.skip !== undefined)(title, () => {
    const open: EventStore[] = [];
    const fresh = async () => {
      const handle = await factory();
      open.push(handle.store);
      return {
        store: handle.store,
        reopen: async () => {
          const store = await handle.reopen();
          open.push(store);
          return store;
        },
      };
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close().catch(() => {});
    });

    describe('ordering', () => {
      it('starts empty', async () => {
        const { store } = await fresh();
        expect(await store.head()).toBe(0);
        expect(await collect(store.readAll())).toEqual([]);
        expect(await collect(store.readStream('Pod/default/a'))).toEqual([]);
        expect(await store.streamRevision('Pod/default/a')).toBe(-1);
      });

      it('gives dense positions from 1 in global order across streams, and revisions per stream', async () => {
        const { store } = await fresh();
        const a1 = await store.append('A', [testEvent('a0'), testEvent('a1')]);
        const b1 = await store.append('B', [testEvent('b0')]);
        const a2 = await store.append('A', [testEvent('a2')]);
        expect([a1.position, a1.nextExpectedRevision]).toEqual([2, 1]);
        expect([b1.position, b1.nextExpectedRevision]).toEqual([3, 0]);
        expect([a2.position, a2.nextExpectedRevision]).toEqual([4, 2]);
        expect(a1.events.map((e) => [e.stream, e.streamRevision, e.position])).toEqual([
          ['A', 0, 1],
          ['A', 1, 2],
        ]);
        const all = await collect(store.readAll());
        expect(positions(all)).toEqual([1, 2, 3, 4]);
        expect(labels(all)).toEqual(['a0', 'a1', 'b0', 'a2']);
        expect(all.map((e) => e.stream)).toEqual(['A', 'A', 'B', 'A']);
        expect(all[0]!.metadata).toEqual(testEvent('a0').metadata);
        expect(all[0]!.type).toBe('ClockAdvanced');
        expect(await store.head()).toBe(4);
        expect(await store.streamRevision('A')).toBe(2);
        expect(await store.streamRevision('B')).toBe(0);
      });

      it('reads all events within (from, to]', async () => {
        const { store } = await fresh();
        for (let i = 1; i <= 10; i++) await store.append(`S${i % 3}`, [testEvent(`e${i}`)]);
        expect(positions(await collect(store.readAll(0)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(positions(await collect(store.readAll(4)))).toEqual([5, 6, 7, 8, 9, 10]);
        expect(positions(await collect(store.readAll(4, 7)))).toEqual([5, 6, 7]);
        expect(positions(await collect(store.readAll(10)))).toEqual([]);
        expect(positions(await collect(store.readAll(3, 3)))).toEqual([]);
        expect(positions(await collect(store.readAll(9, 100)))).toEqual([10]);
      });

      it('reads one stream in revision order, and nothing of other streams', async () => {
        const { store } = await fresh();
        await store.append('A', [testEvent('a0')]);
        await store.append('B', [testEvent('b0'), testEvent('b1')]);
        await store.append('A', [testEvent('a1'), testEvent('a2')]);
        const a = await collect(store.readStream('A'));
        expect(labels(a)).toEqual(['a0', 'a1', 'a2']);
        expect(a.map((e) => e.streamRevision)).toEqual([0, 1, 2]);
        expect(positions(a)).toEqual([1, 4, 5]);
        expect(labels(await collect(store.readStream('B')))).toEqual(['b0', 'b1']);
      });

      it('keeps event data intact through the store', async () => {
        const { store } = await fresh();
        const data = { nested: { list: [1, 'two', null, { three: true }] }, unicode: 'ünïcødé ✓ 日本', quote: '"\\' };
        await store.append('Pod/default/data', [testEvent('d', data)]);
        const [read] = await collect(store.readAll());
        expect(read!.data).toEqual({ ...(testEvent('d').data as object), ...data });
        expect(read!.stream).toBe('Pod/default/data');
      });
    });

    describe('expected revisions', () => {
      const cases: Array<[string, ExpectedRevision, number, boolean]> = [
        ['any on an empty stream', 'any', -1, true],
        ['any on an existing stream', 'any', 1, true],
        ['no_stream on an empty stream', 'no_stream', -1, true],
        ['no_stream on an existing stream', 'no_stream', 0, false],
        ['stream_exists on an existing stream', 'stream_exists', 0, true],
        ['stream_exists on an empty stream', 'stream_exists', -1, false],
        ['the exact revision', 1, 1, true],
        ['a stale revision', 0, 1, false],
        ['a revision ahead of the stream', 2, 1, false],
        ['revision 0 on an empty stream', 0, -1, false],
      ];
      for (const [label, expected, actual, ok] of cases) {
        it(`${ok ? 'accepts' : 'rejects'} ${label}`, async () => {
          const { store } = await fresh();
          if (actual >= 0) await store.append('S', Array.from({ length: actual + 1 }, (_, i) => testEvent(`s${i}`)));
          await store.append('Other', [testEvent('o')]);
          const headBefore = await store.head();
          const attempt = store.append('S', [testEvent('new')], { expectedRevision: expected });
          if (ok) {
            const result = await attempt;
            expect(result.nextExpectedRevision).toBe(actual + 1);
            expect(result.position).toBe(headBefore + 1);
            return;
          }
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isWrongExpectedRevisionError(error)).toBe(true);
          if (!isWrongExpectedRevisionError(error)) return;
          expect(error.stream).toBe('S');
          expect(error.expected).toBe(expected);
          expect(error.actual).toBe(actual);
          // A rejected append appends nothing, and the next append still gets the next position.
          expect(await store.head()).toBe(headBefore);
          expect(await store.streamRevision('S')).toBe(actual);
          expect(labels(await collect(store.readAll())).includes('new')).toBe(false);
          const next = await store.append('S', [testEvent('after')]);
          expect(next.position).toBe(headBefore + 1);
          expect(next.nextExpectedRevision).toBe(actual + 1);
        });
      }

      it('agrees with a model over random appends (property)', async () => {
        const step = fc.record({
          stream: fc.constantFrom('A', 'B', 'C'),
          count: fc.integer({ min: 1, max: 3 }),
          expected: fc.oneof(
            fc.constantFrom<ExpectedRevision | undefined>(undefined, 'any', 'no_stream', 'stream_exists'),
            fc.integer({ min: -1, max: 4 }).map((n): ExpectedRevision => n),
          ),
        });
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
            const { store } = await fresh();
            const revisions = new Map<string, number>();
            const expectedLog: string[] = [];
            for (const [i, s] of steps.entries()) {
              const actual = revisions.get(s.stream) ?? -1;
              const e = s.expected;
              const ok = e === undefined || e === 'any' || (e === 'no_stream' ? actual === -1 : e === 'stream_exists' ? actual >= 0 : e === actual);
              const events = Array.from({ length: s.count }, (_, j) => testEvent(`${i}-${j}`));
              const outcome = await store.append(s.stream, events, e === undefined ? {} : { expectedRevision: e }).then(
                (r) => r.nextExpectedRevision,
                (error: unknown) => (isWrongExpectedRevisionError(error) ? 'conflict' : error),
              );
              expect(outcome).toBe(ok ? actual + s.count : 'conflict');
              if (ok) {
                revisions.set(s.stream, actual + s.count);
                for (const ev of events) expectedLog.push(`${s.stream}:${String((ev.data as unknown as { label: string }).label)}`);
              }
            }
            const all = await collect(store.readAll());
            expect(all.map((ev) => `${ev.stream}:${String((ev.data as unknown as { label: string }).label)}`)).toEqual(expectedLog);
            expect(positions(all)).toEqual(expectedLog.map((_, i) => i + 1));
            await store.close();
          }),
          { seed: 20261123, numRuns: 25 },
        );
      });
    });

    describe('subscription', () => {
      it('replays stored events after the start position, then follows live ones', async () => {
        const { store } = await fresh();
        for (let i = 1; i <= 5; i++) await store.append('S', [testEvent(`e${i}`)]);
        const received = firstValueFrom(store.subscribe(2).pipe(take(6), toArray()));
        await store.append('T', [testEvent('e6'), testEvent('e7')]);
        await store.append('S', [testEvent('e8'), testEvent('e9')]);
        const events = await received;
        expect(positions(events)).toEqual([3, 4, 5, 6, 7, 8]);
        expect(labels(events)).toEqual(['e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
      });

      it('has no gap and no duplicate when events are appended during a long catch-up', async () => {
        const { store } = await fresh();
        const stored = 6000;
        for (let i = 0; i < stored; i += 500) await store.append(`S${i % 7}`, Array.from({ length: 500 }, (_, j) => testEvent(`e${i + j + 1}`)));
        const during = 300;
        const total = stored + during;
        const received = firstValueFrom(store.subscribe(0).pipe(take(total), toArray()));
        const appends: Array<Promise<unknown>> = [];
        for (let i = 0; i < during; i++) appends.push(store.append(`L${i % 5}`, [testEvent(`e${stored + i + 1}`)]));
        await Promise.all(appends);
        const events = await received;
        expect(positions(events)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(labels(events)).toEqual(Array.from({ length: total }, (_, i) => `e${i + 1}`));
      });

      it('starts from the head when subscribed there, seeing only new events', async () => {
        const { store } = await fresh();
        await store.append('S', [testEvent('old1'), testEvent('old2')]);
        const received = firstValueFrom(store.subscribe(await store.head()).pipe(take(2), toArray()));
        await store.append('S', [testEvent('new1')]);
        await store.append('T', [testEvent('new2')]);
        expect(labels(await received)).toEqual(['new1', 'new2']);
      });

      it('serves several subscribers independently', async () => {
        const { store } = await fresh();
        await store.append('S', [testEvent('e1')]);
        const first = firstValueFrom(store.subscribe(0).pipe(take(3), toArray()));
        const second = firstValueFrom(store.subscribe(1).pipe(take(2), toArray()));
        await store.append('S', [testEvent('e2'), testEvent('e3')]);
        expect(positions(await first)).toEqual([1, 2, 3]);
        expect(positions(await second)).toEqual([2, 3]);
      });
    });

    describe('pipelined appends (appendNow)', () => {
      it('assigns positions synchronously in call order and checks revisions against earlier calls', async ({ skip }) => {
        const { store } = await fresh();
        if (!store.appendNow) return skip('this adapter has no appendNow (remote store)');
        const first = store.appendNow('A', [testEvent('a0')], { expectedRevision: 'no_stream' });
        const second = store.appendNow('B', [testEvent('b0'), testEvent('b1')]);
        const third = store.appendNow('A', [testEvent('a1')], { expectedRevision: 0 });
        expect(positions(first.events)).toEqual([1]);
        expect(positions(second.events)).toEqual([2, 3]);
        expect(third.events.map((e) => [e.streamRevision, e.position])).toEqual([[1, 4]]);
        expect(() => store.appendNow!('A', [testEvent('stale')], { expectedRevision: 0 })).toThrowError(/wrong expected revision/);
        expect(() => store.appendNow!('C', [testEvent('c')], { expectedRevision: 'stream_exists' })).toThrowError(/wrong expected revision/);
        const results = await Promise.all([first.durable, second.durable, third.durable]);
        expect(results.map((r) => r.position)).toEqual([1, 3, 4]);
        expect(results[2]!.nextExpectedRevision).toBe(1);
        expect(await store.head()).toBe(4);
        expect(labels(await collect(store.readAll()))).toEqual(['a0', 'b0', 'b1', 'a1']);
      });
    });

    describe('reopen', () => {
      it('keeps every event across close and reopen, and continues positions and revisions', async () => {
        const { store, reopen } = await fresh();
        await store.append('A', [testEvent('a0'), testEvent('a1')]);
        await store.append('B', [testEvent('b0')]);
        const again = await reopen();
        expect(await again.head()).toBe(3);
        expect(await again.streamRevision('A')).toBe(1);
        expect(labels(await collect(again.readAll()))).toEqual(['a0', 'a1', 'b0']);
        expect(labels(await collect(again.readStream('A')))).toEqual(['a0', 'a1']);
        await expect(again.append('A', [testEvent('stale')], { expectedRevision: 0 })).rejects.toSatisfy(isWrongExpectedRevisionError);
        const next = await again.append('A', [testEvent('a2')], { expectedRevision: 1 });
        expect([next.position, next.nextExpectedRevision]).toEqual([4, 2]);
        const third = await reopen();
        expect(positions(await collect(third.readAll()))).toEqual([1, 2, 3, 4]);
        expect(labels(await firstValueFrom(third.subscribe(0).pipe(take(4), toArray())))).toEqual(['a0', 'a1', 'b0', 'a2']);
      });

      it('refuses appends once closed', async () => {
        const { store } = await fresh();
        await store.append('A', [testEvent('a0')]);
        await store.close();
        await expect(store.append('A', [testEvent('late')])).rejects.toSatisfy(isStoreClosedError);
      });
    });
  });
}
