import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeRecordHeader } from './record-format.ts';
import { RecordIndex } from './record-index.ts';

/**
 * The index checkpoint: what opening the log rebuilds from record headers (record offsets and first
 * positions, each stream's revision and records), saved for a prefix of the log that was durable
 * when it was written (on close). Opening then CRC-scans only the records after that prefix. The
 * prefix's records are still CRC-checked whenever they are read; a checkpoint that does not match
 * the log (damaged, stale after a repair, another file) is ignored and the whole log is scanned.
 *
 *   ORRIDX02 [u32 crc of the rest]
 *   [f64 coveredEnd][f64 lastPosition][f64 lastRecordOffset][u32 lastRecordCrc][u32 records]
 *   [f64 offsets × records][f64 firstPositions × records][u32 signatures × records][f64 maxTimes × records]
 *   [u32 signature table entries] then per entry from 1 on: [u16 types] and per type [u16 bytes][utf8]
 *   [u32 streams] then per stream [u16 name bytes][name utf8][f64 revision][u32 records][u32 record numbers]
 *
 * (`ORRIDX01` checkpoints, without the record summaries, are ignored: the log is scanned once.)
 */
export const INDEX_FILE_NAME = 'events.idx';
const MAGIC = Buffer.from('ORRIDX02', 'latin1');
const FIXED_BYTES = 8 * 3 + 4 + 4;
/** Logs with fewer records than this open fast enough without one. */
export const MIN_CHECKPOINT_RECORDS = 4096;

export interface StreamIndexEntry {
  revision: number;
  records: number[];
}

export interface IndexCheckpoint {
  /** File offset just after the last record covered. */
  coveredEnd: number;
  lastPosition: number;
  index: RecordIndex;
  streams: Map<string, StreamIndexEntry>;
}

export function writeIndexCheckpoint(dir: string, coveredEnd: number, lastPosition: number, index: RecordIndex, streams: Map<string, StreamIndexEntry>, lastRecordCrc: number): void {
  if (endianness() !== 'LE' || index.length === 0) return;
  const { offsets, firstPositions, signatures, maxTimes } = index.entries();
  const table = index.signatureTable();
  const typeNames: Buffer[][] = [];
  let tableBytes = 4;
  for (let id = 1; id < table.length; id++) {
    const names = table[id]!.map((type) => Buffer.from(type, 'utf8'));
    typeNames.push(names);
    tableBytes += 2 + names.reduce((n, name) => n + 2 + name.length, 0);
  }
  const names: Buffer[] = [];
  let streamBytes = 4;
  for (const [name, entry] of streams) {
    const bytes = Buffer.from(name, 'utf8');
    names.push(bytes);
    streamBytes += 2 + bytes.length + 8 + 4 + 4 * entry.records.length;
  }
  const body = Buffer.allocUnsafe(FIXED_BYTES + 28 * index.length + tableBytes + streamBytes);
  let at = 0;
  at = body.writeDoubleLE(coveredEnd, at);
  at = body.writeDoubleLE(lastPosition, at);
  at = body.writeDoubleLE(offsets[index.length - 1]!, at);
  at = body.writeUInt32LE(lastRecordCrc, at);
  at = body.writeUInt32LE(index.length, at);
  at += Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength).copy(body, at);
  at += Buffer.from(firstPositions.buffer, firstPositions.byteOffset, firstPositions.byteLength).copy(body, at);
  at += Buffer.from(signatures.buffer, signatures.byteOffset, signatures.byteLength).copy(body, at);
  at += Buffer.from(maxTimes.buffer, maxTimes.byteOffset, maxTimes.byteLength).copy(body, at);
  at = body.writeUInt32LE(table.length, at);
  for (const names of typeNames) {
    at = body.writeUInt16LE(names.length, at);
    for (const name of names) {
      at = body.writeUInt16LE(name.length, at);
      at += name.copy(body, at);
    }
  }
  at = body.writeUInt32LE(streams.size, at);
  let i = 0;
  for (const entry of streams.values()) {
    const name = names[i++]!;
    at = body.writeUInt16LE(name.length, at);
    at += name.copy(body, at);
    at = body.writeDoubleLE(entry.revision, at);
    at = body.writeUInt32LE(entry.records.length, at);
    for (const record of entry.records) at = body.writeUInt32LE(record, at);
  }
  const header = Buffer.allocUnsafe(MAGIC.length + 4);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(crc32(body), MAGIC.length);
  // No fsync: a checkpoint lost or torn by a crash fails its CRC and is ignored (the log is scanned).
  const file = join(dir, INDEX_FILE_NAME);
  writeFileSync(`${file}.tmp`, Buffer.concat([header, body]));
  renameSync(`${file}.tmp`, file);
}

