import { closeSync, constants, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type Observable, Subject } from 'rxjs';
import type { NewEvent, Position, StoredEvent } from '../../events.ts';
import { catchUpThenLive } from '../catch-up-then-live.ts';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type PipelinedAppend,
  StoreClosedError,
  checkExpectedRevision,
} from '../event-store.ts';
import { lockDirectory } from './directory-lock.ts';
import { LogCorruptedError } from './errors.ts';
import { MIN_CHECKPOINT_RECORDS, readIndexCheckpoint, writeIndexCheckpoint } from './index-checkpoint.ts';
import { revisionOutOfSequence, scanLog } from './log-scan.ts';
import { CURRENT_RECORD_FORMAT, LOG_MAGIC, type RecordFormat, type RecordHeader, decodeRecordEvents, decodeRecordHeader, decodeRecordsEvents, encodeRecord, logMagic, maxRecordBytes, prepareEvents, recordJson, summarizeRecord } from './record-format.ts';
import { RecordIndex, UNKNOWN_SIGNATURE } from './record-index.ts';
import { StreamTable } from './stream-table.ts';

export const LOG_FILE_NAME = 'events.log';

/** What opening the log found and did. A torn tail (an append cut short by a crash) is cut off and described here. */
export interface OpenReport {
  file: string;
  /** Events in the log after opening. */
  events: number;
  /** Bytes cut off the end; 0 when the log was intact. */
  truncatedBytes: number;
  /** Where the torn tail started (the new end of the file), when one was cut. */
  atOffset?: number;
  /** Why the tail was judged torn, when one was cut. */
  reason?: string;
  /** Events covered by the index checkpoint, whose records opening did not scan (0 when none was used). */
  checkpointedEvents: number;
}

export interface EmbeddedStoreOptions {
  /**
   * How an append is made durable: `o_dsync` (the default where the platform has O_DSYNC: the file
   * is opened with O_DSYNC, so each write returns only once durable, one system call and one hop to
   * libuv's thread pool per group commit) or `fdatasync` (write, then fdatasync: two of each).
   * Side by side, O_DSYNC gave the best append rate and cost the API server less CPU per create;
   * fdatasync was ahead only at 1,000-event appends with 256 in flight (BENCHMARKS.md; docs/architecture.md).
   */
  sync?: 'fdatasync' | 'o_dsync';
  /**
   * Use and keep the index checkpoint (index-checkpoint.ts; default true): opening scans only the
   * records after the prefix it covers, and closing writes one for the whole log. False scans and
   * CRC-checks every record at open, and writes none.
   */
  indexCheckpoint?: boolean;
  /**
   * The record format of a log this open creates (record-format.ts; default the current one). An
   * existing log keeps the format it was created with. Format 1 is here for comparisons and tests.
   */
  recordFormat?: RecordFormat;
  /**
   * How many commits a burst of appends may have on their way to disk at once (default 4; 1 is the
   * behaviour before 2026-11-23: one at a time). See `flush`.
   */
  commitsInFlight?: number;
}

export type EmbeddedStore = EventStore & {
  appendNow: NonNullable<EventStore['appendNow']>;
  /**
   * `readAll` in batches of a few thousand events, synchronously: one read and a tight decoding loop
   * per batch instead of an async step per event (what a full rebuild wants). Same events, same
   * checks (every record read is CRC-checked), same (from, to] window clamped to the durable head.
   */
  readAllBatches(fromPosition?: Position, toPosition?: Position): Iterable<StoredEvent[]>;
  /**
   * What the log holds, record by record, learnt from the index alone (no read of the log): for a
   * reader that plans which records to read (see `readRecords`). Valid until the next append.
   */
  logDirectory(): LogDirectory;
  /**
   * The events of these records (ascending record numbers), in batches, limited to positions in
   * (from, to] and to the durable head: nearby records are read together, every record read is
   * CRC-checked, exactly as `readAllBatches` does.
   */
  readRecords(records: readonly number[], fromPosition?: Position, toPosition?: Position): Iterable<StoredEvent[]>;
  /**
   * The JSON part of each of these records (ascending record numbers, durable ones only), as stored
   * and CRC-checked, without decoding it (see `recordJson`): for a reader that compares records
   * before deciding which to decode. Each buffer is valid while it is held.
   */
  readRecordJson(records: readonly number[]): Iterable<[record: number, json: Buffer]>;
  /**
   * Saves the index checkpoint for the log's durable prefix now (close does it too), so that a
   * restart after a crash scans only what was appended since: worth calling beside each snapshot.
   * Does nothing when checkpoints are off or the log is small.
   */
  checkpointIndex(): void;
  readonly openReport: OpenReport;
  readonly directory: string;
};

