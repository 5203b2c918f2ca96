import type { StatusCause } from '../../errors.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { nameRules } from '../object-meta-validation.ts';
import { fieldErrors } from '../field-errors.ts';

export const namespaceType = defineResourceType({
  kind: 'Namespace',
  group: '',
  version: 'v1',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'finalize'],
  nameRule: nameRules.dns1123Label,
  columns: [nameColumn, column('Status', 'string', 'The status of the namespace', (ns) => ns.status?.phase ?? ''), ageColumn],
  defaults(namespace) {
    namespace.spec ??= {};
    namespace.spec.finalizers ??= ['kubernetes'];
    namespace.status ??= {};
    namespace.status.phase ??= 'Active';
    // The NamespaceDefaultLabelName feature: every namespace carries its own name as a label.
    if (namespace.metadata.name) namespace.metadata.labels = { ...namespace.metadata.labels, 'kubernetes.io/metadata.name': namespace.metadata.name };
  },
  validateSpec(namespace) {
    const causes: StatusCause[] = [];
    for (const [i, finalizer] of ((namespace.spec?.finalizers ?? []) as string[]).entries()) {
      if (typeof finalizer !== 'string' || finalizer === '') causes.push(fieldErrors.required(`spec.finalizers[${i}]`));
    }
    const phase = namespace.status?.phase;
    if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') causes.push(fieldErrors.notSupported('status.phase', phase, ['Active', 'Terminating']));
    return causes;
  },
  specChanged: neverBumpsGeneration,
});
