import type { NodeInfo } from '../node-info.ts';
import type { PodAffinityView } from '../pod-affinity-view.ts';
import type { PodInfo } from '../pod-info.ts';

/**
 * A filter plugin: `filter` gives `undefined` when the node passes, else Kubernetes' reasons for
 * rejecting it. `preFilter`, when present, runs once per cycle and its result is handed to every
 * `filter` call; a plugin whose preFilter returns `undefined` has nothing to check (Skip).
 */
export interface FilterPlugin {
  name: string;
  preFilter?(pod: PodInfo, cluster: PodAffinityView): unknown;
  filter(pod: PodInfo, node: NodeInfo, prepared?: unknown): readonly string[] | undefined;
}
