import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

/** A filter plugin: `undefined` when the node passes, else Kubernetes' reasons for rejecting it. */
export interface FilterPlugin {
  name: string;
  filter(pod: PodInfo, node: NodeInfo): readonly string[] | undefined;
}
