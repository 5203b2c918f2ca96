import type { StoredEvent } from '../../../../core/events.ts';
import type { KubeObject } from '../../../../core/model/object.ts';
import type { ClusterState } from '../../../cluster-state.ts';
import type { SimulatedCluster } from '../../../engine/simulated-cluster.ts';
import { applyEvent, createClusterState } from '../../../state/reducer.ts';
import { listObjects } from '../../../state/queries.ts';
import { matches } from '../../../../core/model/labels.ts';
import { jsonEqual } from '../../../write-path/json-equal.ts';
import { controllerOf } from '../../replicaset/controller-ref.ts';
import { isPodActive, isPodAvailable } from '../../replicaset/pod-availability.ts';
import { calculateReplicaSetStatus } from '../../replicaset/replicaset-status.ts';
import { replicaSetSelector } from '../../replicaset/sync-replicaset.ts';

/**
 * Replays the cluster's whole log into a fresh state and calls `check` after every event from
 * `fromPosition` on: invariants hold at every step of history, not just at the end.
 */
export async function checkEveryEvent(cluster: SimulatedCluster, fromPosition: number, check: (state: ClusterState, event: StoredEvent) => void): Promise<number> {
  const state = createClusterState();
  let checked = 0;
  for await (const event of cluster.store.readAll(0)) {
    applyEvent(state, event);
    if (event.position >= fromPosition) {
      check(state, event);
      checked++;
    }
  }
  return checked;
}

export function appPods(state: ClusterState, app: string): KubeObject[] {
  return listObjects(state, 'Pod', 'default').filter((pod) => pod.metadata.labels?.app === app);
}

export const activePods = (state: ClusterState, app: string) => appPods(state, app).filter(isPodActive);
export const availablePods = (state: ClusterState, app: string, minReadySeconds = 0) =>
  activePods(state, app).filter((pod) => isPodAvailable(pod, minReadySeconds, state.time));

/**
 * Every ReplicaSet's status as a full recount over the state would give it: what the controller's
 * incremental bookkeeping must agree with.
 */
export function replicaSetStatusMismatches(state: ClusterState): string[] {
  const mismatches: string[] = [];
  for (const rs of listObjects(state, 'ReplicaSet')) {
    const owned = listObjects(state, 'Pod', rs.metadata.namespace).filter(
      (pod) => isPodActive(pod) && controllerOf(pod)?.uid === rs.metadata.uid && matches(replicaSetSelector(rs), pod.metadata.labels),
    );
    const expected = calculateReplicaSetStatus(rs, owned, state.time);
    if (!jsonEqual(expected, rs.status)) mismatches.push(`${rs.metadata.name}: ${JSON.stringify(rs.status)} ≠ ${JSON.stringify(expected)}`);
  }
  return mismatches;
}
