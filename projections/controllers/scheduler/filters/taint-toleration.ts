import { firstUntoleratedTaint } from '../tolerations.ts';
import type { FilterPlugin } from './filter.ts';

/** TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node. */
export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, node) {
    if (node.hardTaints.length === 0) return undefined;
    const taint = firstUntoleratedTaint(node.hardTaints, pod.tolerations);
    return taint ? [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`] : undefined;
  },
};
