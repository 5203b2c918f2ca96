import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

/**
 * NodeResourcesFit with its default LeastAllocated strategy: the share of cpu and memory left free
 * once the pod is placed (requests, with 100m/200Mi for containers that give none), weighted 1:1.
 */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  applies: () => true,
  score(pod, count, out, _spread, { positions, columns }) {
    const { nonZeroCpu, nonZeroMemory } = pod.requests;
    const { allocatableCpu, allocatableMemory } = columns;
    const usedCpu = columns.nonZeroCpu;
    const usedMemory = columns.nonZeroMemory;
    for (let i = 0; i < count; i++) {
      const at = positions[i]!;
      const cpuCapacity = allocatableCpu[at]!;
      const memoryCapacity = allocatableMemory[at]!;
      let sum = 0;
      let weights = 0;
      if (cpuCapacity > 0) {
        sum += leastRequestedScore(usedCpu[at]! + nonZeroCpu, cpuCapacity);
        weights++;
      }
      if (memoryCapacity > 0) {
        sum += leastRequestedScore(usedMemory[at]! + nonZeroMemory, memoryCapacity);
        weights++;
      }
      out[i] = weights === 0 ? 0 : Math.trunc(sum / weights);
    }
  },
};

function leastRequestedScore(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
