import type { KubeObject } from '../../../core/model/object.ts';
import { isPodActive, isPodReady, maxContainerRestarts, podReadySince } from './pod-availability.ts';

/**
 * Which pods a ReplicaSet deletes first when it scales down: Kubernetes' `ActivePodsWithRanks`
 * ordering (pkg/controller/controller_utils.go) with its default feature gates (PodDeletionCost and
 * LogarithmicScaleDown on). Earlier in the order = deleted first:
 *   1. unscheduled < scheduled
 *   2. Pending < Unknown < Running
 *   3. not ready < ready
 *   4. lower `controller.kubernetes.io/pod-deletion-cost` < higher
 *   5. more related pods on the same node < fewer ("doubled up" first)
 *   6. ready for less time < more (in powers-of-two buckets of nanoseconds; same bucket → lower uid)
 *   7. more container restarts < fewer
 *   8. newer < older (same bucketing, same uid tie-break)
 */

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface RankedPod {
  pod: KubeObject;
  /** Related active pods on the same node. */
  rank: number;
}

function deletionCost(pod: KubeObject): number {
  const text = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) return 0;
  const value = Number(text.trim());
  return value >= -2147483648 && value <= 2147483647 ? value : 0;
}

function timestamp(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Go's afterOrZero: a missing time counts as after any real one. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

function logarithmicRank(time: number, now: number): number {
  const nanoseconds = (now - time) * 1e6;
  return nanoseconds > 0 ? Math.trunc(Math.log2(nanoseconds)) : -1;
}

/** Compares two times the LogarithmicScaleDown way: newer first, equal buckets broken by uid. */
function newerFirst(a: RankedPod, b: RankedPod, ta: number | undefined, tb: number | undefined, now: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const rankDiff = logarithmicRank(ta, now) - logarithmicRank(tb, now);
  if (rankDiff === 0) return (a.pod.metadata.uid ?? '') < (b.pod.metadata.uid ?? '');
  return rankDiff < 0;
}

function less(a: RankedPod, b: RankedPod, now: number): boolean {
  const nodeA = a.pod.spec?.nodeName ?? '';
  const nodeB = b.pod.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '';

  const phaseA = PHASE_ORDINAL[a.pod.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDINAL[b.pod.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA < phaseB;

  const readyA = isPodReady(a.pod);
  const readyB = isPodReady(b.pod);
  if (readyA !== readyB) return !readyA;

  const costA = deletionCost(a.pod);
  const costB = deletionCost(b.pod);
  if (costA !== costB) return costA < costB;

  if (a.rank !== b.rank) return a.rank > b.rank;

  if (readyA && readyB) {
    const sinceA = podReadySince(a.pod);
    const sinceB = podReadySince(b.pod);
    if (sinceA !== sinceB) return newerFirst(a, b, sinceA, sinceB, now);
  }

  const restartsA = maxContainerRestarts(a.pod);
  const restartsB = maxContainerRestarts(b.pod);
  if (restartsA !== restartsB) return restartsA > restartsB;

  const createdA = timestamp(a.pod.metadata.creationTimestamp);
  const createdB = timestamp(b.pod.metadata.creationTimestamp);
  if (createdA !== createdB) return newerFirst(a, b, createdA, createdB, now);

  return (a.pod.metadata.uid ?? '') < (b.pod.metadata.uid ?? '');
}

/**
 * `getPodsToDelete`: the `count` pods to delete from `pods`, ranking each by how many of
 * `relatedPods` (active pods of the same owner family) share its node.
 */
export function podsToDelete(pods: readonly KubeObject[], relatedPods: readonly KubeObject[], count: number, now: number): KubeObject[] {
  if (count >= pods.length) return pods.slice();
  const podsOnNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: podsOnNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (less(a, b, now) ? -1 : less(b, a, now) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
