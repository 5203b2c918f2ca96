import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

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
    const { allocatableCpu, allocatableMemory, requestedCpu, requestedMemory } = columns;
    for (let i = 0; i < count; i++) {
      const at = positions[i]!;
      const cpuCapacity = allocatableCpu[at]!;
      const memoryCapacity = allocatableMemory[at]!;
      if (cpuCapacity === 0 || memoryCapacity === 0) {
        out[i] = MAX_NODE_SCORE;
        continue;
      }
      const cpuFraction = Math.min(1, (requestedCpu[at]! + cpu) / cpuCapacity);
      const memoryFraction = Math.min(1, (requestedMemory[at]! + memory) / memoryCapacity);
      const std = Math.abs((cpuFraction - memoryFraction) / 2);
      out[i] = Math.trunc((1 - std) * MAX_NODE_SCORE);
    }
  },
};
