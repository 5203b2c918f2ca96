import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { qualifiedKey } from '../../state/indexes.ts';

const POD_PREFIX = qualifiedKey('Pod', '');

/**
 * Unsorted reads of the state's pod indexes, for the ReplicaSet controller's hot path (every pod
 * event reconciles its ReplicaSet). The sorted queries in projections/state/queries.ts cost a sort
 * per call; the callers here only count, take minima, or sort the few pods they act on, so the
 * index's iteration order never reaches the log.
 */
export function podsOwnedBy(state: ClusterState, ownerUid: string): KubeObject[] {
  const qualified = state.byOwner.get(ownerUid);
  const pods = state.objects.get('Pod');
  const out: KubeObject[] = [];
  if (!qualified || !pods) return out;
  for (const q of qualified) {
    if (!q.startsWith(POD_PREFIX)) continue;
    const pod = pods.get(q.slice(POD_PREFIX.length));
    if (pod) out.push(pod);
  }
  return out;
}

export function* podsWithLabel(state: ClusterState, key: string, value: string): Iterable<KubeObject> {
  const keys = state.byLabel.get('Pod')?.get(`${key}=${value}`);
  const pods = state.objects.get('Pod');
  if (!keys || !pods) return;
  for (const podKey of keys) {
    const pod = pods.get(podKey);
    if (pod) yield pod;
  }
}

export function countPodsWithLabel(state: ClusterState, key: string, value: string): number {
  return state.byLabel.get('Pod')?.get(`${key}=${value}`)?.size ?? 0;
}
