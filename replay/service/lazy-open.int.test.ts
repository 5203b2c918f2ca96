import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { copyLog } from '../../core/store/copy-log.ts';
import { createEmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { snapshotPositions, writeSnapshot } from '../../projections/state/snapshot-files.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { deployment } from './test-recording.ts';
import { ReplayService } from './replay-service.ts';
import { recordWebRollout } from './test-recording.ts';
import { Timeline } from './timeline.ts';

// Opening a directory reads its log lazily: the session answers before the log is decoded, and a
// server's snapshot in the directory gives the state at the end without building up to it.
let recorded: StoredEvent[];
const dirs: string[] = [];

beforeAll(async () => {
  recorded = await recordWebRollout();
});

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function logDir(options: { snapshotAt?: number } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-lazy-open-'));
  dirs.push(dir);
  const store = await createEmbeddedStore(dir);
  await copyLog(recorded, store);
  await store.close();
  if (options.snapshotAt !== undefined) {
    const state = createClusterState();
    for (const event of recorded.slice(0, options.snapshotAt)) applyEvent(state, event);
    writeSnapshot(dir, state);
  }
  return dir;
}

/** Flips one byte in the middle of a directory's log: a record there no longer matches its CRC. */
function damageMiddleOfLog(dir: string): void {
  const file = join(dir, 'events.log');
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(file, bytes);
}

/** Objects of a state as plain data, for comparing states built different ways. */
function objectsOf(state: ReturnType<Timeline['stateAt']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [kind, objects] of state.objects) for (const [key, object] of objects) out[`${kind}/${key}`] = object;
  return out;
}

