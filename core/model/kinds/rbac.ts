import type { StatusCause } from '../../errors.ts';
import { fieldErrors, fieldPath } from '../field-errors.ts';
import type { KubeObject } from '../object.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';

/**
 * RBAC objects (rbac.authorization.k8s.io/v1), stored and served so that real manifests and charts
 * (a ServiceAccount, its Role and RoleBinding) apply unchanged. Orrery does not enforce them: it
 * authorizes nothing beyond its bearer token (see reviews.ts). Validation is the apiserver's.
 */

const GROUP = 'rbac.authorization.k8s.io';

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function ruleCauses(object: KubeObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules = (object.rules ?? []) as PolicyRule[];
  rules.forEach((rule, i) => {
    const at = fieldPath('rules', i);
    if (!rule.verbs?.length) causes.push(fieldErrors.required(`${at}.verbs`, 'verbs must contain at least one value'));
    if (rule.nonResourceURLs?.length) {
      if (namespaced) causes.push(fieldErrors.invalid(`${at}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
        causes.push(fieldErrors.invalid(`${at}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!rule.apiGroups?.length) causes.push(fieldErrors.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!rule.resources?.length) causes.push(fieldErrors.required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return causes;
}

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

function bindingCauses(object: KubeObject, old: KubeObject | undefined, roleKinds: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const roleRef = (object.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
  if (roleRef.apiGroup !== GROUP) causes.push(fieldErrors.notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [GROUP]));
  if (!roleKinds.includes(roleRef.kind ?? '')) causes.push(fieldErrors.notSupported('roleRef.kind', roleRef.kind ?? '', roleKinds));
  if (!roleRef.name) causes.push(fieldErrors.required('roleRef.name', ''));
  if (old && JSON.stringify(old.roleRef) !== JSON.stringify(object.roleRef)) causes.push(fieldErrors.invalid('roleRef', object.roleRef, 'cannot change roleRef'));
  const subjects = (object.subjects ?? []) as Array<{ kind?: string; name?: string; namespace?: string }>;
  subjects.forEach((subject, i) => {
    const at = fieldPath('subjects', i);
    if (!subject.name) causes.push(fieldErrors.required(`${at}.name`, ''));
    if (!SUBJECT_KINDS.includes(subject.kind ?? '')) causes.push(fieldErrors.notSupported(`${at}.kind`, subject.kind ?? '', SUBJECT_KINDS));
  });
  return causes;
}

const createdAtColumn = column('Created At', 'date', 'Time at which the object was created.', (object) => object.metadata.creationTimestamp ?? '');
const roleColumn = column('Role', 'string', 'The role the binding grants.', (binding) => {
  const roleRef = (binding.roleRef ?? {}) as { kind?: string; name?: string };
  return `${roleRef.kind ?? ''}/${roleRef.name ?? ''}`;
});
const subjectsOf = (kind: string) => (binding: KubeObject) =>
  ((binding.subjects ?? []) as Array<{ kind?: string; name?: string; namespace?: string }>)
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : (s.name ?? '')))
    .join(', ');
const bindingColumns = [
  nameColumn,
  roleColumn,
  ageColumn,
  column('Users', 'string', 'Users in the binding.', subjectsOf('User'), 1),
  column('Groups', 'string', 'Groups in the binding.', subjectsOf('Group'), 1),
  column('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', subjectsOf('ServiceAccount'), 1),
];

export const roleType = defineResourceType({
  kind: 'Role',
  group: GROUP,
  version: 'v1',
  plural: 'roles',
  namespaced: true,
  columns: [nameColumn, createdAtColumn],
  validateSpec: (role) => ruleCauses(role, true),
  specChanged: neverBumpsGeneration,
});

export const clusterRoleType = defineResourceType({
  kind: 'ClusterRole',
  group: GROUP,
  version: 'v1',
  plural: 'clusterroles',
  namespaced: false,
  columns: [nameColumn, createdAtColumn],
  validateSpec: (role) => ruleCauses(role, false),
  specChanged: neverBumpsGeneration,
});

export const roleBindingType = defineResourceType({
  kind: 'RoleBinding',
  group: GROUP,
  version: 'v1',
  plural: 'rolebindings',
  namespaced: true,
  columns: bindingColumns,
  validateSpec: (binding, old) => bindingCauses(binding, old, ['Role', 'ClusterRole']),
  specChanged: neverBumpsGeneration,
});

export const clusterRoleBindingType = defineResourceType({
  kind: 'ClusterRoleBinding',
  group: GROUP,
  version: 'v1',
  plural: 'clusterrolebindings',
  namespaced: false,
  columns: bindingColumns,
  validateSpec: (binding, old) => bindingCauses(binding, old, ['ClusterRole']),
  specChanged: neverBumpsGeneration,
});
