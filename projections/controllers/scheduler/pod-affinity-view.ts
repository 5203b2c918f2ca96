import type { NodeInfo } from './node-info.ts';
import type { AffinityTerm, PodLabels } from './pod-affinity.ts';

/** The nodes and bound pods that InterPodAffinity and PodTopologySpread's filter look at. */
export interface PodAffinityView {
  allNodes(): readonly NodeInfo[];
  /** Every pod bound to a known node. */
  forEachPod(visit: (pod: PodLabels, node: NodeInfo) => void): void;
  /** Bound pods that carry required anti-affinity terms (usually few), with those terms. */
  forEachPodWithAntiAffinity(visit: (terms: readonly AffinityTerm[], node: NodeInfo) => void): void;
}