export function removeIndexCheckpoint(dir: string): void {
  rmSync(join(dir, INDEX_FILE_NAME), { force: true });
}

/**
 * The checkpoint in `dir`, if there is one, intact, and matching the log: the log is at least as
 * long as the prefix, and the prefix's last record is intact where the checkpoint says, with the
 * CRC and positions it recorded. Undefined otherwise.
 */
export function readIndexCheckpoint(dir: string, readLog: (offset: number, length: number) => Buffer, logSize: number): IndexCheckpoint | undefined {
  const file = join(dir, INDEX_FILE_NAME);
  if (endianness() !== 'LE' || !existsSync(file)) return undefined;
  try {
    const data = readFileSync(file);
    if (data.length < MAGIC.length + 4 + FIXED_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const body = data.subarray(MAGIC.length + 4);
    if (crc32(body) !== data.readUInt32LE(MAGIC.length)) return undefined;
    const coveredEnd = body.readDoubleLE(0);
    const lastPosition = body.readDoubleLE(8);
    const lastRecordOffset = body.readDoubleLE(16);
    const lastRecordCrc = body.readUInt32LE(24);
    const records = body.readUInt32LE(28);
    if (coveredEnd > logSize || lastRecordOffset >= coveredEnd || records === 0) return undefined;
    const last = readLog(lastRecordOffset, coveredEnd - lastRecordOffset);
    const header = decodeRecordHeader(last, 0, last.length);
    if (typeof header === 'string' || header.recordBytes !== last.length || last.readUInt32LE(0) !== lastRecordCrc) return undefined;
    if (header.firstPosition + header.count - 1 !== lastPosition) return undefined;
    let at = FIXED_BYTES;
    const offsets = new Float64Array(records);
    const firstPositions = new Float64Array(records);
    new Uint8Array(offsets.buffer).set(body.subarray(at, (at += 8 * records)));
    new Uint8Array(firstPositions.buffer).set(body.subarray(at, (at += 8 * records)));
    const signatures = new Uint32Array(records);
    const maxTimes = new Float64Array(records);
    new Uint8Array(signatures.buffer).set(body.subarray(at, (at += 4 * records)));
    new Uint8Array(maxTimes.buffer).set(body.subarray(at, (at += 8 * records)));
    const tableSize = body.readUInt32LE(at);
    at += 4;
    const table: Array<string[] | undefined> = [undefined];
    for (let id = 1; id < tableSize; id++) {
      const count = body.readUInt16LE(at);
      at += 2;
      const types: string[] = [];
      for (let t = 0; t < count; t++) {
        const bytes = body.readUInt16LE(at);
        types.push(body.toString('utf8', at + 2, at + 2 + bytes));
        at += 2 + bytes;
      }
      table.push(types);
    }
    for (const signature of signatures) if (signature >= tableSize) return undefined;
    if (offsets[records - 1] !== lastRecordOffset || firstPositions[records - 1] !== header.firstPosition) return undefined;
    const streams = new Map<string, StreamIndexEntry>();
    const streamCount = body.readUInt32LE(at);
    at += 4;
    for (let s = 0; s < streamCount; s++) {
      const nameBytes = body.readUInt16LE(at);
      const name = body.toString('utf8', at + 2, at + 2 + nameBytes);
      at += 2 + nameBytes;
      const revision = body.readDoubleLE(at);
      const count = body.readUInt32LE(at + 8);
      at += 12;
      const list: number[] = new Array(count);
      if (at + 4 * count > body.length) return undefined;
      // Byte by byte: a million readUInt32LE calls, each checking its arguments, were most of opening.
      for (let r = 0, b = at; r < count; r++, b += 4) list[r] = (body[b]! | (body[b + 1]! << 8) | (body[b + 2]! << 16) | (body[b + 3]! << 24)) >>> 0;
      at += 4 * count;
      streams.set(name, { revision, records: list });
    }
    if (at !== body.length) return undefined;
    return { coveredEnd, lastPosition, index: RecordIndex.fromArrays({ offsets, firstPositions, signatures, maxTimes }, records, table), streams };
  } catch {
    return undefined;
  }
}
