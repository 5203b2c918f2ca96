import type { NodeColumns } from '../node-columns.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

/** kube-scheduler's MaxNodeScore: every plugin's normalised score lies in 0..100. */
export const MAX_NODE_SCORE = 100;

/** How many pods of a spread group (a ReplicaSet's pods, say) sit on each node and in each zone. */
export interface SpreadCounts {
  /** node name → count, leaving out nodes with none; undefined when the group has no pods placed. */
  nodeCounts(group: string): ReadonlyMap<string, number> | undefined;
  inZone(group: string, zone: string): number;
  node(name: string): NodeInfo | undefined;
}

/**
 * The cycle being scored: feasible node `i` is `nodes[positions[i]]` and sits at `positions[i]` in
 * `columns`, and a feasible node's position carries `columns.cycle === id` and
 * `columns.feasibleIndex === i`. Positions increase, but for one wrap-around to the start of the
 * list (the cycle goes round the list from where the last one stopped).
 */
export interface ScoreCycle {
  id: number;
  positions: Int32Array;
  columns: NodeColumns;
  /** Every node, by position (the cache's name-sorted list). */
  nodes: readonly NodeInfo[];
}

/**
 * A score plugin: `applies` is PreScore (a plugin with nothing to say about the pod is left out of
 * the decision), `score` writes the normalised score of feasible node `i` into `out[i]` (`count`
 * of them), and returns true when it gave them all the same score: the cycle then adds that score
 * to the totals once rather than node by node.
 */
export interface ScorePlugin {
  name: string;
  weight: number;
  applies(pod: PodInfo): boolean;
  score(pod: PodInfo, count: number, out: Int32Array, spread: SpreadCounts, cycle: ScoreCycle): boolean | void;
}

/** The framework's DefaultNormalizeScore: scale to 0..100 by the maximum, optionally reversed. */
export function defaultNormalizeScore(scores: Int32Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE, 0, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    const score = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - score : score;
  }
}
