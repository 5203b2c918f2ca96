/** Below this many nodes every node is evaluated (kube-scheduler's minFeasibleNodesToFind). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this (minFeasibleNodesPercentageToFind). */
export const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * kube-scheduler's numFeasibleNodesToFind: how many feasible nodes one cycle looks for before it
 * stops filtering and scores what it has. `percentage` 0 means adaptive: 50% − 1% per 125 nodes,
 * at least 5%, and never fewer than 100 nodes. This is what keeps a 5,000-node cycle cheap.
 */
export function numFeasibleNodesToFind(percentage: number, allNodes: number): number {
  if (allNodes < MIN_FEASIBLE_NODES_TO_FIND) return allNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.trunc(allNodes / 125));
  if (pct >= 100) return allNodes;
  const count = Math.trunc((allNodes * pct) / 100);
  return count < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : count;
}
