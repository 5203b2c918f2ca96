import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Position } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import { createClusterState } from './reducer.ts';
import { StreamRuleBrokenError } from './compacted-rebuild.ts';
import { type RebuildOptions, rebuildFromStore } from './rebuild-from-store.ts';
import { deserializeState, serializeState } from './snapshot.ts';

/**
 * Snapshots on disk: `<dataDir>/snapshots/<position, 16 digits>.snap`, each a 16-byte header
 * (`ORRSNAP1`, CRC-32 of the body, body length) and the serialised state. A snapshot is written to a
 * temporary file, fsynced and renamed, so a crash leaves either the whole snapshot or none; a damaged
 * one is skipped in favour of an older one. Snapshots are only a cache: the log alone rebuilds
 * everything.
 */

export const SNAPSHOT_DIR = 'snapshots';
const MAGIC = Buffer.from('ORRSNAP1', 'latin1');
const HEADER_BYTES = 16;
const NAME_PATTERN = /^(\d{16})\.snap$/;

export function snapshotDirectory(dataDir: string): string {
  return join(dataDir, SNAPSHOT_DIR);
}

function fileFor(dataDir: string, position: Position): string {
  return join(snapshotDirectory(dataDir), `${String(position).padStart(16, '0')}.snap`);
}

/** Positions of the snapshots in `dataDir`, newest first. */
export function snapshotPositions(dataDir: string): Position[] {
  const dir = snapshotDirectory(dataDir);
  if (!existsSync(dir)) return [];
  const positions: Position[] = [];
  for (const name of readdirSync(dir)) {
    const match = NAME_PATTERN.exec(name);
    if (match) positions.push(Number(match[1]));
  }
  return positions.sort((a, b) => b - a);
}

export interface WrittenSnapshot {
  file: string;
  position: Position;
  bytes: number;
}

/** Writes the state as a snapshot at its position (durably: fsync, rename, fsync the directory). */
export function writeSnapshot(dataDir: string, state: ClusterState): WrittenSnapshot {
  const dir = snapshotDirectory(dataDir);
  mkdirSync(dir, { recursive: true });
  const body = serializeState(state);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(crc32(body), 8);
  header.writeUInt32LE(body.length, 12);
  const file = fileFor(dataDir, state.position);
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    writeAll(fd, header);
    writeAll(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(dir);
  return { file, position: state.position, bytes: HEADER_BYTES + body.length };
}

export interface LoadedSnapshot {
  state: ClusterState;
  position: Position;
  file: string;
  /** Newer snapshots passed over, with why (damaged, or past the end of the log). */
  skipped: Array<{ file: string; reason: string }>;
}

/**
 * The newest intact snapshot at or before `maxPosition` (pass the log's head: a snapshot past it
 * describes events the log no longer has, e.g. after a torn tail was cut), or undefined.
 */
export function loadLatestSnapshot(dataDir: string, options: { maxPosition?: Position } = {}): LoadedSnapshot | undefined {
  const skipped: LoadedSnapshot['skipped'] = [];
  for (const position of snapshotPositions(dataDir)) {
    const file = fileFor(dataDir, position);
    if (options.maxPosition !== undefined && position > options.maxPosition) {
      skipped.push({ file, reason: `snapshot at ${position} is past the end of the log (${options.maxPosition})` });
      continue;
    }
    try {
      const state = readSnapshotFile(file);
      if (state.position !== position) throw new Error(`holds position ${state.position}, named ${position}`);
      return { state, position, file, skipped };
    } catch (error) {
      skipped.push({ file, reason: (error as Error).message });
    }
  }
  return undefined;
}

export function readSnapshotFile(file: string): ClusterState {
  const data = readFileSync(file);
  if (data.length < HEADER_BYTES || !data.subarray(0, 8).equals(MAGIC)) throw new Error('not an Orrery snapshot');
  const length = data.readUInt32LE(12);
  const body = data.subarray(HEADER_BYTES);
  if (body.length !== length) throw new Error(`truncated: ${body.length} of ${length} bytes`);
  if (crc32(body) !== data.readUInt32LE(8)) throw new Error('CRC mismatch');
  return deserializeState(body);
}

/** Removes all but the newest `keep` snapshots (and leftover temporary files). */
export function pruneSnapshots(dataDir: string, keep: number): Position[] {
  const dir = snapshotDirectory(dataDir);
  if (!existsSync(dir)) return [];
  for (const name of readdirSync(dir)) if (name.endsWith('.snap.tmp')) rmSync(join(dir, name), { force: true });
  const removed = snapshotPositions(dataDir).slice(Math.max(0, keep));
  for (const position of removed) rmSync(fileFor(dataDir, position), { force: true });
  return removed;
}

export interface RestoredState {
  state: ClusterState;
  /** Position of the snapshot used, 0 when the whole log was replayed. */
  snapshotPosition: Position;
  /** Events applied on top of the snapshot. */
  tailEvents: number;
  skipped: LoadedSnapshot['skipped'];
}

/**
 * Serve-ready state: the newest usable snapshot plus the log's tail after it (or the whole log),
 * the tail applied by `rebuildFromStore` (compacted where the store allows, unless `options` say not).
 */
export async function restoreState(store: EventStore, dataDir: string, options: RebuildOptions = {}): Promise<RestoredState> {
  const head = await store.head();
  let loaded = loadLatestSnapshot(dataDir, { maxPosition: head });
  let state: ClusterState;
  try {
    state = await rebuildFromStore(store, loaded?.position ?? 0, loaded?.state ?? createClusterState(), options);
  } catch (error) {
    if (!(error instanceof StreamRuleBrokenError)) throw error;
    // The compacted tail changed the loaded state before finding it could not be used: load it again and replay every event.
    loaded = loadLatestSnapshot(dataDir, { maxPosition: head });
    state = await rebuildFromStore(store, loaded?.position ?? 0, loaded?.state ?? createClusterState(), { compacted: false });
  }
  const snapshotPosition = loaded?.position ?? 0;
  return { state, snapshotPosition, tailEvents: state.position - snapshotPosition, skipped: loaded?.skipped ?? [] };
}

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
