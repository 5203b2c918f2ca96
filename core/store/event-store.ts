import type { Observable } from 'rxjs';
import type { NewEvent, Position, StoredEvent } from '../events.ts';

/**
 * What an append expects of its stream's current revision (0-based revision of its last event):
 * `'any'` skips the check, `'no_stream'` requires the stream to be empty, `'stream_exists'`
 * requires at least one event, and a number requires exactly that last revision.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event written to the stream. */
  nextExpectedRevision: number;
  /** Global position of the last event written. */
  position: Position;
  /** The events as stored, in order. */
  events: StoredEvent[];
}

export interface PipelinedAppend {
  events: StoredEvent[];
  durable: Promise<AppendResult>;
  /** The events were durable when appendNow returned (a log in memory): `durable` is already resolved. */
  alreadyDurable?: boolean;
}

/**
 * The log. Positions are dense and start at 1. `append` resolves only once the events are durable
 * (for the embedded log: after their fsync). `subscribe(from)` emits every event with a position
 * strictly greater than `from`, first those already stored, then live ones, and never a
 * non-durable one.
 */
export interface EventStore {
  /**
   * Present on local logs (embedded, in-memory): appends synchronously, in call order, checking the
   * expected revision against every earlier call (durable or not), and returns the stored events at
   * once with `durable` resolving after their fsync. It throws WrongExpectedRevisionError
   * synchronously. This lets the write path pipeline appends into one group commit. Remote stores
   * (EventStoreDB) leave it out and the write path awaits each `append`.
   */
  appendNow?(stream: string, events: NewEvent[], options?: AppendOptions): PipelinedAppend;
  append(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readAll(fromPosition?: Position, toPosition?: Position): AsyncIterable<StoredEvent>;
  readStream(stream: string): AsyncIterable<StoredEvent>;
  subscribe(fromPosition?: Position): Observable<StoredEvent>;
  /** Position of the last durable event, 0 when empty. */
  head(): Promise<Position>;
  /** Current revision of a stream, or -1 when it has no events. */
  streamRevision(stream: string): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`wrong expected revision on stream "${stream}": expected ${String(expected)}, actual ${actual === -1 ? 'no stream' : actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export function isWrongExpectedRevisionError(error: unknown): error is WrongExpectedRevisionError {
  return error instanceof WrongExpectedRevisionError;
}

export class StoreClosedError extends Error {
  constructor() {
    super('the event store is closed');
    this.name = 'StoreClosedError';
  }
}

export function isStoreClosedError(error: unknown): error is StoreClosedError {
  return error instanceof StoreClosedError;
}

/** Checks an expected revision against a stream's actual one (-1 = empty); throws on mismatch. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision | undefined, actual: number): void {
  if (expected === undefined || expected === 'any') return;
  const ok =
    expected === 'no_stream' ? actual === -1 : expected === 'stream_exists' ? actual >= 0 : actual === expected;
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, actual);
}
