import { fstatSync, readSync } from 'node:fs';
import { LOG_MAGIC, MAX_PAYLOAD_BYTES, RECORD_HEADER_BYTES, type RecordFormat, type RecordHeader, decodeRecordHeader, recordFormatOfMagic } from './record-format.ts';

const CHUNK_BYTES = 16 << 20;

export interface BadRecord {
  /** Byte offset in the file where the first bad record starts. */
  offset: number;
  reason: string;
  /** Byte offset of an intact record after the bad one, when there is one: then the damage is not a torn tail. */
  nextValidOffset?: number;
}

export interface ScanResult {
  fileSize: number;
  /** Byte offset just after the last intact record (where the next record goes once any bad tail is cut). */
  validEnd: number;
  /** Position of the last intact event, 0 when none. */
  lastPosition: number;
  badRecord?: BadRecord;
  /** The record format the file's magic announces (absent when the magic is bad or torn). */
  format?: RecordFormat;
}

/**
 * Reads a log file front to back, verifying every record's CRC and that positions follow on densely
 * from 1, and hands each intact record to `onRecord` (which may return a reason to reject it, e.g. a
 * revision out of sequence). Stops at the first bad record and looks past it for an intact one, which
 * tells a torn tail (nothing intact after) from corruption before the tail. Reads in large chunks and
 * decodes only record headers, so a million-event log scans in a fraction of a second.
 */
export function scanLog(
  fd: number,
  /** `buffer` holds the record (the header's offsets are into it), valid during the call only. */
  onRecord: (header: RecordHeader, offset: number, buffer: Buffer, format: RecordFormat) => string | undefined,
  /** Where to start instead of the first record: the end of a prefix already known intact (an index checkpoint's). */
  start?: { offset: number; nextPosition: number },
): ScanResult {
  const fileSize = fstatSync(fd).size;
  const magic = Buffer.alloc(LOG_MAGIC.length);
  const magicBytes = readSync(fd, magic, 0, magic.length, 0);
  const format = magicBytes === LOG_MAGIC.length ? recordFormatOfMagic(magic) : undefined;
  if (format === undefined) {
    // A file shorter than the magic that matches it so far is a log torn while being created.
    const tornCreation = magic.subarray(0, magicBytes).equals(LOG_MAGIC.subarray(0, magicBytes));
    return {
      fileSize,
      validEnd: 0,
      lastPosition: 0,
      badRecord: { offset: 0, reason: tornCreation ? 'incomplete file header' : `not an Orrery log this version reads (magic ${JSON.stringify(magic.toString('latin1'))})`, ...(tornCreation ? {} : { nextValidOffset: 0 }) },
    };
  }
  let buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(fileSize, 64)));
  let bufferStart = start?.offset ?? LOG_MAGIC.length;
  let bufferEnd = bufferStart;
  let offset = bufferStart;
  let nextPosition = start?.nextPosition ?? 1;
  const fill = (from: number, minBytes: number) => {
    if (minBytes > buffer.length) buffer = Buffer.allocUnsafe(minBytes);
    const want = Math.min(buffer.length, fileSize - from);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buffer, got, want - got, from + got);
      if (n === 0) break;
      got += n;
    }
    bufferStart = from;
    bufferEnd = from + got;
  };
  while (offset < fileSize) {
    if (fileSize - offset >= RECORD_HEADER_BYTES && bufferEnd - offset < RECORD_HEADER_BYTES) fill(offset, RECORD_HEADER_BYTES);
    let decoded: RecordHeader | string = 'incomplete record header';
    if (bufferEnd - offset >= RECORD_HEADER_BYTES) {
      const payloadBytes = buffer.readUInt32LE(offset - bufferStart + 4);
      const recordEnd = offset + RECORD_HEADER_BYTES + payloadBytes;
      if (payloadBytes <= MAX_PAYLOAD_BYTES && recordEnd <= fileSize && recordEnd > bufferEnd) fill(offset, recordEnd - offset);
      decoded = decodeRecordHeader(buffer, offset - bufferStart, bufferEnd - bufferStart);
    }
    if (typeof decoded !== 'string' && decoded.firstPosition !== nextPosition) {
      decoded = `position ${decoded.firstPosition} out of sequence (expected ${nextPosition})`;
    }
    if (typeof decoded !== 'string') {
      const rejected = onRecord(decoded, offset, buffer, format);
      if (rejected !== undefined) decoded = rejected;
    }
    if (typeof decoded === 'string') {
      const nextValidOffset = findIntactRecordAfter(fd, offset, fileSize);
      return {
        fileSize,
        validEnd: offset,
        lastPosition: nextPosition - 1,
        badRecord: { offset, reason: decoded, ...(nextValidOffset === undefined ? {} : { nextValidOffset }) },
        format,
      };
    }
    nextPosition += decoded.count;
    offset += decoded.recordBytes;
  }
  return { fileSize, validEnd: offset, lastPosition: nextPosition - 1, format };
}