/**
 * The log's records as the index knows them, durable ones only: records are numbered from 0 in log
 * order; each belongs to one stream and holds consecutive positions.
 */
export interface LogDirectory {
  /** The durable head when the directory was taken. */
  head: Position;
  /** Durable records: numbers 0 to `records - 1` (a stream's list may go on with records not yet durable: ignore those). */
  records: number;
  /** Per durable record (views, valid until the next append): first position, signature (see `signatureTypes`), latest event time (NaN when unknown). */
  firstPositions: Float64Array;
  signatures: Uint32Array;
  maxTimes: Float64Array;
  /** Signature → the record's event types in order; signature 0: unknown (see record-index.ts). */
  signatureTypes: ReadonlyArray<readonly string[] | undefined>;
  /** Events in the record. */
  count(record: number): number;
  /** The record holding `position` (1 to head). */
  recordOf(position: Position): number;
  /** Each stream's records, ascending (read only). */
  streams: StreamTable;
}

interface InFlightCommit {
  commit: Commit;
  /** Its write and sync are done (it is acknowledged once every earlier one is too). */
  synced: boolean;
  /** The durable head and end of the durable bytes once it is acknowledged. */
  head: Position;
  end: number;
  buffer: Buffer;
  events: StoredEvent[][];
}

interface Commit {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

const READ_CHUNK_BYTES = 4 << 20;
/**
 * With nothing on its way to disk, a commit starts as soon as this much is queued instead of at the
 * end of the macrotask: the disk then syncs it while the rest of the macrotask's appends are
 * encoded (a burst of large appends would otherwise encode everything, then wait for the disk).
 */
/** `readRecords` reads across gaps up to this long between wanted records rather than issuing another read. */
const READ_GAP_BYTES = 16 << 10;
const EARLY_COMMIT_BYTES = 256 << 10;
/** libuv's thread pool runs four file operations at once by default. */
const DEFAULT_COMMITS_IN_FLIGHT = 4;
const INITIAL_BUFFER_BYTES = 1 << 20;
const MAX_STREAM_BYTES = 0xffff;

/**
 * The embedded log: one append-only file in `dir`, one CRC-checked record per append, group commit
 * (one durable write covers every append that arrived while the previous commit was on its way to
 * disk). Opening rebuilds the index from record headers only and cuts off a torn tail;
 * corruption before the tail is refused (see `repairEmbeddedLog`).
 */
export async function createEmbeddedStore(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  mkdirSync(dir, { recursive: true });
  const unlock = lockDirectory(dir);
  const file = join(dir, LOG_FILE_NAME);
  const useDsync = (options.sync ?? (constants.O_DSYNC === undefined ? 'fdatasync' : 'o_dsync')) === 'o_dsync';
  const flags = constants.O_RDWR | (useDsync ? constants.O_DSYNC : 0);
  const created = !existsSync(file);
  let fd: number;
  try {
    fd = openSync(file, created ? flags | constants.O_CREAT | constants.O_EXCL : flags, 0o644);
  } catch (error) {
    unlock();
    throw error;
  }

  let index = new RecordIndex();
  let streams = new StreamTable();
  const useCheckpoint = options.indexCheckpoint !== false;
  const newFormat = options.recordFormat ?? CURRENT_RECORD_FORMAT;
  let openReport: OpenReport;
  try {
    if (created) {
      writeLogHeader(fd, newFormat);
      fsyncDirectory(dir);
    }
    const checkpoint = created || !useCheckpoint ? undefined : readIndexCheckpoint(dir, (offset, length) => readBytes(fd, offset, length), fstatSync(fd).size);
    if (checkpoint) {
      index = checkpoint.index;
      streams = checkpoint.streams;
    }
    const scan = scanLog(fd, (header, offset, buffer, format) => {
      const outOfSequence = revisionOutOfSequence(header.stream, header.firstRevision, streams.revision(streams.id(header.stream)));
      if (outOfSequence) return outOfSequence;
      const summary = summarizeRecord(buffer, header, format);
      const record = index.add(offset, header.firstPosition, index.signatureOf(summary.types), summary.maxTime);
      streams.addRecord(header.stream, record, header.count);
      return undefined;
    }, checkpoint && { offset: checkpoint.coveredEnd, nextPosition: checkpoint.lastPosition + 1 });
    const bad = scan.badRecord;
    if (bad?.nextValidOffset !== undefined) throw new LogCorruptedError(file, bad.offset, bad.reason, bad.nextValidOffset);
    openReport = { file, events: scan.lastPosition, truncatedBytes: 0, checkpointedEvents: checkpoint?.lastPosition ?? 0 };
    if (bad) {
      ftruncateSync(fd, scan.validEnd);
      if (scan.validEnd === 0) writeLogHeader(fd, newFormat);
      openReport = { ...openReport, truncatedBytes: scan.fileSize - scan.validEnd, atOffset: scan.validEnd, reason: bad.reason };
    }
    // Records a killed writer left in the page cache unsynced are served from now on, so make them durable.
    fdatasyncSync(fd);
    const checkpointEnd = useCheckpoint ? (checkpoint?.coveredEnd ?? 0) : undefined;
    const format = scan.validEnd === 0 ? newFormat : scan.format!;
    return openStore(dir, file, fd, unlock, useDsync, format, index, streams, scan.lastPosition, Math.max(scan.validEnd, LOG_MAGIC.length), openReport, checkpointEnd, Math.max(1, options.commitsInFlight ?? DEFAULT_COMMITS_IN_FLIGHT));
  } catch (error) {
    closeSync(fd);
    unlock();
    throw error;
  }
}

function openStore(
  directory: string,
  file: string,
  fd: number,
  unlock: () => void,
  useDsync: boolean,
  format: RecordFormat,
  index: RecordIndex,
  streams: StreamTable,
  lastPosition: number,
  fileEnd: number,
  openReport: OpenReport,
  /** End of the prefix the index checkpoint on disk covers (0: none); undefined when checkpoints are off. */
  checkpointEnd: number | undefined,
  commitsInFlight: number,
): EmbeddedStore {
  const live = new Subject<StoredEvent>();
  let durableHead = lastPosition;
  let nextPosition = lastPosition + 1;
  /** File offset where the next record goes (records queued but not yet written included). */
  let nextRecordOffset = fileEnd;
  /** File offset up to which everything is durable. */
  let durableEnd = fileEnd;

  let pending: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  let spare: Buffer | undefined;
  let pendingBytes = 0;
  let pendingEvents: StoredEvent[][] = [];
  let pendingCommit: Commit | undefined;
  /** Commits handed to the disk and not yet acknowledged, oldest first. */
  let inFlight: InFlightCommit[] = [];
  /** File offset where the next commit is written (everything handed to the disk ends there). */
  let writtenEnd = fileEnd;
  let flushScheduled = false;
  let closed = false;
  let closedFd = false;
  let failure: Error | undefined;

  function appendNow(stream: string, events: NewEvent[], options: AppendOptions = {}): PipelinedAppend {
    if (failure) throw failure;
    if (closed) throw new StoreClosedError();
    const current = streams.revision(streams.id(stream));
    checkExpectedRevision(stream, options.expectedRevision, current);
    if (events.length === 0) {
      const result: AppendResult = { nextExpectedRevision: current, position: nextPosition - 1, events: [] };
      const commit = pendingCommit ?? inFlight[inFlight.length - 1]?.commit;
      return { events: [], durable: commit ? commit.promise.then(() => result) : Promise.resolve(result) };
    }
    if (stream.length > MAX_STREAM_BYTES / 3 && Buffer.byteLength(stream) > MAX_STREAM_BYTES) {
      throw new RangeError(`stream name longer than ${MAX_STREAM_BYTES} bytes`);
    }
    const prepared = prepareEvents(events, format);
    const room = maxRecordBytes(stream, prepared);
    if (pendingBytes + room > pending.length) {
      const bigger = Buffer.allocUnsafe(Math.max(pending.length * 2, pendingBytes + room));
      pending.copy(bigger, 0, 0, pendingBytes);
      pending = bigger;
    }
    const firstPosition = nextPosition;
    const firstRevision = current + 1;
    const recordBytes = encodeRecord(pending, pendingBytes, stream, firstPosition, firstRevision, prepared);
    // The record's summary (record-index.ts), as a scan would find it: unknown unless every envelope is binary.
    const known = !Number.isNaN(prepared.maxTime);
    const record = index.add(nextRecordOffset, firstPosition, known ? index.signatureOfEvents(events) : UNKNOWN_SIGNATURE, prepared.maxTime);
    pendingBytes += recordBytes;
    nextRecordOffset += recordBytes;
    nextPosition += events.length;
    streams.addRecord(stream, record, events.length);

    const stored: StoredEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      // Built field by field: an object spread here costs twenty times as much and dominated the append.
      const { type, data, metadata } = events[i]!;
      stored[i] = { type, data, metadata, stream, streamRevision: firstRevision + i, position: firstPosition + i } as StoredEvent;
    }
    pendingEvents.push(stored);
    const result: AppendResult = {
      nextExpectedRevision: firstRevision + events.length - 1,
      position: firstPosition + events.length - 1,
      events: stored,
    };
    const commit = (pendingCommit ??= newCommit());
    if (inFlight.length < commitsInFlight && pendingBytes >= EARLY_COMMIT_BYTES) flush();
    else if (inFlight.length === 0 && !flushScheduled) {
      flushScheduled = true;
      // After the current macrotask, so every append issued in it (and in its microtasks) shares the commit.
      setImmediate(flush);
    }
    return { events: stored, durable: commit.promise.then(() => result) };
  }

