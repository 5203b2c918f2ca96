import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { createClusterState, rebuildState } from './reducer.ts';
import { loadLatestSnapshot, pruneSnapshots, restoreState, snapshotPositions, writeSnapshot } from './snapshot-files.ts';
import { T0, history, node, pod } from './test-events.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-snap-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const events = history(
  { type: 'ClusterInitialized', data: { seed: 9, startTime: T0, mode: 'simulation' } },
  { type: 'NodeRegistered', data: { node: node('n1') } },
  { type: 'ObjectCreated', data: { object: pod('a', { labels: { app: 'web' } }) } },
  { type: 'PodScheduled', data: { ref: { kind: 'Pod', namespace: 'default', name: 'a' }, nodeName: 'n1', decision: { evaluated: 1, feasible: 1, verdicts: [] } } },
  [{ type: 'NodeHeartbeat', data: { nodes: ['n1'] } }, { time: T0 + 10_000 }],
  { type: 'ObjectCreated', data: { object: pod('b') } },
);

describe('snapshot files', () => {
  it('loads the newest snapshot, which equals the state it was written from', () => {
    const dir = dataDir();
    writeSnapshot(dir, rebuildState(events.slice(0, 2)));
    const written = writeSnapshot(dir, rebuildState(events.slice(0, 4)));
    expect(written.file.endsWith(join('snapshots', '0000000000000004.snap'))).toBe(true);
    expect(snapshotPositions(dir)).toEqual([4, 2]);
    const loaded = loadLatestSnapshot(dir)!;
    expect(loaded.position).toBe(4);
    expect(loaded.state).toEqual(rebuildState(events.slice(0, 4)));
  });

  it('skips a damaged snapshot and one past the end of the log', () => {
    const dir = dataDir();
    writeSnapshot(dir, rebuildState(events.slice(0, 2)));
    const damaged = writeSnapshot(dir, rebuildState(events.slice(0, 4)));
    writeSnapshot(dir, rebuildState(events));
    const bytes = readFileSync(damaged.file);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(damaged.file, bytes);
    const loaded = loadLatestSnapshot(dir, { maxPosition: 5 })!;
    expect(loaded.position).toBe(2);
    expect(loaded.skipped.map((s) => s.reason)).toEqual(['snapshot at 6 is past the end of the log (5)', 'CRC mismatch']);
  });

  it('a truncated snapshot is refused', () => {
    const dir = dataDir();
    const written = writeSnapshot(dir, rebuildState(events));
    writeFileSync(written.file, readFileSync(written.file).subarray(0, 40));
    expect(loadLatestSnapshot(dir)).toBeUndefined();
  });

  it('restoreState = newest snapshot + the tail from the store, equal to a full replay', async () => {
    const dir = dataDir();
    const store = createInMemoryStore(events);
    writeSnapshot(dir, rebuildState(events.slice(0, 3)));
    const restored = await restoreState(store, dir);
    expect(restored).toMatchObject({ snapshotPosition: 3, tailEvents: 3 });
    expect(restored.state).toEqual(rebuildState(events));
    const fresh = await restoreState(store, dataDir());
    expect(fresh).toMatchObject({ snapshotPosition: 0, tailEvents: 6 });
    expect(fresh.state).toEqual(rebuildState(events));
  });

  it('prunes all but the newest snapshots', () => {
    const dir = dataDir();
    for (const n of [1, 2, 3, 4]) writeSnapshot(dir, rebuildState(events.slice(0, n)));
    writeFileSync(join(dir, 'snapshots', '0000000000000009.snap.tmp'), 'partial');
    expect(pruneSnapshots(dir, 2)).toEqual([2, 1]);
    expect(snapshotPositions(dir)).toEqual([4, 3]);
    expect(existsSync(join(dir, 'snapshots', '0000000000000009.snap.tmp'))).toBe(false);
  });

  it('an empty state snapshots at position 0', () => {
    const dir = dataDir();
    writeSnapshot(dir, createClusterState());
    expect(loadLatestSnapshot(dir)!.state).toEqual(createClusterState());
  });
});
