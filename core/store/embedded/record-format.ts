import { crc32 } from 'node:zlib';
import type { NewEvent, StoredEvent } from '../../events.ts';

/**
 * The embedded log's on-disk format.
 *
 * A log file starts with an 8-byte magic naming its record format (`ORRLOG02` today; `ORRLOG01`
 * logs are still read and appended to in their own format), then holds one record per append (so an
 * append of several events is all-or-nothing on disk, like in memory):
 *
 *   [u32 crc][u32 payloadLength][payload]
 *   payload = [f64 firstPosition][u32 firstRevision][u32 count][u16 streamBytes][stream utf8][events]
 *
 * All integers are little-endian. `crc` is the CRC-32 of everything after it (length and payload), so
 * a corrupted length is caught as surely as a corrupted payload. Stream, revisions and positions are
 * rebuilt from the header, which is all that opening the log has to decode.
 *
 * `events` in format 1 is the JSON array of `{ type, data, metadata }` exactly as appended. In
 * format 2 the envelope is binary and only the data is JSON (serialising and parsing the envelope
 * as JSON cost as much as the data itself):
 *
 *   events = [u32 envelopeBytes][envelope × count][JSON array of count elements]
 *   envelope = [u16 shape] then, unless shape is 0:
 *              [f64 time][f64 causationId if in shape][str type][str actor][str correlationId if in shape]
 *   str = [u16 n][n bytes utf8], or n = 0xFFFF: the same string as the previous event's in this record
 *
 * `shape` lists the metadata's keys in their order (base-5 digits, least significant first:
 * 1 actor, 2 time, 3 causationId, 4 correlationId), so a decoded event equals the appended one key
 * for key. The JSON element is the event's `data`; for an event whose envelope does not fit this
 * mould (other metadata keys or value types, absent data, very long strings) shape is 0 and the
 * element is the whole `{ type, data, metadata }`, as in format 1.
 */
export type RecordFormat = 1 | 2;
export const CURRENT_RECORD_FORMAT: RecordFormat = 2;
const MAGICS: Record<RecordFormat, Buffer> = { 1: Buffer.from('ORRLOG01', 'latin1'), 2: Buffer.from('ORRLOG02', 'latin1') };
/** The magic a new log starts with. */
export const LOG_MAGIC = MAGICS[CURRENT_RECORD_FORMAT];

export function logMagic(format: RecordFormat): Buffer {
  return MAGICS[format];
}

/** The record format a file's first bytes announce, if they are a log magic this code reads. */
export function recordFormatOfMagic(magic: Buffer): RecordFormat | undefined {
  if (magic.equals(MAGICS[2])) return 2;
  if (magic.equals(MAGICS[1])) return 1;
  return undefined;
}

export const RECORD_HEADER_BYTES = 8;
export const PAYLOAD_FIXED_BYTES = 18;
/** No single append may exceed this (a corrupted length beyond it is not worth trying to read). */
export const MAX_PAYLOAD_BYTES = 1 << 30;

export interface RecordHeader {
  firstPosition: number;
  firstRevision: number;
  count: number;
  stream: string;
  /** Where the events JSON starts and ends within the buffer the record was decoded from. */
  jsonStart: number;
  jsonEnd: number;
  /** Total bytes of the record, header included. */
  recordBytes: number;
}

/** An append's events serialised, ready to be written as a record by `encodeRecord`. */
export interface PreparedEvents {
  format: RecordFormat;
  events: readonly NewEvent[];
  /** Format 1: the events array; format 2: the data array (whole events where the envelope is not binary). */
  json: string;
  /** Format 2: the metadata shape of each event (0: the whole event is in `json`). */
  shapes?: number[];
  /** An upper bound on the bytes of everything but `json` in the events part. */
  envelopeBound: number;
  /** The latest `metadata.time` when every envelope is binary (format 2, no shape 0); NaN otherwise (the record summary is then unknown, as `summarizeRecord` would find it). */
  maxTime: number;
}

const ACTOR = 1;
const TIME = 2;
const CAUSATION = 3;
const CORRELATION = 4;
const SAME_AS_PREVIOUS = 0xffff;
const MAX_INLINE_STRING = Math.floor(0xfffe / 3);