  /**
   * Writes and syncs everything queued as one commit. Commits are acknowledged strictly in order,
   * each only once its own write and sync and those of every earlier commit are done. Small
   * commits go one at a time (what queues meanwhile goes in the next one, flushed when the one in
   * flight completes); a burst that queues EARLY_COMMIT_BYTES while commits are in flight may hand
   * the disk another, up to `commitsInFlight`, so the disk writes and syncs while the burst is still
   * being encoded instead of after it.
   */
  function flush(): void {
    flushScheduled = false;
    const commit = pendingCommit;
    if (!commit || failure || inFlight.length >= commitsInFlight) return;
    const entry: InFlightCommit = { commit, synced: false, head: nextPosition - 1, end: writtenEnd + pendingBytes, buffer: pending, events: pendingEvents };
    const offset = writtenEnd;
    const bytes = pendingBytes;
    writtenEnd = entry.end;
    pending = spare && spare.length >= INITIAL_BUFFER_BYTES ? spare : Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
    spare = undefined;
    pendingBytes = 0;
    pendingEvents = [];
    pendingCommit = undefined;
    inFlight.push(entry);
    const synced = (error: Error | null) => {
      if (error) return fail(error);
      if (failure) return;
      entry.synced = true;
      while (inFlight.length > 0 && inFlight[0]!.synced) {
        const done = inFlight.shift()!;
        durableHead = done.head;
        durableEnd = done.end;
        spare = done.buffer;
        done.commit.resolve();
        if (live.observed) for (const batch of done.events) for (const event of batch) live.next(event);
      }
      if (pendingCommit) flush();
    };
    writeFully(fd, entry.buffer, bytes, offset, (error) => {
      if (error) return fail(error);
      if (useDsync) synced(null);
      else fdatasync(fd, synced);
    });
  }

