import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { formatBytes, formatQuantity } from '../../../core/model/quantity.ts';
import type { ResourceType } from '../../../core/model/resource-type.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import { type ContainerUsage, type NodeUsage, ResourceUsage } from '../../../projections/metrics/resource-usage.ts';
import { getObject, listObjects } from '../../../projections/state/queries.ts';

/**
 * metrics.k8s.io/v1beta1's PodMetrics and NodeMetrics (core/model/kinds/metrics.ts), computed from
 * one cluster state by the usage model when they are read, the way metrics-server answers: only
 * Running pods (and nodes whose kubelet runs) have metrics, cpu is reported in nanocores and memory
 * in bytes, both as canonical quantities (`250m`, `333333333n`, `64Mi`, `23708Ki`). The time stamps
 * are the state's virtual time, so the same state always gives the same objects.
 */

const API_VERSION = 'metrics.k8s.io/v1beta1';
/** The window metrics-server reports usage over; here nominal, since usage is read off the state as it is. */
export const METRICS_WINDOW = '30s';

export interface ComputedObjects {
  /** The object, or the NotFound metrics-server answers. */
  get(namespace: string | undefined, name: string): KubeObject;
  /** Sorted by key (`ns/name`, or `name`), as any list. */
  list(namespace: string | undefined): Array<{ key: string; object: KubeObject }>;
}

const cpu = (nanocores: number) => formatQuantity({ nanos: BigInt(nanocores), format: 'DecimalSI' });

function usageOf(usage: NodeUsage | ContainerUsage): { cpu: string; memory: string } {
  return { cpu: cpu(usage.cpuNanocores), memory: formatBytes(usage.memoryBytes) };
}

function metadataOf(object: KubeObject, time: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: object.metadata.name };
  if (object.metadata.namespace) metadata.namespace = object.metadata.namespace;
  metadata.creationTimestamp = time;
  if (object.metadata.labels) metadata.labels = { ...object.metadata.labels };
  return metadata;
}

function podMetrics(state: ClusterState): ComputedObjects {
  const usage = new ResourceUsage(state);
  const time = toRfc3339(state.time);
  const metricsOf = (pod: KubeObject): KubeObject | undefined => {
    const containers = usage.pod(pod);
    if (!containers) return undefined;
    return {
      kind: 'PodMetrics',
      apiVersion: API_VERSION,
      metadata: metadataOf(pod, time),
      timestamp: time,
      window: METRICS_WINDOW,
      containers: containers.map((container) => ({ name: container.name, usage: usageOf(container) })),
    };
  };
  return {
    get(namespace, name) {
      const pod = getObject(state, 'Pod', namespace, name);
      // metrics-server: a missing pod is its pod lister's NotFound; a pod without metrics is its own.
      if (!pod) throw apiErrors.notFound('pods', name);
      const metrics = metricsOf(pod);
      if (!metrics) throw apiErrors.notFound('podmetrics', `${namespace}/${name}`, 'metrics.k8s.io');
      return metrics;
    },
    list(namespace) {
      const items: Array<{ key: string; object: KubeObject }> = [];
      for (const pod of listObjects(state, 'Pod', namespace)) {
        const object = metricsOf(pod);
        if (object) items.push({ key: `${pod.metadata.namespace}/${pod.metadata.name}`, object });
      }
      return items;
    },
  };
}

function nodeMetrics(state: ClusterState): ComputedObjects {
  const usage = new ResourceUsage(state);
  const time = toRfc3339(state.time);
  const metricsOf = (node: KubeObject): KubeObject | undefined => {
    const used = usage.node(node.metadata.name!);
    if (!used) return undefined;
    return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: metadataOf(node, time), timestamp: time, window: METRICS_WINDOW, usage: usageOf(used) };
  };
  return {
    get(_namespace, name) {
      const node = getObject(state, 'Node', undefined, name);
      // metrics-server: a missing node is its typed node lister's NotFound, worded with the singular `node`.
      if (!node) throw apiErrors.notFound('node', name);
      const metrics = metricsOf(node);
      if (!metrics) throw apiErrors.notFound('nodemetrics', name, 'metrics.k8s.io');
      return metrics;
    },
    list() {
      const items: Array<{ key: string; object: KubeObject }> = [];
      for (const node of listObjects(state, 'Node')) {
        const object = metricsOf(node);
        if (object) items.push({ key: node.metadata.name!, object });
      }
      return items;
    },
  };
}

/** The objects of a computed kind over one state. */
export function computedObjects(type: ResourceType, state: ClusterState): ComputedObjects {
  switch (type.kind) {
    case 'PodMetrics':
      return podMetrics(state);
    case 'NodeMetrics':
      return nodeMetrics(state);
    default:
      throw new Error(`no computation for the kind ${type.kind}`);
  }
}
