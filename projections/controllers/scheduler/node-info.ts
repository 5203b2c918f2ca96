import type { Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { UsedPorts } from './host-ports.ts';
import { quantityToMilli, quantityToValue } from './resource-quantity.ts';
import { type NumberedName, numberedName } from './verdict-table.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** The kubelet's default --max-pods, used when a node does not say. */
export const DEFAULT_MAX_PODS = 110;

/**
 * What the scheduler keeps per node (kube-scheduler's NodeInfo): the node's scheduling-relevant
 * fields, read once when the node changes, and the sums of what the pods bound to it request,
 * kept up to date as pods come and go.
 */
export interface NodeInfo {
  name: string;
  /** The name split for the verdict table's runs of consecutively numbered nodes. */
  numbered: NumberedName;
  /** The Node object this was read from. */
  source: KubeObject;
  labels: Readonly<Record<string, string>>;
  /** `kubernetes.io/hostname`, or the node's name when the label is missing. */
  hostname: string;
  zone: string | undefined;
  unschedulable: boolean;
  /** NoSchedule and NoExecute taints, including the readiness taint the node lifecycle controller would add. */
  hardTaints: Taint[];
  /** PreferNoSchedule taints. */
  softTaints: Taint[];
  allocatableCpu: number;
  allocatableMemory: number;
  allocatablePods: number;
  requestedCpu: number;
  requestedMemory: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
  podCount: number;
  /** Allocatable ephemeral-storage and extended resources, and what bound pods request of them. */
  allocatableOther: Readonly<Record<string, number>>;
  requestedOther: Map<string, number>;
  /** hostPorts held by bound pods. */
  usedPorts: UsedPorts;
  /** Changes whenever a field above (other than the running sums) changes: what retries key on. */
  fingerprint: string;
  /** Its position in the scheduler cache's name-sorted node list (and NodeColumns); -1 outside a cache. */
  index: number;
}

export function nodeInfoOf(node: KubeObject): NodeInfo {
  const name = node.metadata.name ?? '';
  const labels = node.metadata.labels ?? {};
  const allocatable = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string | number>;
  const taints = effectiveTaints(node);
  const info: NodeInfo = {
    name,
    numbered: numberedName(name),
    source: node,
    labels,
    hostname: labels[LABEL_HOSTNAME] ?? name,
    zone: labels[LABEL_ZONE],
    unschedulable: node.spec?.unschedulable === true,
    hardTaints: taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
    softTaints: taints.filter((t) => t.effect === 'PreferNoSchedule'),
    allocatableCpu: allocatable.cpu !== undefined ? quantityToMilli(allocatable.cpu) : 0,
    allocatableMemory: allocatable.memory !== undefined ? quantityToValue(allocatable.memory) : 0,
    allocatablePods: allocatable.pods !== undefined ? quantityToValue(allocatable.pods) : DEFAULT_MAX_PODS,
    requestedCpu: 0,
    requestedMemory: 0,
    nonZeroCpu: 0,
    nonZeroMemory: 0,
    podCount: 0,
    allocatableOther: otherAllocatable(allocatable),
    requestedOther: new Map(),
    usedPorts: new Map(),
    fingerprint: '',
    index: -1,
  };
  info.fingerprint = JSON.stringify([labels, info.unschedulable, taints, info.allocatableCpu, info.allocatableMemory, info.allocatablePods, info.allocatableOther]);
  return info;
}

/**
 * The node's taints, plus `node.kubernetes.io/not-ready` (Ready False or not yet reported) or
 * `node.kubernetes.io/unreachable` (Ready Unknown) as NoSchedule when the node lifecycle
 * controller has not put it there yet: Kubernetes has no readiness filter, it taints.
 */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = [...((node.spec?.taints ?? []) as Taint[])];
  const ready = ((node.status?.conditions ?? []) as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready');
  const readinessTaint = ready?.status === 'True' ? undefined : ready?.status === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  if (readinessTaint && !taints.some((t) => t.key === readinessTaint && (t.effect === 'NoSchedule' || t.effect === 'NoExecute'))) {
    taints.push({ key: readinessTaint, effect: 'NoSchedule' });
  }
  return taints;
}

function otherAllocatable(allocatable: Record<string, string | number>): Record<string, number> {
  const other: Record<string, number> = {};
  for (const name in allocatable) if (name !== 'cpu' && name !== 'memory' && name !== 'pods') other[name] = quantityToValue(allocatable[name]!);
  return other;
}
