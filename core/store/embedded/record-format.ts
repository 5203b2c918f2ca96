import { crc32 } from 'node:zlib';
import type { NewEvent, StoredEvent } from '../../events.ts';

/**
 * The embedded log's on-disk format.
 *
 * A log file starts with the 8-byte magic `ORRLOG01`, then holds one record per append (so an append
 * of several events is all-or-nothing on disk, like in memory):
 *
 *   [u32 crc][u32 payloadLength][payload]
 *   payload = [f64 firstPosition][u32 firstRevision][u32 count][u16 streamBytes][stream utf8][events JSON]
 *
 * All integers are little-endian. `crc` is the CRC-32 of everything after it (length and payload), so
 * a corrupted length is caught as surely as a corrupted payload. The events JSON is the array of
 * `{ type, data, metadata }` exactly as appended; stream, revisions and positions are rebuilt from the
 * header, which is all that opening the log has to decode.
 */
export const LOG_MAGIC = Buffer.from('ORRLOG01', 'latin1');
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

/**
 * Encodes one append into `target` at `offset` (the caller guarantees room for `maxRecordBytes`)
 * and returns the number of bytes written. Stringifies the events once, as one array.
 */
export function encodeRecord(
  target: Buffer,
  offset: number,
  stream: string,
  firstPosition: number,
  firstRevision: number,
  eventsJson: string,
  count: number,
): number {
  const payloadStart = offset + RECORD_HEADER_BYTES;
  target.writeDoubleLE(firstPosition, payloadStart);
  target.writeUInt32LE(firstRevision, payloadStart + 8);
  target.writeUInt32LE(count, payloadStart + 12);
  const streamBytes = target.write(stream, payloadStart + PAYLOAD_FIXED_BYTES, 'utf8');
  target.writeUInt16LE(streamBytes, payloadStart + 16);
  const jsonBytes = target.write(eventsJson, payloadStart + PAYLOAD_FIXED_BYTES + streamBytes, 'utf8');
  const payloadBytes = PAYLOAD_FIXED_BYTES + streamBytes + jsonBytes;
  target.writeUInt32LE(payloadBytes, offset + 4);
  target.writeUInt32LE(crc32(target.subarray(offset + 4, payloadStart + payloadBytes)), offset);
  return RECORD_HEADER_BYTES + payloadBytes;
}

/** An upper bound on the bytes `encodeRecord` writes for these strings (UTF-8 is at most 3 bytes per UTF-16 unit). */
export function maxRecordBytes(stream: string, eventsJson: string): number {
  return RECORD_HEADER_BYTES + PAYLOAD_FIXED_BYTES + 3 * (stream.length + eventsJson.length);
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
export function decodeRecordEvents(buffer: Buffer, header: RecordHeader): StoredEvent[] {
  const json = buffer.toString('utf8', header.jsonStart, header.jsonEnd);
  const events = JSON.parse(json) as StoredEvent[];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    event.stream = header.stream;
    event.streamRevision = header.firstRevision + i;
    event.position = header.firstPosition + i;
  }
  return events;
}
