import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';
import { validateLabelSelector } from './workload-validation.ts';
import { validateResourceList } from './resource-list.ts';
import { canonicalQuantity, quantityProblem } from '../quantity.ts';

/** kubectl's ResourceQuota REQUEST / LIMIT cells: `name: used/hard` pairs, sorted by resource. */
function quotaUsage(quota: KubeObject, limits: boolean): string {
  const hard: Record<string, string> = quota.status?.hard ?? {};
  const used: Record<string, string> = quota.status?.used ?? {};
  const print = (value: string | undefined) => (value === undefined || quantityProblem(value) ? '0' : canonicalQuantity(value));
  return Object.keys(hard)
    .sort()
    .filter((name) => (name.split('.')[0] === 'limits' && name.includes('.')) === limits)
    .map((name) => `${name}: ${print(used[name])}/${print(hard[name])}`)
    .join(', ');
}

export const resourceQuotaType = defineResourceType({
  kind: 'ResourceQuota',
  group: '',
  version: 'v1',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  subresources: ['status'],
  columns: [
    nameColumn,
    ageColumn,
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.', (q) => quotaUsage(q, false)),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', (q) => quotaUsage(q, true)),
  ],
  defaults(quota) {
    quota.spec ??= {};
  },
  validateSpec(quota) {
    const causes = validateResourceList(quota.spec?.hard, 'spec.hard').causes;
    const scopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
    for (const [i, scope] of ((quota.spec?.scopes ?? []) as string[]).entries()) {
      if (!scopes.includes(scope)) causes.push(fieldErrors.notSupported(`spec.scopes[${i}]`, scope, scopes));
    }
    return causes;
  },
});

export const limitRangeType = defineResourceType({
  kind: 'LimitRange',
  group: '',
  version: 'v1',
  plural: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  columns: [
    nameColumn,
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.', (lr) => lr.metadata.creationTimestamp ?? ''),
  ],
  validateSpec(lr) {
    const causes: StatusCause[] = [];
    const types = ['Container', 'Pod', 'PersistentVolumeClaim'];
    for (const [i, limit] of ((lr.spec?.limits ?? []) as any[]).entries()) {
      if (!limit.type) causes.push(fieldErrors.required(`spec.limits[${i}].type`));
      else if (!types.includes(limit.type)) causes.push(fieldErrors.notSupported(`spec.limits[${i}].type`, limit.type, types));
      for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
        causes.push(...validateResourceList(limit[field], `spec.limits[${i}].${field}`).causes);
      }
    }
    return causes;
  },
});

export const podDisruptionBudgetType = defineResourceType({
  kind: 'PodDisruptionBudget',
  group: 'policy',
  version: 'v1',
  plural: 'poddisruptionbudgets',
  shortNames: ['pdb'],
  namespaced: true,
  subresources: ['status'],
  columns: [
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.', (pdb) => (pdb.spec?.minAvailable === undefined ? 'N/A' : String(pdb.spec.minAvailable))),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.', (pdb) => (pdb.spec?.maxUnavailable === undefined ? 'N/A' : String(pdb.spec.maxUnavailable))),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.', (pdb) => pdb.status?.disruptionsAllowed ?? 0),
    ageColumn,
  ],
  validateSpec(pdb) {
    const spec = pdb.spec ?? {};
    const causes = validateLabelSelector(spec.selector, 'spec.selector');
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      causes.push(fieldErrors.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
    }
    for (const field of ['minAvailable', 'maxUnavailable']) {
      const value = spec[field];
      if (typeof value === 'number' && value < 0) causes.push(fieldErrors.invalid(`spec.${field}`, value, 'must be greater than or equal to 0'));
      if (typeof value === 'string' && !/^[0-9]+%$/.test(value)) causes.push(fieldErrors.invalid(`spec.${field}`, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    }
    return causes;
  },
});
