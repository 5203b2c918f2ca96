import type { KubeObject } from '../../core/model/object.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { listObjects, podsOnNode } from '../../projections/state/queries.ts';

export interface PodSummary {
  namespace: string;
  name: string;
  phase: string;
  ready: boolean;
  /** `Kind/name` of the controlling owner. */
  owner?: string;
  node?: string;
  deleting?: boolean;
}

export interface NodeSummary {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  taints: unknown[];
  allocatable: Record<string, string>;
  pods: PodSummary[];
}

export interface StateSummary {
  position: number;
  time: string;
  nodes: NodeSummary[];
  unscheduled: PodSummary[];
  counts: Record<string, number>;
}

export function podSummary(pod: KubeObject): PodSummary {
  const owner = pod.metadata.ownerReferences?.find((ref) => ref.controller) ?? pod.metadata.ownerReferences?.[0];
  const conditions = (pod.status?.conditions ?? []) as Array<{ type: string; status: string }>;
  const summary: PodSummary = {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    phase: pod.status?.phase ?? 'Pending',
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
  };
  if (owner) summary.owner = `${owner.kind}/${owner.name}`;
  if (pod.spec?.nodeName) summary.node = pod.spec.nodeName;
  if (pod.metadata.deletionTimestamp) summary.deleting = true;
  return summary;
}

export function nodeIsReady(node: KubeObject): boolean {
  const conditions = (node.status?.conditions ?? []) as Array<{ type: string; status: string }>;
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The cluster at a glance: nodes with their pods, pods waiting for a node, and object counts. */
export function summarizeState(state: ClusterState): StateSummary {
  const nodes = listObjects(state, 'Node').map((node) => ({
    name: node.metadata.name ?? '',
    ready: nodeIsReady(node),
    unschedulable: node.spec?.unschedulable === true,
    taints: node.spec?.taints ?? [],
    allocatable: node.status?.allocatable ?? {},
    pods: podsOnNode(state, node.metadata.name ?? '').map(podSummary),
  }));
  const unscheduled = listObjects(state, 'Pod')
    .filter((pod) => !pod.spec?.nodeName)
    .map(podSummary);
  const counts: Record<string, number> = {};
  for (const [kind, objects] of [...state.objects].sort(([a], [b]) => a.localeCompare(b))) if (objects.size > 0) counts[kind] = objects.size;
  return { position: state.position, time: toRfc3339(state.time), nodes, unscheduled, counts };
}
