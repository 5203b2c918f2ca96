import type { KubeObject } from '../../core/model/object.ts';
import { formatBytes, formatMilli } from '../../core/model/quantity.ts';
import type { ClusterState } from '../cluster-state.ts';
import { podRequests } from '../controllers/scheduler/pod-requests.ts';
import { quantityToMilli, quantityToValue } from '../controllers/scheduler/resource-quantity.ts';
import { listObjects } from '../state/queries.ts';

/**
 * What ResourceQuota counts (pkg/quota/v1/evaluator/core): per object, its usage of each quota
 * resource name, in integer units (millicores for cpu, bytes for memory and storage, else counts).
 */

const MILLI = new Set(['cpu', 'requests.cpu', 'limits.cpu']);
const BYTES = new Set(['memory', 'requests.memory', 'limits.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage']);

const OBJECT_COUNTS: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  ReplicationController: 'replicationcontrollers',
  ResourceQuota: 'resourcequotas',
};

const COUNTED_KINDS: Record<string, string> = {
  'count/pods': 'Pod', 'count/services': 'Service', 'count/configmaps': 'ConfigMap', 'count/secrets': 'Secret',
  'count/persistentvolumeclaims': 'PersistentVolumeClaim', 'count/deployments.apps': 'Deployment', 'count/replicasets.apps': 'ReplicaSet',
  'count/statefulsets.apps': 'StatefulSet', 'count/daemonsets.apps': 'DaemonSet', 'count/jobs.batch': 'Job', 'count/cronjobs.batch': 'CronJob',
  'count/replicationcontrollers': 'ReplicationController',
};

export function quotaAmount(resource: string, quantity: string | number): number {
  if (MILLI.has(resource)) return quantityToMilli(quantity);
  return quantityToValue(quantity);
}

export function formatQuotaAmount(resource: string, amount: number): string {
  if (MILLI.has(resource)) return formatMilli(amount);
  if (BYTES.has(resource)) return formatBytes(amount);
  return String(amount);
}

/** A pod counts while it is not finished (`QuotaV1Pod`). */
export const podCounts = (pod: KubeObject) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

function containerSum(pod: KubeObject, field: 'limits', name: string, milli: boolean): number {
  let total = 0;
  for (const container of pod.spec?.containers ?? []) {
    const value = container.resources?.[field]?.[name];
    if (value !== undefined) total += milli ? quantityToMilli(value) : quantityToValue(value);
  }
  return total;
}

/** Usage of one quota resource by one object (0 when it does not count toward it). */
export function usageOf(object: KubeObject, resource: string): number {
  if (COUNTED_KINDS[resource]) return COUNTED_KINDS[resource] === object.kind && (object.kind !== 'Pod' || podCounts(object)) ? 1 : 0;
  if (OBJECT_COUNTS[object.kind] === resource) return object.kind !== 'Pod' || podCounts(object) ? 1 : 0;
  if (object.kind === 'Pod') {
    if (!podCounts(object)) return 0;
    switch (resource) {
      case 'cpu':
      case 'requests.cpu':
        return podRequests(object).cpu;
      case 'memory':
      case 'requests.memory':
        return podRequests(object).memory;
      case 'limits.cpu':
        return containerSum(object, 'limits', 'cpu', true);
      case 'limits.memory':
        return containerSum(object, 'limits', 'memory', false);
    }
    return 0;
  }
  if (object.kind === 'Service') {
    const type = object.spec?.type ?? 'ClusterIP';
    if (resource === 'services.loadbalancers') return type === 'LoadBalancer' ? 1 : 0;
    if (resource === 'services.nodeports') return type === 'NodePort' || type === 'LoadBalancer' ? (object.spec?.ports ?? []).length : 0;
  }
  if (object.kind === 'PersistentVolumeClaim' && resource === 'requests.storage') {
    const storage = object.spec?.resources?.requests?.storage;
    return storage !== undefined ? quantityToValue(storage) : 0;
  }
  return 0;
}

const KINDS_COUNTED = ['Pod', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ReplicationController', 'ResourceQuota', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

/** The namespace's usage of each resource the quota limits. */
export function namespaceUsage(state: ClusterState, namespace: string, resources: string[], exceptUid?: string): Map<string, number> {
  const used = new Map<string, number>(resources.map((r) => [r, 0]));
  for (const kind of KINDS_COUNTED) {
    for (const object of listObjects(state, kind, namespace)) {
      if (exceptUid && object.metadata.uid === exceptUid) continue;
      for (const resource of resources) used.set(resource, used.get(resource)! + usageOf(object, resource));
    }
  }
  return used;
}

/** Resources a quota tracks for which a pod must state requests or limits (`must specify`). */
export function missingSpecifications(pod: KubeObject, resources: string[]): string[] {
  const missing: string[] = [];
  for (const resource of [...resources].sort()) {
    const [field, name] = resource.includes('.') ? (resource.split('.', 2) as ['requests' | 'limits', string]) : (['requests', resource] as const);
    if (!['cpu', 'memory'].includes(name) || (field !== 'requests' && field !== 'limits')) continue;
    const lacking = (pod.spec?.containers ?? [])
      .filter((c: any) => c.resources?.[field]?.[name] === undefined && !(field === 'requests' && c.resources?.limits?.[name] !== undefined))
      .map((c: any) => c.name);
    if (lacking.length) missing.push(`${resource} for: ${lacking.join(',')}`);
  }
  return missing;
}