  function fail(error: Error): void {
    if (failure) return;
    // Fail-stop: the caller's state has run ahead of the disk, so nothing more may be acknowledged.
    failure = new Error(`event log ${file}: write failed, the store has stopped: ${error.message}`, { cause: error });
    for (const entry of inFlight) entry.commit.reject(failure);
    pendingCommit?.reject(failure);
    inFlight = [];
    pendingCommit = undefined;
    live.error(failure);
  }

  /** Events with positions in (from, to], to at most the durable head, read in chunks of about `READ_CHUNK_BYTES`. */
  function readChunk(from: Position, to: Position): StoredEvent[] {
    const end = Math.min(to, durableHead);
    if (from >= end) return [];
    const first = index.recordOf(from + 1);
    let last = first;
    const recordEnd = (record: number) => (record + 1 < index.length ? index.offset(record + 1) : durableEnd);
    while (last + 1 < index.length && index.firstPosition(last + 1) <= end && recordEnd(last + 1) - index.offset(first) <= READ_CHUNK_BYTES) last++;
    const start = index.offset(first);
    const buffer = readBytes(fd, start, recordEnd(last) - start);
    const headers: RecordHeader[] = [];
    let at = 0;
    while (at < buffer.length) {
      const header = decodeRecordHeader(buffer, at, buffer.length);
      if (typeof header === 'string') throw new LogCorruptedError(file, start + at, header);
      headers.push(header);
      at += header.recordBytes;
    }
    const out: StoredEvent[] = [];
    decodeRecordsEvents(buffer, headers, format, out);
    // Only the first and last records can reach outside (from, end].
    let keepFrom = 0;
    while (keepFrom < out.length && out[keepFrom]!.position <= from) keepFrom++;
    let keepTo = out.length;
    while (keepTo > keepFrom && out[keepTo - 1]!.position > end) keepTo--;
    return keepFrom === 0 && keepTo === out.length ? out : out.slice(keepFrom, keepTo);
  }

