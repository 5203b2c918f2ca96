import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrreryEvent, StoredEvent } from '../../core/events.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { applyEvent, rebuildState } from '../../projections/state/reducer.ts';
import { history, pod } from '../../projections/state/test-events.ts';
import { cloneState, createStateHistory } from './state-at.ts';

const sortedSets = (map: Map<string, Set<string>>) => [...map].map(([key, set]) => [key, [...set].sort()] as const).sort(([a], [b]) => (a < b ? -1 : 1));

/** Everything a read of the past may use: objects, the indexes (label selectors, pods by node, owners), heartbeats. */
function snapshotOf(state: ClusterState) {
  return {
    position: state.position,
    time: state.time,
    objects: [...state.objects].map(([kind, objects]) => [kind, [...objects].sort(([a], [b]) => (a < b ? -1 : 1))]).sort(),
    podsByNode: sortedSets(state.podsByNode),
    byOwner: sortedSets(state.byOwner),
    byLabel: [...state.byLabel].map(([kind, byKind]) => [kind, sortedSets(byKind)] as const).sort(([a], [b]) => (a < b ? -1 : 1)),
    heartbeats: [...state.heartbeats].sort(([a], [b]) => (a < b ? -1 : 1)),
    stoppedKubelets: [...state.stoppedKubelets].sort(),
  };
}

describe('state history (exact reads of the past)', () => {
  it('rebuilds the state (objects and indexes) at any position exactly as a replay of the log up to it, from checkpoints or not, however the followed state moves on', async () => {
    const cluster = await createSimulatedCluster({ nodes: 2 });
    const labels = { app: 'web' };
    await cluster.apply([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } },
    ]);
    await cluster.run(20_000);
    const log: StoredEvent[] = [];
    for await (const event of cluster.store.readAll(0)) log.push(event);
    const head = log.length;
    expect(head).toBeGreaterThan(20);

    const history = createStateHistory(cluster.store, () => head, { maxCheckpoints: 3, maxRecent: 1 });
    // Offer checkpoints the way the watch hub does as it follows the log.
    const follower = rebuildState([]);
    for (const event of log) {
      rebuildState([event], follower);
      if (event.position % 7 === 0) history.offerCheckpoint(follower);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: head }), async (position) => {
        const expected = rebuildState(log.slice(0, position));
        expect(snapshotOf(await history.stateAt(position))).toEqual(snapshotOf(expected));
      }),
      { seed: 7, numRuns: 40 },
    );
    await expect(history.stateAt(head + 1)).rejects.toMatchObject({ code: 504 });
    await cluster.close();
  });
});

const names = ['a', 'b', 'c', 'd'];
const podEvent = fc.oneof(
  fc
    .record({ name: fc.constantFrom(...names), app: fc.constantFrom('web', 'api'), owner: fc.constantFrom('rs-1', 'rs-2'), node: fc.constantFrom(undefined, 'n1', 'n2') })
    .map(({ name, app, owner, node }): OrreryEvent => ({ type: 'ObjectCreated', data: { object: pod(name, { labels: { app }, owner, ...(node ? { nodeName: node } : {}) }) } })),
  fc.constantFrom(...names).map((name): OrreryEvent => ({ type: 'ObjectRemoved', data: { ref: { kind: 'Pod', namespace: 'default', name } } })),
);

describe('cloneState', () => {
  it('gives a state that moves on independently of the original, both keeping what a replay of their own events gives', () => {
    fc.assert(
      fc.property(fc.array(podEvent, { maxLength: 12 }), fc.array(podEvent, { maxLength: 12 }), fc.array(podEvent, { maxLength: 12 }), (common, left, right) => {
        const events = history(...common, ...left);
        const original = rebuildState(events.slice(0, common.length));
        const copy = cloneState(original);
        expect(snapshotOf(copy)).toEqual(snapshotOf(original));
        // The original moves on along one branch (as the watch hub's state does after a checkpoint), the copy along another.
        const other = history(...common, ...right);
        for (const event of other.slice(common.length)) applyEvent(original, event);
        for (const event of events.slice(common.length)) applyEvent(copy, event);
        expect(snapshotOf(copy)).toEqual(snapshotOf(rebuildState(events)));
        expect(snapshotOf(original)).toEqual(snapshotOf(rebuildState(other)));
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
