import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

/**
 * NodeResourcesFit with its default LeastAllocated strategy: the share of cpu and memory left free
 * once the pod is placed (requests, with 100m/200Mi for containers that give none), weighted 1:1.
 */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  applies: () => true,
  score(pod, nodes, count, out) {
    const { nonZeroCpu, nonZeroMemory } = pod.requests;
    for (let i = 0; i < count; i++) {
      const node = nodes[i]!;
      let sum = 0;
      let weights = 0;
      if (node.allocatableCpu > 0) {
        sum += leastRequestedScore(node.nonZeroCpu + nonZeroCpu, node.allocatableCpu);
        weights++;
      }
      if (node.allocatableMemory > 0) {
        sum += leastRequestedScore(node.nonZeroMemory + nonZeroMemory, node.allocatableMemory);
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
