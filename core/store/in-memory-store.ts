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
  const log: StoredEvent[] = [];
  /**
   * The streams as chains through the log: a stream's last place in the log (counted from 1), and
   * for every place the previous one in its stream (0 for a stream's first event). A million-event simulation has
   * ~150,000 streams; an array of events per stream cost ~180 B each, a chain costs 4 B per event.
   */
  const lastOfStream = new Map<string, Position>();
  let previousInStream = new Int32Array(1024);
  const live = new Subject<StoredEvent>();
  let closed = false;
  for (const event of initial) push(event);

  function push(event: StoredEvent): void {
    lastOfStream.set(event.stream, chain(event, lastOfStream.get(event.stream) ?? 0));
  }

  /** Puts the event in the log after `previous` (its stream's last place, 0 for none); returns its place, counted from 1 (its position, for events appended here). */
  function chain(event: StoredEvent, previous: Position): Position {
    const at = log.push(event);
    if (at >= previousInStream.length) {
      const grown = new Int32Array(previousInStream.length * 2);
      grown.set(previousInStream);
      previousInStream = grown;
    }
    previousInStream[at] = previous;
    return at;
  }

  function appendNow(stream: string, events: NewEvent[], options: AppendOptions = {}): PipelinedAppend {
    if (closed) throw new StoreClosedError();
    const last = lastOfStream.get(stream);
    const current = last === undefined ? -1 : log[last - 1]!.streamRevision;
    checkExpectedRevision(stream, options.expectedRevision, current);
    // The stream's name as the log already holds it: callers build it afresh for every append.
    const name = last === undefined ? stream : log[last - 1]!.stream;
    // One literal with every field (not a spread, which costs many times more on the append path,
    // nor fields added afterwards, which gives each held event an extra properties store).
    const stored = events.map(
      (event, i) => ({ type: event.type, data: event.data, metadata: event.metadata, stream: name, streamRevision: current + 1 + i, position: log.length + 1 + i }) as StoredEvent,
    );
    // The stream's last place is already known: chained here, not looked up again per event.
    let previous = last ?? 0;
    for (let i = 0; i < stored.length; i++) previous = chain(stored[i]!, previous);
    if (stored.length > 0) lastOfStream.set(name, previous);
    for (let i = 0; i < stored.length; i++) live.next(stored[i]!);
    return new AppendedInMemory(stored, current, log.length);
  }

  function streamEvents(stream: string): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (let position = lastOfStream.get(stream) ?? 0; position !== 0; position = previousInStream[position]!) events.push(log[position - 1]!);
    return events.reverse();
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
      yield* streamEvents(stream);
    },
    subscribe(fromPosition: Position = 0): Observable<StoredEvent> {
      return catchUpThenLive(fromPosition, (from, to) => log.slice(from, to), () => log.length, live);
    },
    async head() {
      return log.length;
    },
    async streamRevision(stream: string) {
      const last = lastOfStream.get(stream);
      return last === undefined ? -1 : log[last - 1]!.streamRevision;
    },
    async close() {
      closed = true;
      live.complete();
    },
  };
}

/**
 * An append to the log in memory: durable at once. The write path's synchronous path never asks
 * for `durable`, so its promise (and the result it carries) is made only when someone does.
 */
class AppendedInMemory implements PipelinedAppend {
  readonly alreadyDurable = true;
  private resolved: Promise<AppendResult> | undefined;

  constructor(
    readonly events: StoredEvent[],
    private readonly revisionBefore: number,
    private readonly logLength: number,
  ) {}

  get durable(): Promise<AppendResult> {
    if (this.resolved) return this.resolved;
    const last = this.events[this.events.length - 1];
    const result: AppendResult = {
      nextExpectedRevision: last ? last.streamRevision : this.revisionBefore,
      position: last ? last.position : this.logLength,
      events: this.events,
    };
    return (this.resolved = Promise.resolve(result));
  }
}

