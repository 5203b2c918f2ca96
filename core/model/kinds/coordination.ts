import type { StatusCause } from '../../errors.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';

export const leaseType = defineResourceType({
  kind: 'Lease',
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespaced: true,
  columns: [nameColumn, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.', (lease) => lease.spec?.holderIdentity ?? ''), ageColumn],
  validateSpec(lease) {
    const spec = lease.spec ?? {};
    const causes: StatusCause[] = [];
    if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) causes.push(fieldErrors.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) causes.push(fieldErrors.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
    return causes;
  },
  // Heartbeat renewals change spec.renewTime constantly; Leases carry no generation in Kubernetes.
  specChanged: neverBumpsGeneration,
});