/** Serialises an append's events: one JSON.stringify per append, of the data only in format 2. */
export function prepareEvents(events: readonly NewEvent[], format: RecordFormat = CURRENT_RECORD_FORMAT): PreparedEvents {
  if (format === 1) return { format, events, json: JSON.stringify(events), envelopeBound: 0, maxTime: Number.NaN };
  const shapes: number[] = new Array(events.length);
  const elements: unknown[] = new Array(events.length);
  let envelopeBound = 4;
  let maxTime = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const shape = envelopeShape(event);
    shapes[i] = shape;
    if (shape === 0) {
      elements[i] = { type: event.type, data: event.data, metadata: event.metadata };
      envelopeBound += 2;
      maxTime = Number.NaN;
    } else {
      elements[i] = event.data;
      const metadata = event.metadata;
      envelopeBound += 2 + 16 + 6 + 3 * (event.type.length + metadata.actor.length + (metadata.correlationId?.length ?? 0));
      if (metadata.time > maxTime) maxTime = metadata.time + 0;
    }
  }
  return { format, events, json: JSON.stringify(elements), shapes, envelopeBound, maxTime };
}

/**
 * The metadata shape of an event whose envelope format 2 can hold in binary: string type and actor,
 * finite number time and causationId, string correlationId, in any order, nothing else, and data
 * present. 0 otherwise. (Keys whose value is undefined are left out, as JSON.stringify leaves them.)
 */
function envelopeShape(event: NewEvent): number {
  if (!inlineString(event.type) || event.data === undefined) return 0;
  const metadata = event.metadata as unknown as Record<string, unknown>;
  // A plain object, so for-in walks exactly the own enumerable keys JSON.stringify would write.
  if (typeof metadata !== 'object' || metadata === null || Object.getPrototypeOf(metadata) !== Object.prototype) return 0;
  let shape = 0;
  let scale = 1;
  for (const key in metadata) {
    const value = metadata[key];
    if (value === undefined) continue;
    let code: number;
    switch (key) {
      case 'actor':
        if (!inlineString(value)) return 0;
        code = ACTOR;
        break;
      case 'time':
        if (typeof value !== 'number' || !Number.isFinite(value)) return 0;
        code = TIME;
        break;
      case 'causationId':
        if (typeof value !== 'number' || !Number.isFinite(value)) return 0;
        code = CAUSATION;
        break;
      case 'correlationId':
        if (!inlineString(value)) return 0;
        code = CORRELATION;
        break;
      default:
        return 0;
    }
    shape += code * scale;
    scale *= 5;
  }
  // Both required by EventMetadata; and a key repeated is impossible, so at most four digits.
  return hasCode(shape, ACTOR) && hasCode(shape, TIME) ? shape : 0;
}

/** A string the binary envelope holds exactly: short, and valid UTF-16 (a lone surrogate would come back as U+FFFD; JSON escapes it). */
function inlineString(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_INLINE_STRING) return false;
  // Types and actors repeat from event to event: the last few strings found well formed are remembered.
  if (value === wellFormed[0] || value === wellFormed[1] || value === wellFormed[2] || value === wellFormed[3]) return true;
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return false;
  wellFormed[nextWellFormed] = value;
  nextWellFormed = (nextWellFormed + 1) & 3;
  return true;
}

const wellFormed: Array<string | undefined> = [undefined, undefined, undefined, undefined];
let nextWellFormed = 0;

function hasCode(shape: number, code: number): boolean {
  for (; shape > 0; shape = Math.floor(shape / 5)) if (shape % 5 === code) return true;
  return false;
}

/**
 * Encodes one append into `target` at `offset` (the caller guarantees room for `maxRecordBytes`)
 * and returns the number of bytes written.
 */
export function encodeRecord(target: Buffer, offset: number, stream: string, firstPosition: number, firstRevision: number, prepared: PreparedEvents): number {
  const payloadStart = offset + RECORD_HEADER_BYTES;
  target.writeDoubleLE(firstPosition, payloadStart);
  target.writeUInt32LE(firstRevision, payloadStart + 8);
  target.writeUInt32LE(prepared.events.length, payloadStart + 12);
  const streamBytes = target.write(stream, payloadStart + PAYLOAD_FIXED_BYTES, 'utf8');
  target.writeUInt16LE(streamBytes, payloadStart + 16);
  let at = payloadStart + PAYLOAD_FIXED_BYTES + streamBytes;
  if (prepared.format === 2) at = writeEnvelopes(target, at, prepared);
  at += target.write(prepared.json, at, 'utf8');
  const payloadBytes = at - payloadStart;
  target.writeUInt32LE(payloadBytes, offset + 4);
  target.writeUInt32LE(crc32(target.subarray(offset + 4, at)), offset);
  return RECORD_HEADER_BYTES + payloadBytes;
}

