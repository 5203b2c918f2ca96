import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';
import { type NodeScorer, ScoreMemo } from './score-memo.ts';

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be equally used once
 * the pod is placed, 100 × (1 − std) of the two fractions (actual requests, each capped at 1).
 */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  applies: () => true,
  score(pod, count, out, _spread, { positions, columns }) {
    memo.fill(columns, positions, count, out, pod.requests.cpu, pod.requests.memory);
  },
};

const scorer: NodeScorer = {
  scoreAt(columns, at, cpu, memory) {
    const cpuCapacity = columns.allocatableCpu[at]!;
    const memoryCapacity = columns.allocatableMemory[at]!;
    if (cpuCapacity === 0 || memoryCapacity === 0) return MAX_NODE_SCORE;
    const cpuFraction = Math.min(1, (columns.requestedCpu[at]! + cpu) / cpuCapacity);
    const memoryFraction = Math.min(1, (columns.requestedMemory[at]! + memory) / memoryCapacity);
    const std = Math.abs((cpuFraction - memoryFraction) / 2);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};

/** Scores by node, between cycles: a node's score depends on its columns and the pod's requests alone. */
const memo = new ScoreMemo(scorer);
