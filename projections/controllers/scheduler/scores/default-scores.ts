import { balancedAllocation } from './balanced-allocation.ts';
import { leastAllocated } from './least-allocated.ts';
import { nodeAffinityScore } from './node-affinity.ts';
import { podTopologySpread } from './pod-topology-spread.ts';
import type { ScorePlugin } from './score.ts';
import { taintTolerationScore } from './taint-toleration.ts';

/** kube-scheduler's default score plugins and weights (InterPodAffinity and ImageLocality not modelled). */
export const DEFAULT_SCORES: readonly ScorePlugin[] = [taintTolerationScore, nodeAffinityScore, leastAllocated, podTopologySpread, balancedAllocation];
