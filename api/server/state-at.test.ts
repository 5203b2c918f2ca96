import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { rebuildState } from '../../projections/state/reducer.ts';
import { createStateHistory } from './state-at.ts';

function snapshotOf(state: { position: number; objects: Map<string, Map<string, unknown>> }) {
  return { position: state.position, objects: [...state.objects].map(([kind, objects]) => [kind, [...objects].sort(([a], [b]) => (a < b ? -1 : 1))]).sort() };
}

describe('state history (exact reads of the past)', () => {
  it('rebuilds the state at any position exactly as a replay of the log up to it, from checkpoints or not', async () => {
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
