import type { KubeObject } from '../object.ts';
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from '../quantity.ts';
import type { ResourceType, TableColumn } from '../resource-type.ts';
import { nameColumn } from './columns.ts';

/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it (`kubectl top`): `pods` (PodMetrics) and
 * `nodes` (NodeMetrics), get and list only. Their objects are never stored: the API computes them
 * from the cluster state when they are read (api/server/metrics/, the usage model in
 * projections/metrics/resource-usage.ts), so a read appends nothing.
 */

type Usage = Record<string, string | undefined>;

function summed(usages: Usage[], resource: string): string {
  let total: Quantity | undefined;
  for (const usage of usages) {
    const value = usage[resource];
    if (value !== undefined) total = total ? addQuantities(total, value) : parseQuantity(value);
  }
  return total ? formatQuantity(total) : '';
}

function usagesOf(object: KubeObject): Usage[] {
  if (object.kind === 'NodeMetrics') return [(object.usage as Usage | undefined) ?? {}];
  return ((object.containers as Array<{ usage?: Usage }> | undefined) ?? []).map((container) => container.usage ?? {});
}

/** metrics-server's table: the name, each resource summed over the containers (as a quantity), and the window. */
const metricsColumns: TableColumn[] = [
  nameColumn,
  { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0, cell: (object) => summed(usagesOf(object), 'cpu') },
  { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0, cell: (object) => summed(usagesOf(object), 'memory') },
  { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0, cell: (object) => String(object.window ?? '') },
];

function metricsType(kind: string, plural: string, namespaced: boolean): ResourceType {
  return {
    kind,
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    namespaced,
    verbs: ['get', 'list'],
    subresources: [],
    columns: metricsColumns,
    defaults: (object) => object,
    validate: () => [],
    computed: true,
  };
}

export const podMetricsType = metricsType('PodMetrics', 'pods', true);
export const nodeMetricsType = metricsType('NodeMetrics', 'nodes', false);
