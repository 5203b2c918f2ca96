import type { KubeObject } from '../../../core/model/object.ts';
import { quantityToMilli, quantityToValue } from './resource-quantity.ts';

/** What a pod asks of a node, in the units the scheduler compares: milli-cpu and bytes. */
export interface PodRequests {
  cpu: number;
  memory: number;
  /** As `cpu`/`memory`, but a container that requests nothing counts 100m / 200Mi (scoring only). */
  nonZeroCpu: number;
  nonZeroMemory: number;
  /** ephemeral-storage and extended resources (`nvidia.com/gpu`, `hugepages-2Mi`), by name; absent when none. */
  other: Record<string, number> | undefined;
}

/** kube-scheduler's DefaultMilliCPURequest and DefaultMemoryRequest, used only when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

interface ContainerLike {
  restartPolicy?: string;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}

type Amounts = PodRequests;

/** Resources NodeResourcesFit does not compare (pods is checked by count; storage belongs to volumes). */
const NOT_REQUESTED = new Set(['cpu', 'memory', 'pods', 'storage']);

/**
 * Kubernetes' PodRequests (component-helpers/resource): the sum over containers, against the
 * largest init container (restartable "sidecar" init containers add to the sum and to every later
 * init container), plus the pod overhead. A missing request falls back to the limit, which is what
 * the API server's defaulting would have written.
 */
export function podRequests(pod: KubeObject): PodRequests {
  const spec = pod.spec ?? {};
  const total = zero();
  for (const container of (spec.containers ?? []) as ContainerLike[]) add(total, containerAmounts(container));
  const sidecars = zero();
  const initMax = zero();
  for (const container of (spec.initContainers ?? []) as ContainerLike[]) {
    const amounts = containerAmounts(container);
    if (container.restartPolicy === 'Always') {
      add(total, amounts);
      add(sidecars, amounts);
      takeMax(initMax, sidecars);
    } else {
      const withSidecars = zero();
      add(withSidecars, amounts);
      add(withSidecars, sidecars);
      takeMax(initMax, withSidecars);
    }
  }
  takeMax(total, initMax);
  const overhead = spec.overhead as Record<string, string | number> | undefined;
  if (overhead) {
    const cpu = overhead.cpu !== undefined ? quantityToMilli(overhead.cpu) : 0;
    const memory = overhead.memory !== undefined ? quantityToValue(overhead.memory) : 0;
    add(total, { cpu, memory, nonZeroCpu: cpu, nonZeroMemory: memory, other: otherAmounts(overhead, undefined) });
  }
  return total;
}

function containerAmounts(container: ContainerLike): Amounts {
  const requests = container.resources?.requests;
  const limits = container.resources?.limits;
  const cpuQuantity = requests?.cpu ?? limits?.cpu;
  const memoryQuantity = requests?.memory ?? limits?.memory;
  const cpu = cpuQuantity !== undefined ? quantityToMilli(cpuQuantity) : 0;
  const memory = memoryQuantity !== undefined ? quantityToValue(memoryQuantity) : 0;
  return {
    cpu,
    memory,
    nonZeroCpu: cpuQuantity !== undefined ? cpu : DEFAULT_MILLI_CPU_REQUEST,
    nonZeroMemory: memoryQuantity !== undefined ? memory : DEFAULT_MEMORY_REQUEST,
    other: otherAmounts(requests, limits),
  };
}

function otherAmounts(requests: Record<string, string | number> | undefined, limits: Record<string, string | number> | undefined): Record<string, number> | undefined {
  let other: Record<string, number> | undefined;
  for (const source of [limits, requests]) {
    if (!source) continue;
    for (const name in source) {
      if (NOT_REQUESTED.has(name)) continue;
      (other ??= {})[name] = quantityToValue(source[name]!);
    }
  }
  return other;
}

function zero(): Amounts {
  return { cpu: 0, memory: 0, nonZeroCpu: 0, nonZeroMemory: 0, other: undefined };
}

function add(into: Amounts, amounts: Amounts): void {
  if (amounts.other) for (const name in amounts.other) (into.other ??= {})[name] = (into.other[name] ?? 0) + amounts.other[name]!;
  into.cpu += amounts.cpu;
  into.memory += amounts.memory;
  into.nonZeroCpu += amounts.nonZeroCpu;
  into.nonZeroMemory += amounts.nonZeroMemory;
}

function takeMax(into: Amounts, amounts: Amounts): void {
  if (amounts.other) for (const name in amounts.other) (into.other ??= {})[name] = Math.max(into.other[name] ?? 0, amounts.other[name]!);
  into.cpu = Math.max(into.cpu, amounts.cpu);
  into.memory = Math.max(into.memory, amounts.memory);
  into.nonZeroCpu = Math.max(into.nonZeroCpu, amounts.nonZeroCpu);
  into.nonZeroMemory = Math.max(into.nonZeroMemory, amounts.nonZeroMemory);
}
