import { type Observable, Subject } from 'rxjs';
import type { NewEvent, Position, StoredEvent } from '../events.ts';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type PipelinedAppend,
  StoreClosedError,
  checkExpectedRevision,
} from './event-store.ts';
import { catchUpThenLive } from './catch-up-then-live.ts';

export type InMemoryStore = EventStore & { appendNow: NonNullable<EventStore['appendNow']>; events(): readonly StoredEvent[] };

/** The log in memory, for tests and simulations that need no durability. */
export function createInMemoryStore(initial: readonly StoredEvent[] = []): InMemoryStore {
  const log: StoredEvent[] = [...initial];
  const streams = new Map<string, StoredEvent[]>();
  for (const event of log) pushToStream(streams, event);
  const live = new Subject<StoredEvent>();
  let closed = false;

  function appendNow(stream: string, events: NewEvent[], options: AppendOptions = {}): PipelinedAppend {
    if (closed) throw new StoreClosedError();
    const existing = streams.get(stream);
    const current = existing ? existing.length - 1 : -1;
    checkExpectedRevision(stream, options.expectedRevision, current);
    // One literal with every field (not a spread, which costs many times more on the append path,
    // nor fields added afterwards, which gives each held event an extra properties store).
    const stored = events.map(
      (event, i) => ({ type: event.type, data: event.data, metadata: event.metadata, stream, streamRevision: current + 1 + i, position: log.length + 1 + i }) as StoredEvent,
    );
    for (const event of stored) {
      log.push(event);
      pushToStream(streams, event);
    }
    for (const event of stored) live.next(event);
    const last = stored[stored.length - 1];
    const result: AppendResult = {
      nextExpectedRevision: last ? last.streamRevision : current,
      position: last ? last.position : log.length,
      events: stored,
    };
    return { events: stored, durable: Promise.resolve(result), alreadyDurable: true };
  }

  return {
    events: () => log,
    appendNow,
    async append(stream, events, options) {
      return appendNow(stream, events, options).durable;
    },
    async *readAll(fromPosition: Position = 0, toPosition: Position = Number.POSITIVE_INFINITY) {
      for (let i = fromPosition; i < log.length && i < toPosition; i++) yield log[i]!;
    },
    async *readStream(stream: string) {
      yield* streams.get(stream) ?? [];
    },
    subscribe(fromPosition: Position = 0): Observable<StoredEvent> {
      return catchUpThenLive(fromPosition, (from, to) => log.slice(from, to), () => log.length, live);
    },
    async head() {
      return log.length;
    },
    async streamRevision(stream: string) {
      const events = streams.get(stream);
      return events ? events.length - 1 : -1;
    },
    async close() {
      closed = true;
      live.complete();
    },
  };
}

function pushToStream(streams: Map<string, StoredEvent[]>, event: StoredEvent): void {
  let list = streams.get(event.stream);
  if (!list) streams.set(event.stream, (list = []));
  list.push(event);
}
