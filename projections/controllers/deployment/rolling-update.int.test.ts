import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { resolveFenceposts } from './fenceposts.ts';
import { activePods, availablePods, checkEveryEvent, replicaSetStatusMismatches } from './testing/replay-check.ts';
import { deploymentManifest, deploymentOf, editDeployment, podsOf, replicaSetsOf, setImage, workloadCluster } from './testing/workload-cluster.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

type Fencepost = number | string;

/** Rolls `web` (10 replicas) from v1 to v2 and checks the surge and availability bounds after every event. */
async function rollOut(maxSurge: Fencepost, maxUnavailable: Fencepost, minReadySeconds = 0, replicaSetFirst = false): Promise<{ events: number; peakPods: number; lowestAvailable: number }> {
  const replicas = 10;
  cluster = await workloadCluster({ startMs: 3000, stopMs: 2000, replicaSetFirst });
  await cluster.apply([deploymentManifest('web', replicas, 'web:v1', { minReadySeconds, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } })]);
  await cluster.run(60_000);
  expect(deploymentOf(cluster, 'web').status.availableReplicas).toBe(replicas);

  const updateAt = cluster.state.position + 1;
  await editDeployment(cluster, 'web', setImage('web:v2'));
  await cluster.run(20 * 60_000);

  const bounds = resolveFenceposts(maxSurge, maxUnavailable, replicas);
  let peakPods = 0;
  let lowestAvailable = Number.POSITIVE_INFINITY;
  const events = await checkEveryEvent(cluster, updateAt, (state, event) => {
    const active = activePods(state, 'web').length;
    const available = availablePods(state, 'web', minReadySeconds).length;
    peakPods = Math.max(peakPods, active);
    lowestAvailable = Math.min(lowestAvailable, available);
    if (active > replicas + bounds.maxSurge) throw new Error(`${active} pods at position ${event.position} (${event.type}), max ${replicas + bounds.maxSurge}`);
    if (available < replicas - bounds.maxUnavailable) throw new Error(`${available} available at position ${event.position} (${event.type}), min ${replicas - bounds.maxUnavailable}`);
  });

  const pods = podsOf(cluster);
  expect(pods).toHaveLength(replicas);
  expect(pods.every((pod) => pod.spec.containers[0].image === 'web:v2')).toBe(true);
  const d = deploymentOf(cluster, 'web');
  expect(d.status).toMatchObject({ replicas, updatedReplicas: replicas, availableReplicas: replicas, observedGeneration: d.metadata.generation });
  expect(replicaSetsOf(cluster).map((rs) => rs.spec.replicas).sort()).toEqual([0, replicas]);
  expect(cluster.engine.stats.commandsRejected).toBe(0);
  expect(replicaSetStatusMismatches(cluster.state)).toEqual([]);
  return { events, peakPods, lowestAvailable };
}

describe('rolling update bounds, checked at every event', () => {
  it.each<[Fencepost, Fencepost]>([
    [3, 2],
    ['25%', '25%'],
    [1, 0],
    [0, 1],
    ['50%', '0%'],
    ['0%', '30%'],
  ])('maxSurge %s, maxUnavailable %s', async (maxSurge, maxUnavailable) => {
    const { events, peakPods, lowestAvailable } = await rollOut(maxSurge, maxUnavailable);
    const bounds = resolveFenceposts(maxSurge, maxUnavailable, 10);
    expect(events).toBeGreaterThan(50);
    // The controller uses the room it is given: it surges and dips right up to the bounds.
    expect(peakPods).toBe(10 + bounds.maxSurge);
    expect(lowestAvailable).toBe(10 - bounds.maxUnavailable);
  });

  it('holds with minReadySeconds delaying availability', async () => {
    const { lowestAvailable } = await rollOut(2, 1, 10);
    expect(lowestAvailable).toBe(9);
  });

  it('holds for generated maxSurge/maxUnavailable combinations (ints and percentages), in either controller order', async () => {
    const fencepost = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 60 }).map((p) => `${p}%`));
    const combos = fc.tuple(fencepost, fencepost).filter(([s, u]) => {
      const surge = typeof s === 'number' ? s : Math.ceil((parseInt(s) * 10) / 100);
      const unavailable = typeof u === 'number' ? u : Math.floor((parseInt(u) * 10) / 100);
      return surge + unavailable > 0;
    });
    await fc.assert(
      fc.asyncProperty(combos, fc.boolean(), async ([maxSurge, maxUnavailable], replicaSetFirst) => {
        try {
          await rollOut(maxSurge, maxUnavailable, 0, replicaSetFirst);
        } finally {
          await cluster?.close();
          cluster = undefined;
        }
      }),
      { seed: 20261123, numRuns: 12 },
    );
  });
});
