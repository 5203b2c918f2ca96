import { matchesRequiredNodeAffinity } from '../node-affinity.ts';
import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REASONS = [ERR_REASON_NODE_AFFINITY];

/** NodeAffinity: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution. */
export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, node) => (pod.requiresNodeMatch && !matchesRequiredNodeAffinity(pod.affinity, node) ? REASONS : undefined),
};
