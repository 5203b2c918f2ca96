import type { SchedulingDecision } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createPrng, hashSeed } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { podInfoOf } from './pod-info.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { schedulePod } from './schedule-pod.ts';

/**
 * The full verdict table for placing `pod` in the cluster `state` describes: every node filtered
 * and every feasible one scored, nothing truncated. The replay service shows this for a recorded
 * decision by passing the state just before it and the position of the event that caused it.
 * A recorded decision on a large cluster scored only the nodes percentageOfNodesToScore let it
 * reach, so its normalised scores (and, on a tie, its pick) can differ from this table.
 */
export function explainScheduling(state: ClusterState, pod: KubeObject, causationPosition = state.position): SchedulingDecision {
  const cache = SchedulerCache.fromState(state);
  const info = podInfoOf(pod);
  return schedulePod({ ...info, nodeName: undefined }, cache.nodes, cache, {
    startIndex: 0,
    prng: createPrng(hashSeed(state.seed, 'tiebreak', causationPosition)),
    percentageOfNodesToScore: 100,
  }).decision;
}
