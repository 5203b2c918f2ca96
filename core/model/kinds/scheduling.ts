import type { StatusCause } from '../../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { KubeObject } from '../object.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';

/** The classes every cluster has (the apiserver creates them at start), with their values. */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyMap<string, number> = new Map([
  ['system-node-critical', 2_000_001_000],
  ['system-cluster-critical', 2_000_000_000],
]);

/** HighestUserDefinablePriority: larger values are kept for the system classes. */
const HIGHEST_USER_PRIORITY = 1_000_000_000;
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

function validatePriorityClass(pc: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = pc.metadata.name ?? '';
  if (typeof pc.value !== 'number' || !Number.isInteger(pc.value)) causes.push(fieldErrors.required('value', ''));
  else if (SYSTEM_PRIORITY_CLASSES.has(name)) {
    if (pc.value !== SYSTEM_PRIORITY_CLASSES.get(name)) causes.push(fieldErrors.forbidden('metadata.name', `${name} is a system priority class; its value is ${SYSTEM_PRIORITY_CLASSES.get(name)}`));
  } else if (name.startsWith('system-')) causes.push(fieldErrors.forbidden('metadata.name', 'priority class names with \'system-\' prefix are reserved'));
  else if (pc.value > HIGHEST_USER_PRIORITY) causes.push(fieldErrors.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy as string)) causes.push(fieldErrors.notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION_POLICIES));
  if (old && old.value !== pc.value) causes.push(fieldErrors.forbidden('value', 'may not be changed in an update.'));
  if (old && old.preemptionPolicy !== pc.preemptionPolicy) causes.push(fieldErrors.invalid('preemptionPolicy', pc.preemptionPolicy, 'field is immutable'));
  return causes;
}

/** scheduling.k8s.io/v1 PriorityClass: what a pod's `priorityClassName` resolves to at admission. */
export const priorityClassType = defineResourceType({
  kind: 'PriorityClass',
  group: 'scheduling.k8s.io',
  version: 'v1',
  plural: 'priorityclasses',
  shortNames: ['pc'],
  namespaced: false,
  columns: [
    nameColumn,
    column('Value', 'integer', 'value represents the integer value of this priority class.', (pc) => (typeof pc.value === 'number' ? pc.value : 0)),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority.', (pc) => pc.globalDefault === true),
    ageColumn,
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.', (pc) => (pc.preemptionPolicy as string | undefined) ?? 'PreemptLowerPriority'),
  ],
  defaults(pc) {
    pc.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validateSpec: validatePriorityClass,
  specChanged: neverBumpsGeneration,
});
