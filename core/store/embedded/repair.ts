import { closeSync, fdatasyncSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_NAME } from './embedded-store.ts';
import { lockDirectory } from './directory-lock.ts';
import { removeIndexCheckpoint } from './index-checkpoint.ts';
import { LogCorruptedError } from './errors.ts';
import { countIntactRecordsFrom, revisionOutOfSequence, scanLog } from './log-scan.ts';

export interface RepairReport {
  file: string;
  /** False when the log had no bad record (nothing was changed). */
  repaired: boolean;
  /** Events kept (positions 1..keptEvents). */
  keptEvents: number;
  /** Where the log was cut, and why the record there was bad. */
  truncatedAt?: number;
  reason?: string;
  droppedBytes: number;
  /** Intact records (and their events and positions) that followed the bad one and were dropped with it. */
  droppedIntactRecords: number;
  droppedIntactEvents: number;
  droppedPositions?: [number, number];
}

/**
 * The only operation that may drop data from the embedded log: truncates it at its first bad record
 * (bad CRC, torn, or out of sequence) and reports what went with it, including intact records after
 * it. Refuses a file that is not an Orrery log at all.
 */
export function repairEmbeddedLog(dir: string): RepairReport {
  const file = join(dir, LOG_FILE_NAME);
  const unlock = lockDirectory(dir);
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    const revisions = new Map<string, number>();
    const scan = scanLog(fd, (header) => {
      const last = revisions.get(header.stream) ?? -1;
      revisions.set(header.stream, last + header.count);
      return revisionOutOfSequence(header.stream, header.firstRevision, last);
    });
    const bad = scan.badRecord;
    const report: RepairReport = { file, repaired: false, keptEvents: scan.lastPosition, droppedBytes: 0, droppedIntactRecords: 0, droppedIntactEvents: 0 };
    if (!bad) return report;
    if (bad.offset === 0 && bad.nextValidOffset !== undefined) throw new LogCorruptedError(file, 0, bad.reason);
    const dropped = bad.nextValidOffset === undefined ? { records: 0, events: 0 } : countIntactRecordsFrom(fd, bad.nextValidOffset, scan.fileSize);
    ftruncateSync(fd, scan.validEnd);
    fdatasyncSync(fd);
    removeIndexCheckpoint(dir);
    return {
      ...report,
      repaired: true,
      truncatedAt: scan.validEnd,
      reason: bad.reason,
      droppedBytes: scan.fileSize - scan.validEnd,
      droppedIntactRecords: dropped.records,
      droppedIntactEvents: dropped.events,
      ...('positions' in dropped && dropped.positions ? { droppedPositions: dropped.positions } : {}),
    };
  } finally {
    closeSync(fd);
    unlock();
  }
}