function writeEnvelopes(target: Buffer, start: number, prepared: PreparedEvents): number {
  const { events, shapes } = prepared;
  let at = start + 4;
  let type: string | undefined;
  let actor: string | undefined;
  let correlationId: string | undefined;
  for (let i = 0; i < events.length; i++) {
    const shape = shapes![i]!;
    target[at] = shape;
    target[at + 1] = shape >>> 8;
    at += 2;
    if (shape === 0) continue;
    const event = events[i]!;
    const metadata = event.metadata;
    at = putDouble(target, at, metadata.time + 0);
    if (metadata.causationId !== undefined) at = putDouble(target, at, metadata.causationId + 0);
    at = writeString(target, at, event.type, type);
    type = event.type;
    at = writeString(target, at, metadata.actor, actor);
    actor = metadata.actor;
    if (metadata.correlationId !== undefined) {
      at = writeString(target, at, metadata.correlationId, correlationId);
      correlationId = metadata.correlationId;
    }
  }
  target.writeUInt32LE(at - start - 4, start);
  return at;
}

const doubleScratch = new Float64Array(1);
const doubleBytes = new Uint8Array(doubleScratch.buffer);

/** `target.writeDoubleLE(value, at)` without its argument checks (the caller has made room), on a little-endian machine. */
function putDouble(target: Buffer, at: number, value: number): number {
  if (!LITTLE_ENDIAN) return target.writeDoubleLE(value, at);
  doubleScratch[0] = value;
  for (let b = 0; b < 8; b++) target[at + b] = doubleBytes[b]!;
  return at + 8;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes an envelope string at `at` (or the same-as-previous mark); returns the offset after it. */
function writeString(target: Buffer, at: number, value: string, previous: string | undefined): number {
  if (value === previous) {
    target[at] = 0xff;
    target[at + 1] = 0xff;
    return at + 2;
  }
  // Envelope strings are short and nearly always ASCII: copied byte by byte, which is several times cheaper than Buffer#write.
  const length = value.length;
  if (length <= 64) {
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) break;
      target[at + 2 + i] = code;
    }
    if (i === length) {
      target[at] = length;
      target[at + 1] = 0;
      return at + 2 + length;
    }
  }
  const bytes = target.write(value, at + 2, 'utf8');
  target.writeUInt16LE(bytes, at);
  return at + 2 + bytes;
}

/** An upper bound on the bytes `encodeRecord` writes (UTF-8 is at most 3 bytes per UTF-16 unit). */
export function maxRecordBytes(stream: string, prepared: PreparedEvents): number {
  return RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES + 3 * (stream.length + prepared.json.length) + prepared.envelopeBound;
}

/**
 * Decodes and verifies the record at `offset` of `buffer`, whose bytes end at `end`. Returns why
 * not, as a string, when the bytes there are not a whole, intact record.
 */
export function decodeRecordHeader(buffer: Buffer, offset: number, end: number): RecordHeader | string {
  if (end - offset < RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES) return 'incomplete record header';
  const payloadBytes = buffer.readUInt32LE(offset + 4);
  if (payloadBytes < PAYLOAD_FIXED_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) return `implausible record length ${payloadBytes}`;
  const recordEnd = offset + RECORD_HEADER_BYTES + payloadBytes;
  if (recordEnd > end) return `incomplete record (${payloadBytes} payload bytes announced, ${end - offset - RECORD_HEADER_BYTES} present)`;
  if (crc32(buffer.subarray(offset + 4, recordEnd)) !== buffer.readUInt32LE(offset)) return 'CRC mismatch';
  const payloadStart = offset + RECORD_HEADER_BYTES;
  const firstPosition = buffer.readDoubleLE(payloadStart);
  const firstRevision = buffer.readUInt32LE(payloadStart + 8);
  const count = buffer.readUInt32LE(payloadStart + 12);
  const streamBytes = buffer.readUInt16LE(payloadStart + 16);
  const jsonStart = payloadStart + PAYLOAD_FIXED_BYTES + streamBytes;
  if (!Number.isSafeInteger(firstPosition) || firstPosition < 1 || count < 1 || jsonStart > recordEnd) return 'malformed record header';
  return {
    firstPosition,
    firstRevision,
    count,
    stream: buffer.toString('utf8', payloadStart + PAYLOAD_FIXED_BYTES, jsonStart),
    jsonStart,
    jsonEnd: recordEnd,
    recordBytes: RECORD_HEADER_BYTES + payloadBytes,
  };
}

