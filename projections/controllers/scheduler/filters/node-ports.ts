import { conflicts } from '../host-ports.ts';
import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REASONS = [ERR_REASON_NODE_PORTS];

/** NodePorts: a hostPort another pod on the node already holds (same protocol, clashing address). */
export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter: (pod, node) => (pod.hostPorts && node.usedPorts.size > 0 && conflicts(node.usedPorts, pod.hostPorts) ? REASONS : undefined),
};
