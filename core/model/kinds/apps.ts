import type { StatusCause } from '../../errors.ts';
import { deepEqual } from '../canonical-json.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { daemonSetColumns, deploymentColumns, replicaSetColumns, statefulSetColumns } from './workload-columns.ts';
import { defaultPodTemplate, immutableField, validateNonNegative, validateSelectorAndTemplate } from './workload-validation.ts';
import { fieldErrors } from '../field-errors.ts';
import { nameRules } from '../object-meta-validation.ts';

const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent: a non-negative integer or a `N%` string. */
function validateIntOrPercent(value: unknown, path: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return /^[0-9]+%$/.test(value) ? [] : [fieldErrors.invalid(path, value, PERCENT_MESSAGE)];
  if (typeof value === 'number') return validateNonNegative(value, path);
  return [fieldErrors.invalid(path, value, "must be an integer or percentage (e.g '5%')")];
}

/** getIntOrPercentValue: the raw number of an int or a percent, not scaled by replicas. */
function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]+%$/.test(value)) return Number(value.slice(0, -1));
  return 0;
}

function notMoreThan100Percent(value: unknown, path: string): StatusCause[] {
  return typeof value === 'string' && /^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) > 100 ? [fieldErrors.invalid(path, value, 'must not be greater than 100%')] : [];
}

/** ValidateRollingUpdateDeployment. */
function validateRollingUpdate(rollingUpdate: any, path: string): StatusCause[] {
  if (!rollingUpdate) return [fieldErrors.required(path, 'this should be defaulted and never be nil')];
  const causes = [...validateIntOrPercent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`), ...validateIntOrPercent(rollingUpdate.maxSurge, `${path}.maxSurge`)];
  if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
    causes.push(fieldErrors.invalid(`${path}.maxUnavailable`, rollingUpdate.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  causes.push(...notMoreThan100Percent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`));
  return causes;
}

/** ValidateRollingUpdateDaemonSet: exactly one of maxSurge and maxUnavailable is non-zero. */
function validateDaemonSetRollingUpdate(rollingUpdate: any, path: string): StatusCause[] {
  if (!rollingUpdate) return [fieldErrors.required(path)];
  const causes = [
    ...validateIntOrPercent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(rollingUpdate.maxSurge, `${path}.maxSurge`),
    ...notMoreThan100Percent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`),
    ...notMoreThan100Percent(rollingUpdate.maxSurge, `${path}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(rollingUpdate.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(rollingUpdate.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) causes.push(fieldErrors.invalid(`${path}.maxSurge`, rollingUpdate.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) causes.push(fieldErrors.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
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
    const causes = [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(deployment, { noun: 'deployment', kindName: 'ReplicaSet' })];
    const strategy = spec.strategy ?? {};
    if (strategy.type === 'Recreate') {
      if (strategy.rollingUpdate) causes.push(fieldErrors.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    } else if (strategy.type === 'RollingUpdate' || strategy.type === undefined) {
      causes.push(...validateRollingUpdate(strategy.rollingUpdate, 'spec.strategy.rollingUpdate'));
    } else {
      causes.push(fieldErrors.notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
    }
    causes.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
    causes.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
    if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
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
      ...validateSelectorAndTemplate(rs, { noun: 'deployment', kindName: 'ReplicaSet' }),
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
    const causes = [...validateSelectorAndTemplate(ds, { noun: 'daemonset', kindName: 'DaemonSet' }), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    const strategy = spec.updateStrategy ?? {};
    if (strategy.type === 'RollingUpdate') causes.push(...validateDaemonSetRollingUpdate(strategy.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
    else if (strategy.type !== 'OnDelete') causes.push(fieldErrors.notSupported('spec.updateStrategy', strategy, ['RollingUpdate', 'OnDelete']));
    causes.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
    causes.push(...validateSelectorImmutable(ds, old));
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
  // Pod names are <statefulset>-<ordinal> and double as hostnames, so the name must be a DNS label.
  nameRule: nameRules.dns1123Label,
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
    const causes: StatusCause[] = [];
    const policy = spec.podManagementPolicy;
    if (!policy) causes.push(fieldErrors.required('spec.podManagementPolicy'));
    else if (policy !== 'OrderedReady' && policy !== 'Parallel') causes.push(fieldErrors.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
    const strategy = spec.updateStrategy ?? {};
    if (!strategy.type) causes.push(fieldErrors.required('spec.updateStrategy'));
    else if (strategy.type === 'OnDelete') {
      if (strategy.rollingUpdate) causes.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
    } else if (strategy.type === 'RollingUpdate') {
      causes.push(...validateNonNegative(strategy.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      const maxUnavailable = strategy.rollingUpdate?.maxUnavailable;
      if (maxUnavailable !== undefined && maxUnavailable !== null) {
        causes.push(...validateIntOrPercent(maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        if (intOrPercentValue(maxUnavailable) === 0) causes.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', maxUnavailable, 'cannot be 0'));
        causes.push(...notMoreThan100Percent(maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      }
    } else {
      causes.push(fieldErrors.invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
    }
    for (const when of ['whenDeleted', 'whenScaled']) {
      const value = spec.persistentVolumeClaimRetentionPolicy?.[when];
      if (value !== undefined && value !== 'Retain' && value !== 'Delete') causes.push(fieldErrors.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${when}`, value, ['Retain', 'Delete']));
    }
    causes.push(...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
    if (spec.ordinals) causes.push(...validateNonNegative(spec.ordinals.start, 'spec.ordinals.start'));
    causes.push(...validateSelectorAndTemplate(sts, { noun: 'statefulset', kindName: 'StatefulSet', validatePodSpec: false }));
    if (old) {
      // ValidateStatefulSetUpdate: only these spec fields may change.
      const mutable = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals'];
      const strip = (s: any) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)));
      if (!deepEqual(strip(spec), strip(old.spec))) {
        causes.push(
          fieldErrors.forbidden(
            'spec',
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
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
    if (cr.data === undefined || cr.data === null) causes.push(fieldErrors.required('data', 'data is mandatory'));
    if (old && !deepEqual(cr.data, old.data)) causes.push(fieldErrors.invalid('data', cr.data, 'field is immutable'));
    return causes;
  },
  specChanged: neverBumpsGeneration,
});
