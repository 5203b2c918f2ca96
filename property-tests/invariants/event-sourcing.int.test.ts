import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { deferredSnapshot, serializeState } from '../../projections/state/snapshot.ts';
import { scenarioArbitrary } from '../arbitraries/scenario.ts';
import { runHistory } from '../run-history.ts';

function deepFreeze(value: unknown, frozen: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || frozen.has(value)) return;
  frozen.add(value);
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, frozen);
}

function freezeObjects(state: ClusterState, frozen: WeakSet<object>): void {
  for (const objects of state.objects.values()) for (const object of objects.values()) deepFreeze(object, frozen);
}

// The lockstep snapshots of snapshot-plus-tail-equals-replay share objects with the state they were
// taken of: that is only right if the reducer never changes a stored object in place.
describe('deferred snapshots of the cluster state', { timeout: 60_000 }, () => {
  it('serialise exactly as the state did when taken, because the reducer never changes a stored object in place', async () => {
    const shape = { cluster: { maxNodes: 4 }, workloads: { maxWorkloads: 6 }, timeline: { maxFaults: 8, maxActions: 12 }, settle: 5 * 60_000 };
    let compared = 0;
    for (const scenario of fc.sample(scenarioArbitrary(shape), { numRuns: 4, seed: 3 })) {
      const { events } = await runHistory(scenario, { invariants: [] });
      const state = createClusterState();
      const frozen = new WeakSet<object>();
      const taken: Array<{ deferred: () => string; eager: string }> = [];
      for (const [i, event] of (events as StoredEvent[]).entries()) {
        // Frozen objects throw on any write (ES modules are strict): a change in place fails here.
        applyEvent(state, event);
        freezeObjects(state, frozen);
        if (i % 7 === 0) taken.push({ deferred: deferredSnapshot(state), eager: serializeState(state).toString() });
      }
      for (const { deferred, eager } of taken) expect(deferred()).toBe(eager);
      compared += taken.length;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
