import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { fieldErrors } from '../field-errors.ts';
import { isQualifiedName, isValidLabelValue } from '../names.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';

/** kubectl's STATUS for nodes: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const status: string[] = [];
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length) roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return [...roles].sort();
}

const addressOf = (node: KubeObject, type: string) => (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';
const orUnknown = (text: string | undefined) => text || '<unknown>';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Kubernetes' validateNodeTaints: key and value syntax, a known effect, unique (key, effect) pairs. */
export function validateTaints(taints: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (taints === undefined || taints === null) return causes;
  if (!Array.isArray(taints)) return [fieldErrors.invalid(path, taints, 'must be a list of taints')];
  const seen = new Set<string>();
  for (const [i, taint] of (taints as any[]).entries()) {
    const at = `${path}[${i}]`;
    for (const message of isQualifiedName(String(taint.key ?? ''))) causes.push(fieldErrors.invalid(`${at}.key`, taint.key ?? '', message));
    const valueErrors = isValidLabelValue(String(taint.value ?? ''));
    if (valueErrors.length) causes.push(fieldErrors.invalid(`${at}.value`, taint.value, valueErrors.join(';')));
    if (!taint.effect) causes.push(fieldErrors.required(`${at}.effect`));
    else if (!TAINT_EFFECTS.includes(taint.effect)) causes.push(fieldErrors.notSupported(`${at}.effect`, taint.effect, TAINT_EFFECTS));
    const key = `${taint.effect}\u0000${taint.key}`;
    if (seen.has(key)) causes.push({ ...fieldErrors.duplicate(at, taint), message: `${fieldErrors.duplicate(at, taint).message}: taints must be unique by key and effect pair` });
    seen.add(key);
  }
  return causes;
}

export const nodeType = defineResourceType({
  kind: 'Node',
  group: '',
  version: 'v1',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  subresources: ['status', 'proxy'],
  columns: [
    nameColumn,
    column('Status', 'string', 'The status of the node', nodeStatus),
    column('Roles', 'string', 'The roles of the node', (node) => nodeRoles(node).join(',') || '<none>'),
    ageColumn,
    column('Version', 'string', 'Kubelet Version reported by the node.', (node) => node.status?.nodeInfo?.kubeletVersion ?? ''),
    column('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', (node) => addressOf(node, 'InternalIP'), 1),
    column('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', (node) => addressOf(node, 'ExternalIP'), 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', (node) => orUnknown(node.status?.nodeInfo?.osImage), 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", (node) => orUnknown(node.status?.nodeInfo?.kernelVersion), 1),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', (node) => orUnknown(node.status?.nodeInfo?.containerRuntimeVersion), 1),
  ],
  specChanged: neverBumpsGeneration,
  validateSpec: (node) => validateTaints(node.spec?.taints, 'spec.taints'),
  defaults(node) {
    node.spec ??= {};
    node.status ??= {};
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    if (node.status.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
  },
});
