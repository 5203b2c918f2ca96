/** kube-scheduler's ErrNoNodesAvailable, when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * The FailedScheduling message: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were
 * unschedulable.` Each reason is counted once per node that gave it (a node short of both cpu and
 * memory counts under both). Reasons are listed most frequent first, then alphabetically.
 * kube-scheduler sorts the "<count> <reason>" strings as text instead, which would put
 * "2 node(s) were unschedulable" before "3 Insufficient cpu"; Orrery lists the commonest cause
 * first, as its documented example does. preemption.ts adds the `preemption: …` part.
 */
export function unschedulableMessage(allNodes: number, reasonCounts: ReadonlyMap<string, number>): string {
  if (allNodes === 0) return NO_NODES_AVAILABLE;
  const parts = [...reasonCounts]
    .sort(([reasonA, countA], [reasonB, countB]) => countB - countA || (reasonA < reasonB ? -1 : reasonA > reasonB ? 1 : 0))
    .map(([reason, count]) => `${count} ${reason}`);
  return parts.length === 0 ? `0/${allNodes} nodes are available.` : `0/${allNodes} nodes are available: ${parts.join(', ')}.`;
}
