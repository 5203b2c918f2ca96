import { crc32, gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Position, StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { deserializeState, serializeState } from '../../projections/state/snapshot.ts';
import type { EventSource } from './event-source.ts';

/**
 * The portable recording file (`.orrec`).
 *
 * Format 2 (written): the 8 bytes `ORREC02\n`, a 4-byte big-endian length and that many bytes of
 * JSON header `{ format: "orrery-recording/2", events: N, source?, blocks: [[firstPosition, count,
 * bytes, crc32], ...], state?: { position, bytes, crc32 } }`
 * (crc32 of the block's bytes as stored), then the blocks one after another, each gzip of
 * frames (a 4-byte big-endian byte length, then that many bytes of UTF-8 JSON: one `StoredEvent`
 * per frame, in position order), then, when present, gzip of the cluster state at `state.position`
 * (projections/state/snapshot.ts). Independent blocks let a reader decode only the events it
 * needs, and the state lets it show the end of a long recording without replaying all of it.
 *
 * Format 1 (still read): gzip of frames, the first the header `{ format: "orrery-recording/1",
 * events: N }` and the next N the events.
 */
export const RECORDING_FORMAT = 'orrery-recording/2';
export const RECORDING_FORMAT_V1 = 'orrery-recording/1';
const MAGIC = Buffer.from('ORREC02\n', 'latin1');
/** Events per block: decoding one takes a few milliseconds. */
const BLOCK_EVENTS = 2048;

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT | typeof RECORDING_FORMAT_V1;
  events: number;
  /** Where it was exported from, for the reader's information. */
  source?: string;
}

interface HeaderV2 extends RecordingHeader {
  blocks: Array<[firstPosition: Position, count: number, bytes: number, crc: number]>;
  state?: { position: Position; bytes: number; crc32: number };
}

export class RecordingFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFormatError';
  }
}

export function isRecordingFormatError(error: unknown): error is RecordingFormatError {
  return error instanceof RecordingFormatError;
}

/** Length-prefixed JSON frames in one buffer (a million small buffers and a concat would cost more than the JSON). */
function frames(values: readonly unknown[]): Buffer {
  const texts = values.map((value) => JSON.stringify(value));
  let total = 0;
  for (const text of texts) total += 4 + Buffer.byteLength(text, 'utf8');
  const raw = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const text of texts) {
    const length = raw.write(text, offset + 4, 'utf8');
    raw.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return raw;
}

/** Splits length-prefixed frames; `where` names the part of the file for errors. */
function readFrames(raw: Buffer, where: string): unknown[] {
  const values: unknown[] = [];
  let offset = 0;
  while (offset < raw.length) {
    if (offset + 4 > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset} of ${where}`);
    const end = offset + 4 + raw.readUInt32BE(offset);
    if (end > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset} of ${where}`);
    values.push(JSON.parse(raw.toString('utf8', offset + 4, end)));
    offset = end;
  }
  return values;
}

function gunzip(bytes: Buffer, where: string): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new RecordingFormatError(`${where} is damaged: ${(error as Error).message}`);
  }
}

/**
 * A recording file's bytes. `finalState`, the cluster state after the last event, lets readers
 * open at the end at once; without it they build up to the end.
 */
export function encodeRecording(events: readonly StoredEvent[], source?: string, finalState?: ClusterState): Buffer {
  const blocks: Buffer[] = [];
  const index: HeaderV2['blocks'] = [];
  for (let i = 0; i < events.length; i += BLOCK_EVENTS) {
    const block = events.slice(i, i + BLOCK_EVENTS);
    const bytes = gzipSync(frames(block), { level: 1 });
    blocks.push(bytes);
    index.push([block[0]!.position, block.length, bytes.length, crc32(bytes)]);
  }
  const header: HeaderV2 = { format: RECORDING_FORMAT, events: events.length, ...(source ? { source } : {}), blocks: index };
  if (finalState && finalState.position === events.length) {
    const state = gzipSync(serializeState(finalState), { level: 1 });
    blocks.push(state);
    header.state = { position: finalState.position, bytes: state.length, crc32: crc32(state) };
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, ...blocks]);
}

/** A recording opened without decoding its events: they are read block by block as needed. */
export interface OpenedRecording {
  header: RecordingHeader;
  source: EventSource;
  /** The state after the last event, when the file carries it. */
  finalState?: ClusterState;
}

/**
 * Opens a recording's bytes. Every block's checksum is verified at once (about 0.1 s for a
 * million events), so a damaged file is refused here; events are parsed as they are read.
 */
