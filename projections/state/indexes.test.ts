import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrreryEvent } from '../../core/events.ts';
import type { ClusterState } from '../cluster-state.ts';
import { shareIndexSets } from './indexes.ts';
import { applyEvent, createClusterState, rebuildState } from './reducer.ts';
import { history, pod } from './test-events.ts';

/** Every index of a state as sorted plain data. */
function indexContents(state: ClusterState) {
  const sets = (map: Map<string, Set<string>>) => [...map].map(([key, set]) => [key, [...set].sort()] as const).sort(([a], [b]) => a.localeCompare(b));
  return {
    podsByNode: sets(state.podsByNode),
    byOwner: sets(state.byOwner),
    byLabel: [...state.byLabel].map(([kind, byKind]) => [kind, sets(byKind)] as const).sort(([a], [b]) => a.localeCompare(b)),
  };
}

/** A copy sharing the index sets, as replay's snapshots take them: only the maps are copied. */
function shallowCopy(state: ClusterState): ClusterState {
  shareIndexSets(state);
  const copy = createClusterState();
  Object.assign(copy, { position: state.position, time: state.time, seed: state.seed, mode: state.mode });
  for (const [kind, objects] of state.objects) copy.objects.set(kind, new Map(objects));
  copy.heartbeats = new Map(state.heartbeats);
  copy.podsByNode = new Map(state.podsByNode);
  copy.byOwner = new Map(state.byOwner);
  for (const [kind, byKind] of state.byLabel) copy.byLabel.set(kind, new Map(byKind));
  return copy;
}

const names = ['a', 'b', 'c', 'd'];
const podEvent = fc.oneof(
  fc
    .record({ name: fc.constantFrom(...names), app: fc.constantFrom('web', 'api'), owner: fc.constantFrom('rs-1', 'rs-2'), node: fc.constantFrom(undefined, 'n1', 'n2') })
    .map(({ name, app, owner, node }): OrreryEvent => ({ type: 'ObjectCreated', data: { object: pod(name, { labels: { app }, owner, ...(node ? { nodeName: node } : {}) }) } })),
  fc.constantFrom(...names).map((name): OrreryEvent => ({ type: 'ObjectRemoved', data: { ref: { kind: 'Pod', namespace: 'default', name } } })),
);

describe('shared index sets', () => {
  it('a state and a copy sharing its index sets each change on their own, and each keeps the indexes a rebuild gives', () => {
    fc.assert(
      fc.property(fc.array(podEvent, { maxLength: 12 }), fc.array(podEvent, { maxLength: 12 }), fc.array(podEvent, { maxLength: 12 }), (common, left, right) => {
        const events = history(...common, ...left);
        const prefix = events.slice(0, common.length);
        const original = rebuildState(prefix);
        const copy = shallowCopy(original);
        for (const event of events.slice(common.length)) applyEvent(copy, event);
        // The original moves on along another branch after the copy did.
        const other = history(...common, ...right);
        for (const event of other.slice(common.length)) applyEvent(original, event);
        expect(indexContents(copy)).toEqual(indexContents(rebuildState(events)));
        expect(indexContents(original)).toEqual(indexContents(rebuildState(other)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
