import type { StatusCause } from '../../errors.ts';
import { deepEqual } from '../canonical-json.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { daemonSetColumns, deploymentColumns, replicaSetColumns, statefulSetColumns } from './workload-columns.ts';
import { defaultPodTemplate, immutableField, validateNonNegative, validateSelectorAndTemplate } from './workload-validation.ts';
import { fieldErrors } from '../field-errors.ts';

/** Percent (`25%`) or non-negative integer, as IsValidPercent / ValidatePositiveIntOrPercent check it. */
function validateIntOrPercent(value: unknown, path: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) return [fieldErrors.invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    return [];
  }
  if (typeof value === 'number') return validateNonNegative(value, path);
  return [fieldErrors.invalid(path, value, 'must be an integer or percentage (e.g \'5%\')')];
}

function percentOrValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const exact = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return 0;
}

function validateRollingUpdate(rollingUpdate: any, path: string, replicas: number): StatusCause[] {
  if (!rollingUpdate) return [];
  const causes = [...validateIntOrPercent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`), ...validateIntOrPercent(rollingUpdate.maxSurge, `${path}.maxSurge`)];
  for (const field of ['maxUnavailable', 'maxSurge']) {
    const value = rollingUpdate[field];
    if (typeof value === 'string' && /^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) > 100) causes.push(fieldErrors.invalid(`${path}.${field}`, value, 'must not be greater than 100%'));
  }
  if (causes.length === 0 && percentOrValue(rollingUpdate.maxUnavailable ?? '25%', Math.max(replicas, 1), false) === 0 && percentOrValue(rollingUpdate.maxSurge ?? '25%', Math.max(replicas, 1), true) === 0) {
    causes.push(fieldErrors.invalid(`${path}.maxUnavailable`, rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return causes;
}

function validateSelectorImmutable(object: KubeObject, old: KubeObject | undefined): StatusCause[] {
  return old ? immutableField(object.spec?.selector, old.spec?.selector, 'spec.selector') : [];
}

export const deploymentType = defineResourceType({
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  columns: deploymentColumns,
  // Annotations are copied from a Deployment to its ReplicaSets, so changing them bumps the generation too.
  specChanged: (previous, next) => !deepEqual(previous.spec, next.spec) || !deepEqual(previous.metadata.annotations, next.metadata.annotations),
  defaults(deployment) {
    const spec = (deployment.spec ??= {});
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultPodTemplate(spec.template);
  },
  validateSpec(deployment, old) {
    const spec = deployment.spec ?? {};
    const causes = [
      ...validateNonNegative(spec.replicas, 'spec.replicas'),
      ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
      ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
      ...validateSelectorAndTemplate(deployment),
    ];
    const strategy = spec.strategy?.type ?? 'RollingUpdate';
    if (!['Recreate', 'RollingUpdate'].includes(strategy)) causes.push(fieldErrors.notSupported('spec.strategy.type', strategy, ['Recreate', 'RollingUpdate']));
    if (strategy === 'Recreate' && spec.strategy?.rollingUpdate) causes.push(fieldErrors.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\''));
    if (strategy === 'RollingUpdate') causes.push(...validateRollingUpdate(spec.strategy?.rollingUpdate, 'spec.strategy.rollingUpdate', spec.replicas ?? 1));
    if (spec.progressDeadlineSeconds !== undefined) {
      causes.push(...validateNonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
      if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
        causes.push(fieldErrors.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
      }
    }
    causes.push(...validateSelectorImmutable(deployment, old));
    return causes;
  },
});

export const replicaSetType = defineResourceType({
  kind: 'ReplicaSet',
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  columns: replicaSetColumns,
  defaults(rs) {
    const spec = (rs.spec ??= {});
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  validateSpec(rs, old) {
    const spec = rs.spec ?? {};
    return [
      ...validateNonNegative(spec.replicas, 'spec.replicas'),
      ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
      ...validateSelectorAndTemplate(rs),
      ...validateSelectorImmutable(rs, old),
    ];
  },
});

export const daemonSetType = defineResourceType({
  kind: 'DaemonSet',
  group: 'apps',
  version: 'v1',
  plural: 'daemonsets',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  columns: daemonSetColumns,
  defaults(ds) {
    const spec = (ds.spec ??= {});
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(spec.template);
  },
  validateSpec(ds, old) {
    const spec = ds.spec ?? {};
    const causes = [...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(ds), ...validateSelectorImmutable(ds, old)];
    const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
    if (!['OnDelete', 'RollingUpdate'].includes(strategy)) causes.push(fieldErrors.notSupported('spec.updateStrategy.type', strategy, ['OnDelete', 'RollingUpdate']));
    return causes;
  },
});

export const statefulSetType = defineResourceType({
  kind: 'StatefulSet',
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  columns: statefulSetColumns,
  defaults(sts) {
    const spec = (sts.spec ??= {});
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    defaultPodTemplate(spec.template);
  },
  validateSpec(sts, old) {
    const spec = sts.spec ?? {};
    const causes = [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(sts)];
    const policy = spec.podManagementPolicy ?? 'OrderedReady';
    if (!['OrderedReady', 'Parallel'].includes(policy)) causes.push(fieldErrors.invalid('spec.podManagementPolicy', policy, 'must be \'OrderedReady\' or \'Parallel\''));
    if (old) {
      // Kubernetes allows only these StatefulSet spec fields to change.
      const mutable = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit'];
      const strip = (s: any) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)));
      if (!deepEqual(strip(spec), strip(old.spec))) {
        causes.push(
          fieldErrors.forbidden(
            'spec',
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        );
      }
    }
    return causes;
  },
});

export const controllerRevisionType = defineResourceType({
  kind: 'ControllerRevision',
  group: 'apps',
  version: 'v1',
  plural: 'controllerrevisions',
  namespaced: true,
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller of the object', (cr) => {
      const owner = (cr.metadata.ownerReferences ?? []).find((o) => o.controller);
      if (!owner) return '<none>';
      const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
      return `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
    }),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.', (cr) => (cr.revision as number) ?? 0),
    ageColumn,
  ],
  validateSpec(cr, old) {
    const causes = validateNonNegative(cr.revision, 'revision');
    if (old && !deepEqual(cr.data, old.data)) causes.push(fieldErrors.invalid('data', cr.data, 'field is immutable'));
    return causes;
  },
  specChanged: neverBumpsGeneration,
});
