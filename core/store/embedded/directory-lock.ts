import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'LOCK';

/**
 * Claims a log directory for this process, so that two writers never interleave records in one
 * file. The lock file holds the owner's pid; a lock left by a process that no longer runs (a crash)
 * is taken over. Returns the release function.
 */
export function lockDirectory(dir: string): () => void {
  const file = join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new Error(`event log directory ${dir} is in use by process ${owner}${owner === process.pid ? ' (this process: close the other store first)' : ''}`);
      }
      unlinkSync(file);
    }
  }
  throw new Error(`could not lock event log directory ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