  function logDirectory(): LogDirectory {
    const records = durableHead === 0 ? 0 : index.recordOf(durableHead) + 1;
    const entries = index.entries();
    return {
      head: durableHead,
      records,
      firstPositions: entries.firstPositions.subarray(0, records),
      signatures: entries.signatures.subarray(0, records),
      maxTimes: entries.maxTimes.subarray(0, records),
      signatureTypes: index.signatureTable(),
      count: recordCount,
      recordOf: (position) => index.recordOf(position),
      streams,
    };
  }

  /** See EmbeddedStore.readRecords: groups of records close together in the file are read with one read and decoded with one JSON.parse. */
  function* readRecords(records: readonly number[], fromPosition: Position = 0, toPosition: Position = Number.POSITIVE_INFINITY): Iterable<StoredEvent[]> {
    const end = Math.min(toPosition, durableHead);
    for (const { buffer, headers } of readRecordGroups(records)) {
      const out: StoredEvent[] = [];
      decodeRecordsEvents(buffer, headers, format, out);
      const kept = out.filter((event) => event.position > fromPosition && event.position <= end);
      if (kept.length > 0) yield kept;
    }
  }

  function* readRecordJson(records: readonly number[]): Iterable<[record: number, json: Buffer]> {
    let i = 0;
    for (const { buffer, headers } of readRecordGroups(records)) for (const header of headers) yield [records[i++]!, recordJson(buffer, header, format)];
  }

  /** The durable ones of these records (ascending), CRC-checked, in groups read together: records close together in the file share one read. */
  function* readRecordGroups(records: readonly number[]): Iterable<{ buffer: Buffer; headers: RecordHeader[] }> {
    const durableRecords = durableHead === 0 ? 0 : index.recordOf(durableHead) + 1;
    const recordEnd = (record: number) => (record + 1 < index.length ? index.offset(record + 1) : durableEnd);
    let i = 0;
    while (i < records.length && records[i]! < durableRecords) {
      const first = records[i]!;
      const start = index.offset(first);
      let last = i;
      while (
        last + 1 < records.length &&
        records[last + 1]! < durableRecords &&
        index.offset(records[last + 1]!) - recordEnd(records[last]!) <= READ_GAP_BYTES &&
        recordEnd(records[last + 1]!) - start <= READ_CHUNK_BYTES
      )
        last++;
      const buffer = readBytes(fd, start, recordEnd(records[last]!) - start);
      const headers: RecordHeader[] = [];
      for (let r = i; r <= last; r++) {
        const at = index.offset(records[r]!) - start;
        const header = decodeRecordHeader(buffer, at, at + recordEnd(records[r]!) - index.offset(records[r]!));
        if (typeof header === 'string') throw new LogCorruptedError(file, start + at, header);
        headers.push(header);
      }
      i = last + 1;
      yield { buffer, headers };
    }
  }

