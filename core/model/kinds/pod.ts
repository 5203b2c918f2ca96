import { defineResourceType } from './define.ts';
import { podColumns } from './pod-columns.ts';
import { admitPodSpec, defaultPodSpec, validatePodSpec, validatePodUpdate } from './pod-spec.ts';
import { compareQuantities } from '../quantity.ts';

export const podType = defineResourceType({
  kind: 'Pod',
  group: '',
  version: 'v1',
  plural: 'pods',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'binding', 'eviction', 'log', 'ephemeralcontainers', 'exec', 'attach', 'portforward'],
  columns: podColumns,
  defaults(pod) {
    pod.spec ??= {};
    defaultPodSpec(pod.spec);
    admitPodSpec(pod.spec);
    const status = pod.status;
    // The usual status on create, `{ phase }` or none, is replaced by one literal with both fields
    // (same fields, same order): a field added to an object after it is made goes to an extra
    // properties store, ~40 bytes per pod held in the log.
    if (status === undefined || (status.qosClass === undefined && hasOnlyPhase(status))) {
      pod.status = { phase: status?.phase ?? 'Pending', qosClass: qosClassOf(pod.spec) };
      return;
    }
    status.phase ??= 'Pending';
    status.qosClass ??= qosClassOf(pod.spec);
  },
  validateSpec(pod, old) {
    const causes = validatePodSpec(pod.spec, 'spec');
    if (old) causes.push(...validatePodUpdate(pod, old));
    return causes;
  },
});

function hasOnlyPhase(status: Record<string, unknown>): boolean {
  for (const key in status) if (key !== 'phase') return false;
  return true;
}

/** Kubernetes' QoS class: Guaranteed when every container's requests equal its limits, BestEffort when none set any. */
export function qosClassOf(spec: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    for (const resource of ['cpu', 'memory']) {
      if (requests[resource] !== undefined || limits[resource] !== undefined) any = true;
      if (limits[resource] === undefined) guaranteed = false;
      else if (requests[resource] !== undefined && compareQuantities(requests[resource], limits[resource]) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