/**
 * The offset of the first intact record starting after `badOffset`, if any. Tries where the bad
 * record says it ends first (the usual case of a flipped bit inside a record), then every byte.
 */
export function findIntactRecordAfter(fd: number, badOffset: number, fileSize: number): number | undefined {
  const window = Buffer.allocUnsafe(Math.min(CHUNK_BYTES * 2, fileSize - badOffset));
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  if (readSync(fd, header, 0, RECORD_HEADER_BYTES, badOffset) === RECORD_HEADER_BYTES) {
    const claimedEnd = badOffset + RECORD_HEADER_BYTES + header.readUInt32LE(4);
    if (claimedEnd < fileSize && intactAt(fd, claimedEnd, fileSize)) return claimedEnd;
  }
  const step = Math.max(1, window.length >> 1);
  for (let windowStart = badOffset + 1; windowStart < fileSize; windowStart += step) {
    const got = readSync(fd, window, 0, Math.min(window.length, fileSize - windowStart), windowStart);
    for (let i = 0; i < Math.min(step, got); i++) {
      if (typeof decodeRecordHeader(window, i, got) !== 'string') return windowStart + i;
    }
  }
  return undefined;
}

function intactAt(fd: number, offset: number, fileSize: number): boolean {
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  if (readSync(fd, header, 0, RECORD_HEADER_BYTES, offset) < RECORD_HEADER_BYTES) return false;
  const recordBytes = RECORD_HEADER_BYTES + header.readUInt32LE(4);
  if (offset + recordBytes > fileSize) return false;
  const record = Buffer.allocUnsafe(recordBytes);
  readSync(fd, record, 0, recordBytes, offset);
  return typeof decodeRecordHeader(record, 0, recordBytes) !== 'string';
}

/** Walks intact records from `offset` and sums what they hold (for repair's report of what it drops). */
export function countIntactRecordsFrom(fd: number, offset: number, fileSize: number): { records: number; events: number; positions?: [number, number] } {
  let records = 0;
  let events = 0;
  let first: number | undefined;
  let last = 0;
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  while (offset < fileSize && readSync(fd, header, 0, RECORD_HEADER_BYTES, offset) === RECORD_HEADER_BYTES) {
    const recordBytes = RECORD_HEADER_BYTES + header.readUInt32LE(4);
    if (offset + recordBytes > fileSize) break;
    const record = Buffer.allocUnsafe(recordBytes);
    readSync(fd, record, 0, recordBytes, offset);
    const decoded = decodeRecordHeader(record, 0, recordBytes);
    if (typeof decoded === 'string') break;
    records++;
    events += decoded.count;
    first ??= decoded.firstPosition;
    last = decoded.firstPosition + decoded.count - 1;
    offset += recordBytes;
  }
  return first === undefined ? { records, events } : { records, events, positions: [first, last] };
}

/** Why a record's first revision does not follow its stream's last one (-1 for a new stream), if it does not. */
export function revisionOutOfSequence(stream: string, firstRevision: number, lastRevision: number): string | undefined {
  const expected = lastRevision + 1;
  return firstRevision === expected ? undefined : `stream "${stream}" revision ${firstRevision} out of sequence (expected ${expected})`;
}
