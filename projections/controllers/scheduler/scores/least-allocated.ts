import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';
import { type NodeScorer, ScoreMemo } from './score-memo.ts';

/**
 * NodeResourcesFit with its default LeastAllocated strategy: the share of cpu and memory left free
 * once the pod is placed (requests, with 100m/200Mi for containers that give none), weighted 1:1.
 */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  applies: () => true,
  score(pod, count, out, _spread, { positions, columns }) {
    memo.fill(columns, positions, count, out, pod.requests.nonZeroCpu, pod.requests.nonZeroMemory);
  },
};

const scorer: NodeScorer = {
  scoreAt(columns, at, nonZeroCpu, nonZeroMemory) {
    const cpuCapacity = columns.allocatableCpu[at]!;
    const memoryCapacity = columns.allocatableMemory[at]!;
    let sum = 0;
    let weights = 0;
    if (cpuCapacity > 0) {
      sum += leastRequestedScore(columns.nonZeroCpu[at]! + nonZeroCpu, cpuCapacity);
      weights++;
    }
    if (memoryCapacity > 0) {
      sum += leastRequestedScore(columns.nonZeroMemory[at]! + nonZeroMemory, memoryCapacity);
      weights++;
    }
    return weights === 0 ? 0 : Math.trunc(sum / weights);
  },
};

/** Scores by node, between cycles: a node's score depends on its columns and the pod's nonzero requests alone. */
const memo = new ScoreMemo(scorer);

function leastRequestedScore(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