  function readRange(from: Position, to: Position): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (let chunk = readChunk(from, to); chunk.length > 0; chunk = readChunk(from, to)) {
      for (const event of chunk) out.push(event);
      from = chunk[chunk.length - 1]!.position;
    }
    return out;
  }

  function readRecord(record: number): StoredEvent[] {
    const start = index.offset(record);
    const end = record + 1 < index.length ? index.offset(record + 1) : durableEnd;
    const buffer = readBytes(fd, start, end - start);
    const header = decodeRecordHeader(buffer, 0, buffer.length);
    if (typeof header === 'string') throw new LogCorruptedError(file, start, header);
    return decodeRecordEvents(buffer, header, format);
  }

  function recordCount(record: number): number {
    return (record + 1 < index.length ? index.firstPosition(record + 1) : nextPosition) - index.firstPosition(record);
  }

  /** A stream's revision counting durable events only (a commit is always whole records). */
  function durableRevision(id: number): number {
    if (id < 0) return -1;
    let revision = streams.revision(id);
    for (let i = streams.recordCount(id) - 1; i >= 0; i--) {
      const record = streams.record(id, i);
      if (index.firstPosition(record) <= durableHead) return revision;
      revision -= recordCount(record);
    }
    return -1;
  }

  function checkpointIndex(): void {
    if (checkpointEnd === undefined || checkpointEnd === durableEnd || failure || closedFd) return;
    const records = durableHead === 0 ? 0 : index.recordOf(durableHead) + 1;
    if (records < MIN_CHECKPOINT_RECORDS) return;
    try {
      // The durable prefix only: appends still on their way to disk are left to the next open's scan.
      const entries = index.entries();
      const durableIndex =
        records === index.length
          ? index
          : RecordIndex.fromArrays(
              { offsets: entries.offsets.slice(0, records), firstPositions: entries.firstPositions.slice(0, records), signatures: entries.signatures.slice(0, records), maxTimes: entries.maxTimes.slice(0, records) },
              records,
              index.signatureTable(),
            );
      const lastRecordCrc = readBytes(fd, index.offset(records - 1), 4).readUInt32LE(0);
      writeIndexCheckpoint(directory, durableEnd, durableHead, durableIndex, streams.columns(records, durableRevision), lastRecordCrc);
      checkpointEnd = durableEnd;
    } catch {
      // Only a cache: without it the next open scans the whole log.
    }
  }

  function settled(): Promise<void> {
    const last = pendingCommit ?? inFlight[inFlight.length - 1]?.commit;
    return last ? last.promise.then(settled) : Promise.resolve();
  }

  return {
    directory,
    openReport,
    appendNow,
    checkpointIndex,
    logDirectory,
    readRecords,
    readRecordJson,
    append(stream, events, options) {
      try {
        return appendNow(stream, events, options).durable;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async *readAll(fromPosition: Position = 0, toPosition: Position = Number.POSITIVE_INFINITY) {
      let from = Math.max(0, fromPosition);
      for (let chunk = readChunk(from, toPosition); chunk.length > 0; chunk = readChunk(from, toPosition)) {
        yield* chunk;
        from = chunk[chunk.length - 1]!.position;
      }
    },
    *readAllBatches(fromPosition: Position = 0, toPosition: Position = Number.POSITIVE_INFINITY) {
      let from = Math.max(0, fromPosition);
      for (let chunk = readChunk(from, toPosition); chunk.length > 0; chunk = readChunk(from, toPosition)) {
        from = chunk[chunk.length - 1]!.position;
        yield chunk;
      }
    },
    async *readStream(stream: string) {
      const id = streams.id(stream);
      if (id < 0) return;
      for (const record of streams.recordsOf(id)) {
        if (index.firstPosition(record) > durableHead) return;
        for (const event of readRecord(record)) if (event.position <= durableHead) yield event;
      }
    },
    subscribe(fromPosition: Position = 0): Observable<StoredEvent> {
      return catchUpThenLive(fromPosition, readRange, () => durableHead, live);
    },
    async head() {
      return durableHead;
    },
    async streamRevision(stream: string) {
      return durableRevision(streams.id(stream));
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await settled();
        if (!failure) checkpointIndex();
      } finally {
        closedFd = true;
        closeSync(fd);
        unlock();
        if (!failure) live.complete();
      }
    },
  };
}

function newCommit(): Commit {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed commit is reported through each append's `durable`; this keeps an unobserved one quiet.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function writeFully(fd: number, buffer: Buffer, length: number, position: number, callback: (error: Error | null) => void): void {
  let written = 0;
  const next = () =>
    write(fd, buffer, written, length - written, position + written, (error, bytes) => {
      if (error) return callback(error);
      written += bytes;
      if (written < length) next();
      else callback(null);
    });
  next();
}

function readBytes(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buffer : buffer.subarray(0, got);
}

function writeLogHeader(fd: number, format: RecordFormat): void {
  const magic = logMagic(format);
  writeSync(fd, magic, 0, magic.length, 0);
  fdatasyncSync(fd);
}

/** Makes a newly created file's directory entry durable. */
function fsyncDirectory(dir: string): void {
  const dirFd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