export function openRecording(bytes: Buffer): OpenedRecording {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    // Format 1 is one gzip stream: decoding it is all or nothing.
    const { header, events } = decodeV1(bytes);
    return { header, source: { head: events.length, read: (after, through) => events.slice(after, through), close: async () => undefined } };
  }
  if (bytes.length < MAGIC.length + 4) throw new RecordingFormatError('truncated recording: no header');
  const headerEnd = MAGIC.length + 4 + bytes.readUInt32BE(MAGIC.length);
  if (headerEnd > bytes.length) throw new RecordingFormatError('truncated recording: the header runs past the end of the file');
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, headerEnd)) as HeaderV2;
  if (header?.format !== RECORDING_FORMAT || !Array.isArray(header.blocks)) {
    throw new RecordingFormatError(`not an Orrery recording (format ${JSON.stringify(header?.format)}, expected ${RECORDING_FORMAT})`);
  }
  const offsets: number[] = [];
  let offset = headerEnd;
  let expected = 1;
  for (const [first, count, length] of header.blocks) {
    if (first !== expected) throw new RecordingFormatError(`block ${offsets.length + 1} of the recording starts at position ${first}, expected ${expected}`);
    offsets.push(offset);
    offset += length;
    expected += count;
  }
  if (expected - 1 !== header.events) throw new RecordingFormatError(`the recording's blocks hold ${expected - 1} events, its header says ${header.events}`);
  const stateAt = offset;
  if (offset + (header.state?.bytes ?? 0) !== bytes.length) {
    throw new RecordingFormatError(offset + (header.state?.bytes ?? 0) > bytes.length ? `truncated recording: ${bytes.length} bytes, the header describes ${offset + (header.state?.bytes ?? 0)}` : `${bytes.length - offset - (header.state?.bytes ?? 0)} bytes after the recording`);
  }
  header.blocks.forEach(([, , length, crc], k) => {
    if (crc32(bytes.subarray(offsets[k]!, offsets[k]! + length)) !== crc) throw new RecordingFormatError(`block ${k + 1} is damaged: its checksum does not match`);
  });
  if (header.state && crc32(bytes.subarray(stateAt, stateAt + header.state.bytes)) !== header.state.crc32) throw new RecordingFormatError('the final state is damaged: its checksum does not match');
  // The two most recent blocks: the timeline reads a block in a few pieces, one after another.
  const decoded = new Map<number, StoredEvent[]>();
  const block = (k: number): StoredEvent[] => {
    let events = decoded.get(k);
    if (events) return events;
    const [first, count, length] = header.blocks[k]!;
    events = readFrames(gunzip(bytes.subarray(offsets[k]!, offsets[k]! + length), `block ${k + 1}`), `block ${k + 1}`) as StoredEvent[];
    if (events.length !== count) throw new RecordingFormatError(`block ${k + 1} holds ${events.length} events, the header says ${count}`);
    events.forEach((event, i) => {
      if (event.position !== first + i) throw new RecordingFormatError(`event ${first + i} of the recording has position ${event.position}`);
    });
    decoded.set(k, events);
    if (decoded.size > 2) decoded.delete(decoded.keys().next().value!);
    return events;
  };
  const blockOf = (position: Position): number => {
    let lo = 0;
    let hi = header.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (header.blocks[mid]![0] <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const source: EventSource = {
    head: header.events,
    read(after, through) {
      const out: StoredEvent[] = [];
      const last = Math.min(through, header.events);
      for (let p = after + 1; p <= last; ) {
        const k = blockOf(p);
        const events = block(k);
        const first = header.blocks[k]![0];
        const end = Math.min(last, first + events.length - 1);
        for (let q = p; q <= end; q++) out.push(events[q - first]!);
        p = end + 1;
      }
      return out;
    },
    close: async () => undefined,
  };
  const { blocks: _blocks, state, ...plain } = header;
  const opened: OpenedRecording = { header: plain, source };
  if (state) opened.finalState = deserializeState(gunzip(bytes.subarray(stateAt, stateAt + state.bytes), 'the final state'));
  return opened;
}

function decodeV1(bytes: Buffer): { header: RecordingHeader; events: StoredEvent[] } {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new RecordingFormatError('not an Orrery recording: the file is not gzip-compressed');
  }
  let offset = 0;
  const next = (): unknown => {
    if (offset + 4 > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset}`);
    const length = raw.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset}`);
    const value = JSON.parse(raw.toString('utf8', offset + 4, end)) as unknown;
    offset = end;
    return value;
  };
  const header = next() as RecordingHeader;
  if (header?.format !== RECORDING_FORMAT_V1) {
    throw new RecordingFormatError(`not an Orrery recording (format ${JSON.stringify(header?.format)}, expected ${RECORDING_FORMAT})`);
  }
  const events: StoredEvent[] = new Array(header.events);
  for (let i = 0; i < header.events; i++) {
    const event = next() as StoredEvent;
    if (event.position !== i + 1) throw new RecordingFormatError(`event ${i + 1} of the recording has position ${event.position}`);
    events[i] = event;
  }
  if (offset !== raw.length) throw new RecordingFormatError(`${raw.length - offset} bytes after the last event`);
  return { header, events };
}

/** Every event of a recording file's bytes (format 1 or 2). */
export function decodeRecording(bytes: Buffer): { header: RecordingHeader; events: StoredEvent[] } {
  const { header, source } = openRecording(bytes);
  return { header, events: source.read(0, header.events) };
}

export function writeRecordingFile(path: string, events: readonly StoredEvent[], source?: string, finalState?: ClusterState): number {
  const bytes = encodeRecording(events, source, finalState);
  writeFileSync(path, bytes);
  return bytes.length;
}

export function readRecordingFile(path: string): StoredEvent[] {
  return decodeRecording(readFileSync(path)).events;
}
