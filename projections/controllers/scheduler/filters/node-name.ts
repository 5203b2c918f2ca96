import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REASONS = [ERR_REASON_NODE_NAME];

/** NodeName: a pod that names a node fits only that node. */
export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter: (pod, node) => (pod.nodeName !== undefined && pod.nodeName !== node.name ? REASONS : undefined),
};