describe('opening a log directory lazily', () => {
  it('answers at the end from a server snapshot before the log is loaded or indexed, and every state agrees with a full replay', async () => {
    const snapshotAt = recorded.length - 40;
    const dir = await logDir({ snapshotAt });
    const service = new ReplayService({ indexing: 'background' });
    const session = await service.open({ type: 'dir', path: dir });
    expect(session.head).toBe(recorded.length);
    expect(session.position).toBe(recorded.length);
    // Nothing has been loaded or indexed yet, yet the state at the cursor is there.
    expect(session.timeline.loadedThrough).toBe(0);
    expect(session.timeline.builtThrough).toBe(0);
    const full = Timeline.from([...recorded]);
    expect(objectsOf(session.stateAt())).toEqual(objectsOf(full.stateAt(recorded.length)));
    expect(objectsOf(session.timeline.stateAt(snapshotAt + 7))).toEqual(objectsOf(full.stateAt(snapshotAt + 7)));
    expect(session.timeline.builtThrough).toBe(0);
    // Events are read where they lie until loading reaches them.
    expect(session.timeline.event(17)).toEqual(recorded[16]);
    expect(session.timeline.event(recorded.length)).toEqual(recorded.at(-1));

    await session.timeline.indexed;
    expect(session.timeline.loadedThrough).toBe(recorded.length);
    for (const position of [0, 1, 25, Math.floor(recorded.length / 2), snapshotAt - 1, snapshotAt, recorded.length]) {
      expect(objectsOf(session.timeline.stateAt(position)), `position ${position}`).toEqual(objectsOf(full.stateAt(position)));
    }
    service.delete(session.id);
  });

  it('without a snapshot, builds up to the cursor as before', async () => {
    const dir = await logDir();
    const service = new ReplayService({ indexing: 'on-demand' });
    const session = await service.open({ type: 'dir', path: dir });
    expect(session.timeline.loadedThrough).toBe(0);
    const full = Timeline.from([...recorded]);
    expect(objectsOf(session.stateAt())).toEqual(objectsOf(full.stateAt(recorded.length)));
    expect(session.timeline.builtThrough).toBe(recorded.length);
    service.delete(session.id);
  });

  it('refuses a small damaged log at open, as the store does', async () => {
    const dir = await logDir({ snapshotAt: recorded.length });
    damageMiddleOfLog(dir);
    await expect(new ReplayService().open({ type: 'dir', path: dir })).rejects.toThrow(/corrupt at byte offset \d+/);
  });

  it('reports damage behind the index checkpoint (not scanned at open) to every read that needs it, with the file and offset', async () => {
    // Over 4,096 records, so that closing the log writes an index checkpoint and opening skips the CRC scan.
    const dir = mkdtempSync(join(tmpdir(), 'orrery-lazy-open-'));
    dirs.push(dir);
    const writer = await createEmbeddedStore(dir);
    for (let i = 0; i < 5000; i++) await writer.append('cluster', [{ type: 'ClockAdvanced', data: { time: i * 1000 }, metadata: { actor: 'clock', time: i * 1000 } }]);
    await writer.close();
    damageMiddleOfLog(dir);
    const service = new ReplayService({ indexing: 'background' });
    const session = await service.open({ type: 'dir', path: dir });
    expect(session.head).toBe(5000);
    await expect(session.timeline.loaded).rejects.toThrow(/corrupt at byte offset \d+/);
    await expect(session.timeline.indexed).rejects.toThrow(/corrupt/);
    expect(() => session.density(10)).toThrow(/events\.log is corrupt/);
    expect(() => session.markers()).toThrow(/corrupt/);
    await expect(session.timeline.readyThrough(4999)).rejects.toThrow(/corrupt/);
    service.delete(session.id);
  });

  it('leaves a snapshot at the end once indexed, so the next open starts there', async () => {
    const dir = await logDir();
    const service = new ReplayService({ indexing: 'background' });
    const first = await service.open({ type: 'dir', path: dir });
    await first.timeline.indexed;
    service.delete(first.id);
    await first.timeline.close();
    expect(snapshotPositions(dir)).toEqual([recorded.length]);
    const second = await service.open({ type: 'dir', path: dir });
    expect(objectsOf(second.stateAt())).toEqual(objectsOf(Timeline.from([...recorded]).stateAt(recorded.length)));
    expect(second.timeline.builtThrough).toBe(0);
    service.delete(second.id);
    await second.timeline.close();
  });

  it('counts density and markers over what has loaded, saying so, then over everything', async () => {
    const dir = await logDir({ snapshotAt: recorded.length });
    const inMemory = new ReplayService({ indexing: 'eager' }).openEvents([...recorded], { type: 'events' });
    const service = new ReplayService({ indexing: 'on-demand' });
    const session = await service.open({ type: 'dir', path: dir });
    const partial = session.density(10);
    expect(partial.complete).toBe(false);
    expect(partial.buckets.reduce((sum, b) => sum + b.events, 0)).toBe(0);
    expect(session.markers()).toEqual({ items: [], complete: false });
    session.timeline.allEvents();
    expect(session.density(10)).toEqual(inMemory.density(10));
    expect(session.density(10).complete).toBe(true);
    expect(session.markers()).toEqual(inMemory.markers());
    expect(session.markers().items.filter((m) => m.kind === 'user')).toHaveLength(3);
    service.delete(session.id);
  });

  it('releases the log when the session is closed, so the directory can be opened again', async () => {
    const dir = await logDir();
    const service = new ReplayService({ indexing: 'on-demand' });
    const session = await service.open({ type: 'dir', path: dir });
    expect(session.timeline.loadedThrough).toBe(0);
    service.delete(session.id);
    await session.timeline.close();
    const again = await createEmbeddedStore(dir);
    expect(await again.head()).toBe(recorded.length);
    await again.close();
    expect(() => session.timeline.event(5)).toThrow(/closed/);
  });

  it("opens a server's live log from the server's own state, then follows the log once loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-lazy-live-'));
    dirs.push(dir);
    const store = await createEmbeddedStore(dir);
    const cluster = await createSimulatedCluster({ nodes: 3, seed: 11, store });
    await cluster.apply([deployment('web', 4, 'nginx:1')]);
    await cluster.run(30_000);
    const service = new ReplayService({ indexing: 'background', liveStore: store, liveState: () => cluster.state });
    const session = await service.open({ type: 'live' });
    expect(session.head).toBe(cluster.state.position);
    expect(session.timeline.loadedThrough).toBe(0);
    expect(objectsOf(session.stateAt())).toEqual(objectsOf(cluster.state));
    expect(session.timeline.builtThrough).toBe(0);

    await session.timeline.indexed;
    await cluster.run(20_000);
    expect(session.head).toBeLessThan(cluster.state.position);
    await session.sync();
    expect(session.head).toBe(cluster.state.position);
    expect(objectsOf(session.timeline.stateAt(session.head))).toEqual(objectsOf(cluster.state));
    service.delete(session.id);
    await session.timeline.close();
    await cluster.close();
  });

  it('opens an exported recording at its end from the state it carries, parsing events only as they are read', async () => {
    const service = new ReplayService({ indexing: 'on-demand' });
    const original = service.openEvents([...recorded], { type: 'events' });
    const imported = service.import(service.export(original));
    expect(imported.head).toBe(recorded.length);
    expect(objectsOf(imported.stateAt())).toEqual(objectsOf(Timeline.from([...recorded]).stateAt(recorded.length)));
    expect(imported.timeline.loadedThrough).toBe(0);
    expect(imported.timeline.builtThrough).toBe(0);
    expect(imported.timeline.allEvents()).toEqual(recorded);
  });
});

