import type { KubeObject } from '../object.ts';
import type { TableColumn, TableContext } from '../resource-type.ts';
import { humanDuration } from '../human-duration.ts';
import { formatLabelSelector } from '../labels.ts';

type Cell = ReturnType<TableColumn['cell']>;

/** One column; descriptions follow the API's field docs in spirit, the names are Kubernetes' exactly. */
export function column(name: string, type: TableColumn['type'], description: string, cell: (object: KubeObject, context: TableContext) => Cell, priority: 0 | 1 = 0): TableColumn {
  return { name, type, description, priority, cell };
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
  cell: (object) => object.metadata.name ?? '',
};

/** kubectl's translateTimestampSince: `<unknown>` without a timestamp, else HumanDuration(now - t). */
export function timestampSince(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return '<unknown>';
  return humanDuration(now - time);
}

export const ageColumn: TableColumn = column(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
  (object, context) => timestampSince(object.metadata.creationTimestamp, context.now),
);

/** The pod template of a workload (`spec.template.spec`), or of a CronJob's job template. */
export function podSpecOf(object: KubeObject): any {
  return object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec ?? {};
}

export function containerNames(podSpec: any): string {
  return (podSpec.containers ?? []).map((c: any) => c.name).join(',');
}

export function containerImages(podSpec: any): string {
  return (podSpec.containers ?? []).map((c: any) => c.image).join(',');
}

/** The -o wide CONTAINERS / IMAGES / SELECTOR trio of workload tables. */
export function workloadWideColumns(selector: (object: KubeObject) => string = (o) => formatLabelSelector(o.spec?.selector)): TableColumn[] {
  return [
    column('Containers', 'string', 'Names of each container in the template.', (o) => containerNames(podSpecOf(o)), 1),
    column('Images', 'string', 'Images referenced by each container in the template.', (o) => containerImages(podSpecOf(o)), 1),
    column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', selector, 1),
  ];
}
