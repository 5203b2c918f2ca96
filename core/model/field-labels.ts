import type { ResourceType } from './resource-type.ts';

/** The fields every kind can be selected by. */
const OBJECT_META = ['metadata.name', 'metadata.namespace'];

/**
 * The field labels the apiserver accepts in a field selector, per kind of the core and built-in
 * groups (each kind's registered field label conversion functions): anything else is a 400.
 */
const FIELD_LABELS: Record<string, readonly string[]> = {
  '/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  '/Node': ['spec.unschedulable'],
  '/Namespace': ['status.phase'],
  '/Secret': ['type'],
  '/Service': ['spec.clusterIP', 'spec.type'],
  '/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/ReplicationController': ['status.replicas'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
};

/**
 * The first field a selector names that `type` cannot be selected by, or undefined. Kinds whose
 * field labels Orrery does not list (events.k8s.io's Events, the metrics kinds) accept any field.
 */
export function unsupportedFieldLabel(type: ResourceType, fields: readonly string[]): string | undefined {
  if (type.group === 'events.k8s.io' || type.computed) return undefined;
  const extra = type.fieldLabels ?? FIELD_LABELS[`${type.group}/${type.kind}`] ?? [];
  return fields.find((field) => !OBJECT_META.includes(field) && !extra.includes(field));
}
