import { fieldErrors } from '../../core/model/field-errors.ts';
import { defineResourceType } from '../../core/model/kinds/define.ts';
import { nameRules } from '../../core/model/object-meta-validation.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';

/**
 * A small registry for the write path's own tests, so they pin down the write path's behaviour
 * (not every kind's defaulting). Pods default terminationGracePeriodSeconds and require containers,
 * Deployments make spec.selector immutable, as Kubernetes does.
 */
const types: ResourceType[] = [
  defineResourceType({ kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false, subresources: ['status', 'finalize'], nameRule: nameRules.dns1123Label }),
  defineResourceType({ kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false, subresources: ['status'] }),
  defineResourceType({
    kind: 'Pod',
    group: '',
    version: 'v1',
    plural: 'pods',
    namespaced: true,
    subresources: ['status', 'binding', 'eviction'],
    defaults(pod) {
      pod.spec ??= {};
      pod.spec.terminationGracePeriodSeconds ??= 30;
    },
    validateSpec(pod) {
      return pod.spec?.containers?.length ? [] : [fieldErrors.required('spec.containers')];
    },
  }),
  defineResourceType({
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    namespaced: true,
    subresources: ['status', 'scale'],
    validateSpec(deployment, old) {
      if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(deployment.spec?.selector)) {
        return [fieldErrors.invalid('spec.selector', deployment.spec?.selector, 'field is immutable')];
      }
      return [];
    },
  }),
  defineResourceType({ kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps', namespaced: true }),
  defineResourceType({ kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true }),
];

const byKind = new Map(types.map((type) => [type.kind, type]));

export function testResourceTypeForKind(kind: string): ResourceType | undefined {
  return byKind.get(kind);
}
