import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';
import { ScoreMemo } from './score-memo.ts';

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be equally used once
 * the pod is placed, 100 × (1 − std) of the two fractions (actual requests, each capped at 1).
 */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  applies: () => true,
  score(pod, count, out, _spread, { positions, columns }) {
    const { cpu, memory } = pod.requests;
    const { allocatableCpu, allocatableMemory, requestedCpu, requestedMemory, version } = columns;
    memo.prepare(columns, cpu, memory);
    const { stamps, scores } = memo;
    for (let i = 0; i < count; i++) {
      const at = positions[i]!;
      const stamp = version[at]!;
      if (stamps[at] === stamp) {
        out[i] = scores[at]!;
        continue;
      }
      const cpuCapacity = allocatableCpu[at]!;
      const memoryCapacity = allocatableMemory[at]!;
      let score: number = MAX_NODE_SCORE;
      if (cpuCapacity !== 0 && memoryCapacity !== 0) {
        const cpuFraction = Math.min(1, (requestedCpu[at]! + cpu) / cpuCapacity);
        const memoryFraction = Math.min(1, (requestedMemory[at]! + memory) / memoryCapacity);
        const std = Math.abs((cpuFraction - memoryFraction) / 2);
        score = Math.trunc((1 - std) * MAX_NODE_SCORE);
      }
      out[i] = score;
      scores[at] = score;
      stamps[at] = stamp;
    }
  },
};

/** Scores by node, between cycles: a node's score depends on its columns and the pod's requests alone. */
const memo = new ScoreMemo();
