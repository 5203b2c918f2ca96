import {
  ANY,
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { Observable } from 'rxjs';
import type { EventMetadata, NewEvent, Position, StoredEvent } from '../../events.ts';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  StoreClosedError,
  WrongExpectedRevisionError,
  checkExpectedRevision,
} from '../event-store.ts';

export interface EsdbStoreOptions {
  /**
   * Prefix that keeps this log's streams apart from anything else on the server: Orrery's stream
   * `Pod/default/web` is stored as `<namespace>:Pod/default/web`. Default `orrery`. An empty
   * namespace stores streams under their own names and reads every non-system stream as the log.
   */
  namespace?: string;
}

/** What Orrery keeps in an EventStoreDB event's metadata. */
interface EsdbMetadata {
  /** The Orrery position: dense, from 1, in $all order. */
  position: number;
  orrery: EventMetadata;
}

/**
 * The log in EventStoreDB: one stream per object (as in the embedded log), `$all` for the global
 * order.
 *
 * Positions: EventStoreDB's `$all` positions are sparse byte offsets, and Orrery's must be dense
 * from 1, so each event carries its Orrery position in its metadata and the adapter keeps the dense
 * counter, learned on open from the last event of the namespace in `$all`. This assumes one writer
 * per namespace (the Orrery server). Appends are issued one at a time so that `$all` order is
 * position order; that costs a round trip per append, which a remote store pays anyway (the write
 * path awaits each append: there is no `appendNow`). A rejected append consumes no position.
 *
 * Revisions map one to one: Orrery's 0-based stream revision is EventStoreDB's, `'no_stream'`,
 * `'stream_exists'` and `'any'` are its NO_STREAM, STREAM_EXISTS and ANY, and its
 * WrongExpectedVersionError becomes WrongExpectedRevisionError.
 *
 * Known cost: `readAll(from)` and `subscribe(from)` start at the beginning of `$all` and skip what
 * precedes `from` (EventStoreDB cannot seek by a metadata field).
 */
export async function createEsdbStore(connectionString: string, options: EsdbStoreOptions = {}): Promise<EventStore> {
  const namespace = options.namespace ?? 'orrery';
  const prefix = namespace === '' ? '' : `${namespace}:`;
  const client = EventStoreDBClient.connectionString(connectionString);
  const ours = (streamId: string) => (prefix === '' ? !streamId.startsWith('$') : streamId.startsWith(prefix));
  const filter = prefix === '' ? excludeSystemEvents() : streamNameFilter({ prefixes: [prefix] });

  function toStored(resolved: AllStreamResolvedEvent | ResolvedEvent): StoredEvent | undefined {
    const recorded = resolved.event;
    if (!recorded || !ours(recorded.streamId)) return undefined;
    const metadata = recorded.metadata as Partial<EsdbMetadata> | undefined;
    if (typeof metadata?.position !== 'number') return undefined;
    return {
      type: recorded.type,
      data: recorded.data,
      metadata: metadata.orrery,
      stream: recorded.streamId.slice(prefix.length),
      streamRevision: Number(recorded.revision),
      position: metadata.position,
    } as StoredEvent;
  }

  async function lastPosition(): Promise<Position> {
    try {
      for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END })) {
        const event = toStored(resolved);
        if (event) return event.position;
      }
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return 0;
  }

  async function currentRevision(stream: string): Promise<number> {
    try {
      for await (const resolved of client.readStream(prefix + stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (resolved.event) return Number(resolved.event.revision);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return -1;
      throw error;
    }
    return -1;
  }

  let head = await lastPosition();
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  async function appendNext(stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (closed) throw new StoreClosedError();
    const expected = options.expectedRevision ?? 'any';
    if (events.length === 0 || (typeof expected === 'number' && expected < -1)) {
      // Nothing to send, or a revision no stream can have: settled here, without an append.
      const actual = await currentRevision(stream);
      checkExpectedRevision(stream, expected, actual);
      return { nextExpectedRevision: actual, position: head, events: [] };
    }
    const first = head + 1;
    const data = events.map((event, i) =>
      jsonEvent({
        type: event.type,
        data: event.data as unknown as JSONType,
        metadata: { position: first + i, orrery: event.metadata } satisfies EsdbMetadata,
      }),
    );
    let result;
    try {
      result = await client.appendToStream(prefix + stream, data, { expectedRevision: toEsdbExpectedRevision(expected) });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(stream, expected, fromEsdbRevision(error.actualVersion));
      }
      throw error;
    }
    const lastRevision = Number(result.nextExpectedRevision);
    head = first + events.length - 1;
    const stored = events.map(
      (event, i) => ({ ...event, stream, streamRevision: lastRevision - events.length + 1 + i, position: first + i }) as StoredEvent,
    );
    return { nextExpectedRevision: lastRevision, position: head, events: stored };
  }

  return {
    append(stream, events, options = {}) {
      const result = queue.then(() => appendNext(stream, events, options));
      queue = result.catch(() => undefined);
      return result;
    },
    async *readAll(fromPosition: Position = 0, toPosition: Position = Number.POSITIVE_INFINITY) {
      if (fromPosition >= toPosition) return;
      for await (const resolved of client.readAll({ direction: FORWARDS, fromPosition: START })) {
        const event = toStored(resolved);
        if (!event || event.position <= fromPosition) continue;
        if (event.position > toPosition) return;
        yield event;
      }
    },
    async *readStream(stream: string) {
      try {
        for await (const resolved of client.readStream(prefix + stream, { direction: FORWARDS, fromRevision: START })) {
          const event = toStored(resolved);
          if (event) yield event;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return;
        throw error;
      }
    },
    subscribe(fromPosition: Position = 0): Observable<StoredEvent> {
      return new Observable<StoredEvent>((subscriber) => {
        // EventStoreDB's own subscription catches up then goes live without a gap.
        const subscription = client.subscribeToAll({ fromPosition: START, filter });
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          const event = toStored(resolved);
          if (event && event.position > fromPosition) subscriber.next(event);
        });
        subscription.on('error', (error: Error) => subscriber.error(error));
        subscription.on('end', () => subscriber.complete());
        return () => {
          void subscription.unsubscribe();
        };
      });
    },
    async head() {
      return head;
    },
    streamRevision: currentRevision,
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await client.dispose();
    },
  };
}

/** Orrery's expected revision as EventStoreDB's (-1, "no events", is its NO_STREAM). */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream' || expected === -1) return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

/** EventStoreDB's current revision as Orrery's (-1 when the stream has no events). */
export function fromEsdbRevision(actual: CurrentRevision): number {
  return actual === NO_STREAM ? -1 : Number(actual);
}
