import type { ClusterState } from '../cluster-state.ts';
import { nodeInfoOf } from '../controllers/scheduler/node-info.ts';
import { podRequests } from '../controllers/scheduler/pod-requests.ts';

/** Pods that hold their node's resources: bound and not finished. */
function holdsResources(phase: string | undefined): boolean {
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Why a node is over its allocatable cpu, memory or pod count, or undefined when it is not. */
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
