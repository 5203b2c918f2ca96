import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const REASONS = [ERR_REASON_UNSCHEDULABLE];

/** NodeUnschedulable: cordoned nodes, unless the pod tolerates `node.kubernetes.io/unschedulable:NoSchedule`. */
export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter: (pod, node) => (node.unschedulable && !pod.toleratesUnschedulable ? REASONS : undefined),
};
