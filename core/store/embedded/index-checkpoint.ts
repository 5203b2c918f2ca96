import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeRecordHeader } from './record-format.ts';
import { RecordIndex } from './record-index.ts';
import { type StreamColumns, StreamTable } from './stream-table.ts';

/**
 * The index checkpoint: what opening the log rebuilds from record headers (record offsets and first
 * positions, each stream's revision and records), saved for a prefix of the log that was durable
 * when it was written (on close). Opening then CRC-scans only the records after that prefix. The
 * prefix's records are still CRC-checked whenever they are read; a checkpoint that does not match
 * the log (damaged, stale after a repair, another file) is ignored and the whole log is scanned.
 *
 *   ORRIDX03 [u32 crc of the rest]
 *   [f64 coveredEnd][f64 lastPosition][f64 lastRecordOffset][u32 lastRecordCrc][u32 records]
 *   [f64 offsets × records][f64 firstPositions × records][u32 signatures × records][f64 maxTimes × records]
 *   [u32 signature table entries] then per entry from 1 on: [u16 types] and per type [u16 bytes][utf8]
 *   [u32 streams][u32 stream records][u32 name bytes]
 *   [f64 revision × streams][u32 record count × streams][u32 record numbers × stream records]
 *   [u16 name bytes × streams][names utf8, one after another]
 *
 * The streams are stored column by column, as the stream table holds them (stream-table.ts):
 * opening decodes every name with one `toString` and takes the numbers as typed arrays.
 * (`ORRIDX01` and `ORRIDX02` checkpoints are ignored: the log is scanned once.)
 */
export const INDEX_FILE_NAME = 'events.idx';
const MAGIC = Buffer.from('ORRIDX03', 'latin1');
const FIXED_BYTES = 8 * 3 + 4 + 4;
/** Logs with fewer records than this open fast enough without one. */
export const MIN_CHECKPOINT_RECORDS = 4096;

export interface IndexCheckpoint {
  /** File offset just after the last record covered. */
  coveredEnd: number;
  lastPosition: number;
  index: RecordIndex;
  streams: StreamTable;
}

export function writeIndexCheckpoint(dir: string, coveredEnd: number, lastPosition: number, index: RecordIndex, streams: StreamColumns, lastRecordCrc: number): void {
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
  const names = streams.names.map((name) => Buffer.from(name, 'utf8'));
  const nameBytes = names.reduce((n, name) => n + name.length, 0);
  const streamCount = names.length;
  const streamRecords = streams.records.length;
  const streamBytes = 12 + streamCount * (8 + 4 + 2) + 4 * streamRecords + nameBytes;
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
  at = body.writeUInt32LE(streamCount, at);
  at = body.writeUInt32LE(streamRecords, at);
  at = body.writeUInt32LE(nameBytes, at);
  for (let s = 0; s < streamCount; s++) at = body.writeDoubleLE(streams.revisions[s]!, at);
  for (let s = 0; s < streamCount; s++) at = body.writeUInt32LE(streams.counts[s]!, at);
  for (let r = 0; r < streamRecords; r++) at = body.writeUInt32LE(streams.records[r]!, at);
  for (const name of names) at = body.writeUInt16LE(name.length, at);
  for (const name of names) at += name.copy(body, at);
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
    // Indexed loops: a for-of over a million typed-array elements, run once and cold, took ~40 ms.
    for (let r = 0; r < records; r++) if (signatures[r]! >= tableSize) return undefined;
    if (offsets[records - 1] !== lastRecordOffset || firstPositions[records - 1] !== header.firstPosition) return undefined;
    const streamCount = body.readUInt32LE(at);
    const streamRecords = body.readUInt32LE(at + 4);
    const nameBytes = body.readUInt32LE(at + 8);
    at += 12;
    if (at + streamCount * (8 + 4 + 2) + 4 * streamRecords + nameBytes !== body.length) return undefined;
    const revisions = new Float64Array(streamCount);
    const counts = new Uint32Array(streamCount);
    const recordNumbers = new Uint32Array(streamRecords);
    const nameLengths = new Uint16Array(streamCount);
    new Uint8Array(revisions.buffer).set(body.subarray(at, (at += 8 * streamCount)));
    new Uint8Array(counts.buffer).set(body.subarray(at, (at += 4 * streamCount)));
    new Uint8Array(recordNumbers.buffer).set(body.subarray(at, (at += 4 * streamRecords)));
    new Uint8Array(nameLengths.buffer).set(body.subarray(at, (at += 2 * streamCount)));
    const allNames = body.toString('utf8', at, at + nameBytes);
    // All ASCII (Kubernetes names are): characters are bytes, so each name is a slice.
    const ascii = allNames.length === nameBytes;
    const names: string[] = new Array(streamCount);
    let name = 0;
    let record = 0;
    for (let s = 0; s < streamCount; s++) {
      const length = nameLengths[s]!;
      names[s] = ascii ? allNames.slice(name, name + length) : body.toString('utf8', at + name, at + name + length);
      name += length;
      record += counts[s]!;
    }
    if (record !== streamRecords || name !== nameBytes) return undefined;
    for (let r = 0; r < streamRecords; r++) if (recordNumbers[r]! >= records) return undefined;
    const streams = StreamTable.fromColumns({ names, revisions, counts, records: recordNumbers });
    return { coveredEnd, lastPosition, index: RecordIndex.fromArrays({ offsets, firstPositions, signatures, maxTimes }, records, table), streams };
  } catch {
    return undefined;
  }
}
