import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';
export const ERR_REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const ERR_REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';

/** fitsRequest checks ephemeral-storage right after memory, then extended resources (by name here). */
function ephemeralStorageFirst(a: string, b: string): number {
  return (a === 'ephemeral-storage' ? -1 : 0) - (b === 'ephemeral-storage' ? -1 : 0) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * NodeResourcesFit (fitsRequest): the pod count against allocatable pods, then cpu, memory,
 * ephemeral-storage and extended resources (`nvidia.com/gpu`) against what is left of allocatable.
 * A pod that requests nothing only needs a pod slot.
 */
export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    let reasons: string[] | undefined;
    if (node.podCount + 1 > node.allocatablePods) reasons = [ERR_REASON_TOO_MANY_PODS];
    const { cpu, memory } = pod.requests;
    if (cpu > 0 && cpu > node.allocatableCpu - node.requestedCpu) (reasons ??= []).push(ERR_REASON_INSUFFICIENT_CPU);
    if (memory > 0 && memory > node.allocatableMemory - node.requestedMemory) (reasons ??= []).push(ERR_REASON_INSUFFICIENT_MEMORY);
    const other = pod.requests.other;
    if (other) {
      for (const name of Object.keys(other).sort(ephemeralStorageFirst)) {
        const amount = other[name]!;
        if (amount > 0 && amount > (node.allocatableOther[name] ?? 0) - (node.requestedOther.get(name) ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
      }
    }
    return reasons;
  },
};