/** The stored events of a decoded record (the parsed objects themselves, completed in place: nobody else holds them). */
export function decodeRecordEvents(buffer: Buffer, header: RecordHeader, format: RecordFormat): StoredEvent[] {
  if (format === 2) return decodeFormat2(buffer, header);
  const events = JSON.parse(buffer.toString('utf8', header.jsonStart, header.jsonEnd)) as StoredEvent[];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    event.stream = header.stream;
    event.streamRevision = header.firstRevision + i;
    event.position = header.firstPosition + i;
  }
  return events;
}

function decodeFormat2(buffer: Buffer, header: RecordHeader): StoredEvent[] {
  const jsonStart = header.jsonStart + 4 + buffer.readUInt32LE(header.jsonStart);
  const elements = JSON.parse(buffer.toString('utf8', jsonStart, header.jsonEnd)) as unknown[];
  if (elements.length !== header.count) throw new Error(`record at position ${header.firstPosition} holds ${elements.length} events, its header says ${header.count}`);
  const events: StoredEvent[] = [];
  buildEvents(buffer, header, elements, 0, events);
  return events;
}

/**
 * The events of several decoded (CRC-checked) records of `buffer`, in order, appended to `out`. In
 * format 2 their JSON parts are joined and parsed with one JSON.parse: most records hold one event,
 * and a parse per record cost as much again as the parsing itself.
 */
export function decodeRecordsEvents(buffer: Buffer, headers: readonly RecordHeader[], format: RecordFormat, out: StoredEvent[]): void {
  if (format === 1 || headers.length === 1) {
    for (const header of headers) for (const event of decodeRecordEvents(buffer, header, format)) out.push(event);
    return;
  }
  let bytes = 2;
  let count = 0;
  for (const header of headers) {
    bytes += header.jsonEnd - jsonStartOf(buffer, header) - 1;
    count += header.count;
  }
  const joined = Buffer.allocUnsafe(bytes);
  let at = 0;
  joined[at++] = 0x5b;
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    const start = jsonStartOf(buffer, header);
    if (buffer[start] !== 0x5b || buffer[header.jsonEnd - 1] !== 0x5d) throw new Error(`record at position ${header.firstPosition}: events are not a JSON array`);
    if (i > 0) joined[at++] = 0x2c;
    at += buffer.copy(joined, at, start + 1, header.jsonEnd - 1);
  }
  joined[at++] = 0x5d;
  const elements = JSON.parse(joined.toString('utf8', 0, at)) as unknown[];
  if (elements.length !== count) throw new Error(`records from position ${headers[0]!.firstPosition} hold ${elements.length} events, their headers say ${count}`);
  let next = 0;
  for (const header of headers) next = buildEvents(buffer, header, elements, next, out);
}

/**
 * A decoded (CRC-checked) record's JSON part, as stored: in format 2 the array of its events' data
 * (their envelopes are binary), in format 1 the events whole. Two records of one stream and the same
 * event types whose JSON parts are byte-equal hold equal data.
 */
export function recordJson(buffer: Buffer, header: RecordHeader, format: RecordFormat): Buffer {
  return buffer.subarray(format === 2 ? jsonStartOf(buffer, header) : header.jsonStart, header.jsonEnd);
}

function jsonStartOf(buffer: Buffer, header: RecordHeader): number {
  return header.jsonStart + 4 + buffer.readUInt32LE(header.jsonStart);
}

/** Builds a format 2 record's events from its envelopes and its elements (from `elements[first]` on); returns the index after its last element. */
function buildEvents(buffer: Buffer, header: RecordHeader, elements: unknown[], first: number, out: StoredEvent[]): number {
  const { stream, firstRevision, firstPosition, count } = header;
  let at = header.jsonStart + 4;
  let type = '';
  let actor = '';
  let correlationId = '';
  for (let i = 0; i < count; i++) {
    const shape = buffer.readUInt16LE(at);
    at += 2;
    const element = elements[first + i];
    if (shape === 0) {
      const { type, data, metadata } = element as StoredEvent;
      out.push({ type, data, metadata, stream, streamRevision: firstRevision + i, position: firstPosition + i } as StoredEvent);
      continue;
    }
    const time = buffer.readDoubleLE(at);
    at += 8;
    let causationId = 0;
    if (hasCode(shape, CAUSATION)) {
      causationId = buffer.readDoubleLE(at);
      at += 8;
    }
    let n = buffer.readUInt16LE(at);
    if (n !== SAME_AS_PREVIOUS) type = cachedString(buffer, at + 2, at + 2 + n);
    at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    n = buffer.readUInt16LE(at);
    if (n !== SAME_AS_PREVIOUS) actor = cachedString(buffer, at + 2, at + 2 + n);
    at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    if (hasCode(shape, CORRELATION)) {
      n = buffer.readUInt16LE(at);
      if (n !== SAME_AS_PREVIOUS) correlationId = buffer.toString('utf8', at + 2, at + 2 + n);
      at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    }
    out.push({ type, data: element, metadata: metadataOfShape(shape, actor, time, causationId, correlationId), stream, streamRevision: firstRevision + i, position: firstPosition + i } as StoredEvent);
  }
  return first + count;
}

