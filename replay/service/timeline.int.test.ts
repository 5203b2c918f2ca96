import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { rebuildState } from '../../projections/state/reducer.ts';
import { recordWebRollout } from './test-recording.ts';
import { Timeline } from './timeline.ts';

let recorded: StoredEvent[];
beforeAll(async () => {
  recorded = await recordWebRollout();
});

/** Everything a state holds, order-free: objects, heartbeats and every index. */
function contents(state: ClusterState) {
  const sortedEntries = <V>(map: Map<string, V>) => [...map].sort(([a], [b]) => a.localeCompare(b));
  const sets = (map: Map<string, Set<string>>) => sortedEntries(map).map(([k, set]) => [k, [...set].sort()]);
  return {
    position: state.position,
    time: state.time,
    objects: sortedEntries(state.objects).filter(([, m]) => m.size > 0).map(([kind, m]) => [kind, sortedEntries(m)]),
    heartbeats: sortedEntries(state.heartbeats),
    podsByNode: sets(state.podsByNode),
    byOwner: sets(state.byOwner),
    byLabel: sortedEntries(state.byLabel).map(([kind, m]) => [kind, sets(m)]),
  };
}

describe('timeline', () => {
  it.each([
    ['eager', 256],
    ['on-demand', 256],
    ['background', 256],
    ['eager', 3],
  ] as const)('%s indexing, undo window %i: the state after any walk of seeks and steps equals a rebuild up to the cursor (objects and indexes)', (indexing, undoWindow) => {
    const timeline = Timeline.from(recorded, { snapshotInterval: 20, indexing, undoWindow });
    const head = recorded.length;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: head }).map((p) => ({ seek: p })), fc.integer({ min: -30, max: 30 }).map((n) => ({ step: n }))), { minLength: 1, maxLength: 25 }),
        (moves) => {
          let position = head;
          for (const move of moves) {
            position = 'seek' in move ? move.seek : Math.max(0, Math.min(head, position + move.step));
            const state = timeline.stateAt(position);
            expect(contents(state)).toEqual(contents(rebuildState(recorded.slice(0, position))));
          }
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });

  it('background indexing finishes on its own, and reads before it build only what they need', async () => {
    const timeline = Timeline.from(recorded, { snapshotInterval: 20, indexing: 'background' });
    expect(timeline.builtThrough).toBe(0);
    timeline.stateAt(30);
    expect(timeline.builtThrough).toBe(30);
    await timeline.indexed;
    expect(timeline.builtThrough).toBe(recorded.length);
  });

  it('copies belong to the caller: moving the cursor leaves them as they were', () => {
    const timeline = Timeline.from(recorded, { snapshotInterval: 20 });
    const copy = timeline.copyAt(50);
    const before = contents(copy);
    timeline.stateAt(120);
    timeline.stateAt(49);
    expect(contents(copy)).toEqual(before);
  });

  it('finds the last event at or before a virtual time', () => {
    const timeline = Timeline.from(recorded);
    const t = recorded[100]!.metadata.time;
    const position = timeline.positionAtTime(t);
    expect(recorded[position - 1]!.metadata.time).toBe(t);
    expect(recorded[position]?.metadata.time ?? Infinity).toBeGreaterThan(t);
    expect(timeline.positionAtTime(0)).toBe(0);
  });
});
