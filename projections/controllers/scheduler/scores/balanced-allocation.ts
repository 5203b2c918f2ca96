import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be equally used once
 * the pod is placed, 100 × (1 − std) of the two fractions (actual requests, each capped at 1).
 */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  applies: () => true,
  score(pod, nodes, count, out) {
    const { cpu, memory } = pod.requests;
    for (let i = 0; i < count; i++) {
      const node = nodes[i]!;
      if (node.allocatableCpu === 0 || node.allocatableMemory === 0) {
        out[i] = MAX_NODE_SCORE;
        continue;
      }
      const cpuFraction = Math.min(1, (node.requestedCpu + cpu) / node.allocatableCpu);
      const memoryFraction = Math.min(1, (node.requestedMemory + memory) / node.allocatableMemory);
      const std = Math.abs((cpuFraction - memoryFraction) / 2);
      out[i] = Math.trunc((1 - std) * MAX_NODE_SCORE);
    }
  },
};