/**
 * Event types and actors repeat across records (a few dozen types, an actor per node or
 * controller): short ones are decoded once and shared, found by a hash of their bytes and checked
 * byte for byte (a lookup is several times cheaper than Buffer#toString).
 */
const STRING_CACHE_MAX_BYTES = 64;
const STRING_CACHE_ENTRIES = 4096;
const stringCache = new Map<number, { bytes: Uint8Array; value: string }>();

function cachedString(buffer: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > STRING_CACHE_MAX_BYTES) return buffer.toString('utf8', start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buffer[i]!, 0x01000193);
  const hit = stringCache.get(hash);
  if (hit && hit.bytes.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (hit.bytes[i] !== buffer[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit.value;
  }
  const value = buffer.toString('utf8', start, end);
  if (stringCache.size >= STRING_CACHE_ENTRIES) stringCache.clear();
  stringCache.set(hash, { bytes: Uint8Array.prototype.slice.call(buffer, start, end), value });
  return value;
}

// The shapes the write path produces (actor, time, then causation and correlation when set), built as literals.
const SHAPE_AT = ACTOR + TIME * 5;
const SHAPE_ATC = SHAPE_AT + CAUSATION * 25;
const SHAPE_ATR = SHAPE_AT + CORRELATION * 25;
const SHAPE_ATCR = SHAPE_ATC + CORRELATION * 125;

function metadataOfShape(shape: number, actor: string, time: number, causationId: number, correlationId: string): StoredEvent['metadata'] {
  switch (shape) {
    case SHAPE_AT:
      return { actor, time };
    case SHAPE_ATC:
      return { actor, time, causationId };
    case SHAPE_ATR:
      return { actor, time, correlationId };
    case SHAPE_ATCR:
      return { actor, time, causationId, correlationId };
  }
  const metadata: Record<string, unknown> = {};
  for (; shape > 0; shape = Math.floor(shape / 5)) {
    const code = shape % 5;
    if (code === ACTOR) metadata.actor = actor;
    else if (code === TIME) metadata.time = time;
    else if (code === CAUSATION) metadata.causationId = causationId;
    else metadata.correlationId = correlationId;
  }
  return metadata as unknown as StoredEvent['metadata'];
}

/** What a record holds, learnt from its binary envelopes alone: its events' types in order and their latest time. */
export interface RecordSummary {
  /** Undefined when some envelope is not binary (format 1, or shape 0): then nothing is known. */
  types: string[] | undefined;
  /** The latest `metadata.time`; NaN when `types` is undefined. */
  maxTime: number;
}

const UNKNOWN_SUMMARY: RecordSummary = { types: undefined, maxTime: Number.NaN };

/** The summary of a decoded (CRC-checked) record of `buffer`, without parsing its JSON. */
export function summarizeRecord(buffer: Buffer, header: RecordHeader, format: RecordFormat): RecordSummary {
  if (format !== 2) return UNKNOWN_SUMMARY;
  const types: string[] = new Array(header.count);
  let maxTime = Number.NEGATIVE_INFINITY;
  let at = header.jsonStart + 4;
  let type = '';
  for (let i = 0; i < header.count; i++) {
    const shape = buffer.readUInt16LE(at);
    if (shape === 0) return UNKNOWN_SUMMARY;
    const time = buffer.readDoubleLE(at + 2);
    if (time > maxTime) maxTime = time;
    at += hasCode(shape, CAUSATION) ? 18 : 10;
    let n = buffer.readUInt16LE(at);
    if (n !== SAME_AS_PREVIOUS) type = cachedString(buffer, at + 2, at + 2 + n);
    types[i] = type;
    at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    n = buffer.readUInt16LE(at);
    at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    if (hasCode(shape, CORRELATION)) {
      n = buffer.readUInt16LE(at);
      at += n === SAME_AS_PREVIOUS ? 2 : 2 + n;
    }
  }
  return { types, maxTime };
}
