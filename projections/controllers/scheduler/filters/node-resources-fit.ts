import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';
export const ERR_REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const ERR_REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';

/**
 * NodeResourcesFit (fitsRequest): the pod count against allocatable pods, then cpu and memory
 * requests against what is left of allocatable. A pod that requests nothing only needs a pod slot.
 */
export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    let reasons: string[] | undefined;
    if (node.podCount + 1 > node.allocatablePods) reasons = [ERR_REASON_TOO_MANY_PODS];
    const { cpu, memory } = pod.requests;
    if (cpu > 0 && cpu > node.allocatableCpu - node.requestedCpu) (reasons ??= []).push(ERR_REASON_INSUFFICIENT_CPU);
    if (memory > 0 && memory > node.allocatableMemory - node.requestedMemory) (reasons ??= []).push(ERR_REASON_INSUFFICIENT_MEMORY);
    return reasons;
  },
};
