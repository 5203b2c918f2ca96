import type { NodeInfo } from './node-info.ts';
import type { AffinityTerm, PodLabels } from './pod-affinity.ts';

/** The bound pods InterPodAffinity looks at, with the node each is on. */
export interface PodAffinityView {
  /** Every pod bound to a known node. */
  forEachPod(visit: (pod: PodLabels, node: NodeInfo) => void): void;
  /** Bound pods that carry required anti-affinity terms (usually few), with those terms. */
  forEachPodWithAntiAffinity(visit: (terms: readonly AffinityTerm[], node: NodeInfo) => void): void;
}
