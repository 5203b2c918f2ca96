import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';
import { ScoreMemo } from './score-memo.ts';

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
    const { allocatableCpu, allocatableMemory, version } = columns;
    const usedCpu = columns.nonZeroCpu;
    const usedMemory = columns.nonZeroMemory;
    memo.prepare(columns, nonZeroCpu, nonZeroMemory);
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
      const score = weights === 0 ? 0 : Math.trunc(sum / weights);
      out[i] = score;
      scores[at] = score;
      stamps[at] = stamp;
    }
  },
};

/** Scores by node, between cycles: a node's score depends on its columns and the pod's nonzero requests alone. */
const memo = new ScoreMemo();

function leastRequestedScore(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
