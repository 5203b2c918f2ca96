import type { KubeObject } from '../../core/model/object.ts';
import { budgetsCovering, evaluateBudget, isPodReady } from '../../api/server/subresources/disruption-budget.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import type { Command } from '../../projections/commands.ts';
import { podsOnNode } from '../../projections/state/queries.ts';

/** kubectl drain waits this long before retrying an eviction a PodDisruptionBudget refused (429). */
export const DRAIN_RETRY_MS = 5000;

/** Pods `kubectl drain --ignore-daemonsets` evicts: all but DaemonSet pods, mirror pods and pods already terminating. */
export function drainablePods(state: ClusterState, node: string): KubeObject[] {
  return podsOnNode(state, node).filter(
    (pod) =>
      !pod.metadata.deletionTimestamp &&
      !pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet') &&
      !pod.metadata.annotations?.['kubernetes.io/config.mirror'],
  );
}

export interface DrainPass {
  /** The Eviction API would accept these now. */
  evict: KubeObject[];
  /** Refused for now (429, the disruption budget), retried later. */
  blocked: Array<{ pod: KubeObject; reason: string }>;
}

/**
 * One pass of evictions over a node, decided as the Eviction API decides each (pods/eviction:
 * Pending or finished pods always go; a Ready pod needs disruptionsAllowed > 0; a pod that is not
 * Ready needs the budget to be met), counting the pass's own evictions against each budget.
 */
export function drainPass(state: ClusterState, node: string): DrainPass {
  const pass: DrainPass = { evict: [], blocked: [] };
  const spent = new Map<KubeObject, number>();
  for (const pod of drainablePods(state, node)) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') {
      pass.evict.push(pod);
      continue;
    }
    const budgets = budgetsCovering(state, pod);
    if (budgets.length > 1) {
      pass.blocked.push({ pod, reason: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
      continue;
    }
    const budget = budgets[0];
    if (!budget) {
      pass.evict.push(pod);
      continue;
    }
    const verdict = evaluateBudget(state, budget);
    const used = spent.get(budget) ?? 0;
    const allowed = isPodReady(pod) ? verdict.disruptionsAllowed - used > 0 : verdict.currentHealthy - used >= verdict.desiredHealthy;
    if (!allowed) {
      pass.blocked.push({ pod, reason: "Cannot evict pod as it would violate the pod's disruption budget." });
      continue;
    }
    if (isPodReady(pod)) spent.set(budget, used + 1);
    pass.evict.push(pod);
  }
  return pass;
}

/** What an accepted eviction writes: the DisruptionTarget fact, then the graceful delete. */
export function evictionCommands(pod: KubeObject, actor: string, causationId?: number): Command[] {
  const ref = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name! };
  const meta = { actor, ...(causationId !== undefined ? { causationId } : {}) };
  return [
    { ...meta, type: 'record', event: { type: 'PodEvicted', data: { ref: { ...ref, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) }, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } } },
    { ...meta, type: 'delete', ref, preconditions: { uid: pod.metadata.uid! } },
  ];
}
