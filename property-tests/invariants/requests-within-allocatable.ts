import type { ClusterState } from '../../projections/cluster-state.ts';
import { nodeInfoOf } from '../../projections/controllers/scheduler/node-info.ts';
import { podRequests } from '../../projections/controllers/scheduler/pod-requests.ts';
import { defineInvariant } from './invariant.ts';

/** Pods that hold their node's resources: bound and not finished. */
function holdsResources(phase: string | undefined): boolean {
  return phase !== 'Succeeded' && phase !== 'Failed';
}

export function nodeOvercommit(state: ClusterState, nodeName: string): string | undefined {
  const node = state.objects.get('Node')?.get(nodeName);
  if (!node) return undefined;
  const info = nodeInfoOf(node);
  let cpu = 0;
  let memory = 0;
  let pods = 0;
  for (const key of state.podsByNode.get(nodeName) ?? []) {
    const pod = state.objects.get('Pod')?.get(key);
    if (!pod || !holdsResources(pod.status?.phase)) continue;
    const requests = podRequests(pod);
    cpu += requests.cpu;
    memory += requests.memory;
    pods++;
  }
  if (cpu > info.allocatableCpu) return `node ${nodeName} has ${cpu}m cpu requested of ${info.allocatableCpu}m allocatable`;
  if (memory > info.allocatableMemory) return `node ${nodeName} has ${memory} bytes of memory requested of ${info.allocatableMemory} allocatable`;
  if (pods > info.allocatablePods) return `node ${nodeName} runs ${pods} pods, more than its ${info.allocatablePods} allowed`;
  return undefined;
}

export const requestsWithinAllocatable = defineInvariant({
  name: 'requests-within-allocatable',
  description: "The resources requested by a node's pods never exceed the node's allocatable cpu, memory and pods.",
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type === 'PodScheduled') return nodeOvercommit(state, event.data.nodeName);
        return undefined;
      },
    };
  },
});
