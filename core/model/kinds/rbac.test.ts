import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import { clusterRoleBindingType, clusterRoleType, roleBindingType, roleType } from './rbac.ts';

const messages = (causes: Array<{ field?: string; message: string }>) => causes.map((c) => `${c.field}: ${c.message}`);
const meta = (namespace?: string) => ({ name: 'x', ...(namespace ? { namespace } : {}) });

describe('RBAC validation (the apiserver\'s wording)', () => {
  it('a rule needs verbs, and api groups and resources unless it is about non-resource URLs, which a Role cannot be', () => {
    const role = (rules: unknown[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('default'), rules });
    expect(roleType.validate(role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]))).toEqual([]);
    expect(messages(roleType.validate(role([{ apiGroups: [''] }])))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
    ]);
    expect(messages(roleType.validate(role([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }])))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    ]);
    const clusterRole: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(), rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
    expect(clusterRoleType.validate(clusterRole)).toEqual([]);
  });

  it('a binding refers to a role kind it may bind, names known subject kinds, and never changes its roleRef', () => {
    const binding = (kind: string, roleKind: string, subjects: unknown[] = [{ kind: 'User', name: 'alice' }]): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: meta(kind === 'RoleBinding' ? 'default' : undefined),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: 'reader' },
      subjects,
    });
    expect(roleBindingType.validate(binding('RoleBinding', 'ClusterRole'))).toEqual([]);
    expect(messages(clusterRoleBindingType.validate(binding('ClusterRoleBinding', 'Role')))).toEqual(['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
    expect(messages(roleBindingType.validate(binding('RoleBinding', 'Role', [{ kind: 'Robot', name: 'r' }])))).toEqual([
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    const old = binding('RoleBinding', 'Role');
    const changed = { ...old, roleRef: { ...(old.roleRef as object), name: 'writer' } };
    expect(messages(roleBindingType.validate(changed, old))).toEqual([expect.stringMatching(/^roleRef: Invalid value: .*"writer".*: cannot change roleRef$/)]);
    expect(roleBindingType.validate({ ...old, subjects: [] }, old)).toEqual([]);
  });
});
