import { applyJsonPatch } from '../../api/patch/json-patch.ts';
import { applyStrategicMergePatch } from '../../api/patch/strategic-merge-patch.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { resourceTypeForPlural } from '../../core/model/registry.ts';
import { apiVersionOf } from '../../core/model/resource-type.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import { uniformNodes } from '../../projections/engine/simulated-node.ts';
import type { Scenario, ScenarioAction, TimelineEntry } from './scenario.ts';

/** One line of a Kubernetes audit log (`audit.k8s.io/v1` Event), the fields the import reads. */
export interface AuditEvent {
  kind?: string;
  apiVersion?: string;
  level?: 'None' | 'Metadata' | 'Request' | 'RequestResponse';
  auditID?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  user?: { username?: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

export interface AuditImportOptions {
  name?: string;
  seed?: number;
  /** Replaces the cluster taken from the log's Node objects (or the default pool). */
  nodes?: SimulatedNodeSpec[];
  /** How long the scenario runs after the last write (ms); default 10 minutes. */
  tailMs?: number;
  /** Keep writes by controllers and kubelets too (default: skipped, our controllers re-derive them). */
  includeSystemWrites?: boolean;
}

export interface AuditImportResult {
  scenario: Scenario;
  /** Lines read, writes turned into timeline entries, and why the others were left out. */
  stats: { lines: number; imported: number; skipped: Record<string, number> };
  warnings: string[];
}

export class AuditLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditLogError';
  }
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);
const SYSTEM_USERS = new Set(['system:kube-scheduler', 'system:kube-controller-manager', 'system:apiserver', 'system:kube-proxy']);
/** Fields the apiserver sets, which a re-played write must leave to the simulated apiserver. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Controllers, kubelets and other control-plane components: the simulated cluster's own controllers do their work. */
export function isSystemActor(username: string | undefined): boolean {
  if (!username) return false;
  return username.startsWith('system:serviceaccount:kube-system:') || username.startsWith('system:node:') || SYSTEM_USERS.has(username);
}

/** Each line is one Event; a line may also hold an `EventList` (the webhook backend's batches). */
export function parseAuditLog(text: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: any;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new AuditLogError(`line ${i + 1}: not JSON: ${(error as Error).message}`);
    }
    const items: unknown[] = value?.kind === 'EventList' && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      const event = item as AuditEvent;
      if (event?.kind !== 'Event' || !String(event.apiVersion ?? '').startsWith('audit.k8s.io/')) {
        throw new AuditLogError(`line ${i + 1}: not an audit.k8s.io Event (kind ${JSON.stringify(event?.kind)}, apiVersion ${JSON.stringify(event?.apiVersion)})`);
      }
      events.push(event);
    }
  });
  return events;
}

function timeOf(event: AuditEvent): number {
  const text = event.requestReceivedTimestamp ?? event.stageTimestamp;
  const time = text ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw new AuditLogError(`audit event ${event.auditID ?? '?'}: no valid requestReceivedTimestamp`);
  return time;
}

function isObject(value: unknown): value is KubeObject {
  return !!value && typeof value === 'object' && !Array.isArray(value) && typeof (value as KubeObject).kind === 'string' && !!(value as KubeObject).metadata;
}

/** The object as a user would have written it: no server-set metadata, no status. */
function asManifest(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  for (const field of SERVER_METADATA) delete (copy.metadata as Record<string, unknown>)[field];
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    delete copy.metadata.annotations['deployment.kubernetes.io/revision'];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  delete copy.status;
  return copy;
}

function nodeSpec(node: KubeObject): SimulatedNodeSpec {
  const capacity = node.status?.allocatable ?? node.status?.capacity ?? {};
  const labels = { ...node.metadata.labels };
  const zone = labels['topology.kubernetes.io/zone'];
  for (const key of Object.keys(labels)) {
    if (key.startsWith('kubernetes.io/') || key.startsWith('beta.kubernetes.io/') || key === 'topology.kubernetes.io/zone') delete labels[key];
  }
  const taints = ((node.spec?.taints ?? []) as Array<{ key: string; effect: string }>).filter((t) => !t.key.startsWith('node.kubernetes.io/'));
  return {
    name: node.metadata.name!,
    ...(capacity.cpu ? { cpu: String(capacity.cpu) } : {}),
    ...(capacity.memory ? { memory: String(capacity.memory) } : {}),
    ...(capacity.pods ? { pods: Number(capacity.pods) } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(taints.length > 0 ? { taints: taints as SimulatedNodeSpec['taints'] } : {}),
    ...(zone ? { zone } : {}),
  };
}

const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

/**
 * Turns an audit log into a scenario: each successful create, update, patch or delete by a user
 * becomes a timeline entry at its time relative to the first write. Patches become the object
 * they produced (the response body at RequestResponse level, else the patch applied to the object
 * as last seen in the log). See docs/scenarios.md, "Importing an audit log", for what is left out.
 */
export function importAuditLog(text: string, options: AuditImportOptions = {}): AuditImportResult {
  const events = parseAuditLog(text);
  const skipped: Record<string, number> = {};
  const skip = (why: string) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const warnings: string[] = [];
  const known = new Map<string, KubeObject>();
  const nodes = new Map<string, SimulatedNodeSpec>();
  const writes: Array<{ time: number; action: ScenarioAction }> = [];

  // Pods a ReplicaSet created have names the simulation will not reproduce (random suffixes), so a
  // user's deletion of one becomes "delete the n-th pod of its Deployment", n by name order.
  const replicaSetOwner = new Map<string, string>();
  const podReplicaSet = new Map<string, string>();
  function noteOwnership(event: AuditEvent): void {
    if (event.verb === 'delete') {
      // A user's deletion is handled (and forgotten) by podDeletion.
      const ref = event.objectRef;
      if (ref?.resource === 'pods' && ref.name && !options.includeSystemWrites && isSystemActor(event.user?.username)) podReplicaSet.delete(`${ref.namespace ?? 'default'}/${ref.name}`);
      return;
    }
    const object = isObject(event.responseObject) ? event.responseObject : isObject(event.requestObject) ? event.requestObject : undefined;
    if (!object?.metadata.name) return;
    const namespace = object.metadata.namespace ?? event.objectRef?.namespace ?? 'default';
    const owner = object.metadata.ownerReferences?.find((o) => o.controller);
    if (object.kind === 'ReplicaSet' && owner?.kind === 'Deployment') replicaSetOwner.set(`${namespace}/${object.metadata.name}`, owner.name);
    if (object.kind === 'Pod' && owner?.kind === 'ReplicaSet') podReplicaSet.set(`${namespace}/${object.metadata.name}`, owner.name);
  }
  function podDeletion(kind: string, namespace: string | undefined, name: string): ScenarioAction | undefined {
    if (kind !== 'Pod' || known.has(key('Pod', namespace, name))) return undefined;
    const replicaSet = podReplicaSet.get(`${namespace}/${name}`);
    const deployment = replicaSet && replicaSetOwner.get(`${namespace}/${replicaSet}`);
    if (!deployment) {
      warnings.push(`pod ${namespace}/${name} was not created by a user in this log: its deletion is kept by name, which the simulation may not have`);
      return undefined;
    }
    const siblings = [...podReplicaSet]
      .filter(([podKey, rs]) => podKey.startsWith(`${namespace}/`) && replicaSetOwner.get(`${namespace}/${rs}`) === deployment)
      .map(([podKey]) => podKey)
      .sort();
    podReplicaSet.delete(`${namespace}/${name}`);
    return { action: 'delete-pod', deployment, namespace: namespace!, index: Math.max(0, siblings.indexOf(`${namespace}/${name}`)) };
  }

  const ordered = events.map((event, index) => ({ event, index })).sort((a, b) => timeOf(a.event) - timeOf(b.event) || a.index - b.index);
  for (const { event } of ordered) {
    // Nodes come from every Node object the log shows, whoever wrote it.
    for (const body of [event.responseObject, event.requestObject]) {
      if (isObject(body) && body.kind === 'Node' && body.metadata.name && event.verb !== 'delete') nodes.set(body.metadata.name, nodeSpec(body));
    }
    if (event.stage === 'ResponseComplete' && (event.responseStatus?.code ?? 200) < 400) noteOwnership(event);
    if (event.stage !== 'ResponseComplete') {
      skip(`stage ${event.stage ?? 'unknown'}`);
      continue;
    }
    const verb = event.verb ?? '';
    if (!WRITE_VERBS.has(verb)) {
      skip(verb === 'get' || verb === 'list' || verb === 'watch' ? 'reads' : `verb ${verb}`);
      continue;
    }
    if ((event.responseStatus?.code ?? 200) >= 400) {
      skip('failed requests');
      continue;
    }
    if (!options.includeSystemWrites && isSystemActor(event.user?.username)) {
      skip('writes by controllers and kubelets');
      continue;
    }
    const ref = event.objectRef;
    const type = ref?.resource ? resourceTypeForPlural(ref.apiGroup ?? '', ref.resource) : undefined;
    if (!ref || !type) {
      skip('resources Orrery does not serve');
      if (ref?.resource) warnings.push(`skipped ${verb} of ${ref.apiGroup ? `${ref.resource}.${ref.apiGroup}` : ref.resource}: not a resource Orrery serves`);
      continue;
    }
    if (type.kind === 'Node' && verb !== 'delete') {
      // The cluster's nodes are the scenario's; of a user's node writes, cordon and uncordon stay.
      const request = event.requestObject as KubeObject | undefined;
      const unschedulable = (event.responseObject as KubeObject | undefined)?.spec?.unschedulable ?? request?.spec?.unschedulable;
      const name = ref.name ?? (isObject(request) ? request.metadata.name : undefined);
      if (name && !ref.subresource && unschedulable !== undefined) {
        writes.push({ time: timeOf(event), action: { action: unschedulable ? 'cordon' : 'uncordon', node: name } });
      } else {
        skip('node writes (nodes are the scenario cluster)');
      }
      continue;
    }
    const namespace = type.namespaced ? (ref.namespace ?? 'default') : undefined;
    const body = event.requestObject;
    const response = isObject(event.responseObject) && event.responseObject.kind === type.kind ? event.responseObject : undefined;
    const name = ref.name ?? (isObject(body) ? body.metadata.name : undefined) ?? response?.metadata.name;
    if (!name) {
      skip('writes without an object name');
      continue;
    }
    const at = timeOf(event);
    const objectKey = key(type.kind, namespace, name);
    const subresource = ref.subresource;

    if (subresource === 'status') {
      skip('status writes');
      continue;
    }
    if (verb === 'delete') {
      if (subresource) {
        skip(`${subresource} subresource writes`);
        continue;
      }
      known.delete(objectKey);
      writes.push({ time: at, action: podDeletion(type.kind, namespace, name) ?? { action: 'delete', kind: type.kind, ...(namespace ? { namespace } : {}), name } });
      continue;
    }
    if (subresource === 'eviction' && type.kind === 'Pod' && verb === 'create') {
      writes.push({ time: at, action: podDeletion('Pod', namespace, name) ?? { action: 'delete', kind: 'Pod', namespace: namespace!, name } });
      continue;
    }
    if (subresource === 'scale') {
      const replicas = (body as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
      if (typeof replicas !== 'number') {
        skip(event.level === 'Metadata' ? 'writes logged without their body (Metadata level)' : 'scale writes without spec.replicas');
        continue;
      }
      if (type.kind === 'Deployment') {
        writes.push({ time: at, action: { action: 'scale', deployment: name, namespace: namespace!, replicas } });
        const current = known.get(objectKey);
        if (current) current.spec = { ...current.spec, replicas };
        continue;
      }
      const current = known.get(objectKey);
      if (!current) {
        skip('patches to objects the log never showed');
        warnings.push(`skipped scale of ${type.kind.toLowerCase()} ${namespace}/${name}: the log holds no earlier state of it`);
        continue;
      }
      current.spec = { ...current.spec, replicas };
      writes.push({ time: at, action: { action: 'apply', manifest: asManifest(current) } });
      continue;
    }
    if (subresource) {
      skip(`${subresource} subresource writes`);
      continue;
    }
    // `object` is the object as the apiserver held it after the write (what later patches apply to).
    let object: KubeObject | undefined;
    if (response) {
      object = structuredClone(response);
    } else if (body === undefined) {
      skip('writes logged without their body (Metadata level)');
      continue;
    } else if (verb === 'patch') {
      const current = known.get(objectKey);
      if (!current) {
        skip('patches to objects the log never showed');
        warnings.push(`skipped patch of ${type.kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name} at ${event.requestReceivedTimestamp}: the log holds no earlier state of it`);
        continue;
      }
      try {
        object = Array.isArray(body) ? applyJsonPatch(current, body) : applyStrategicMergePatch(current, body);
      } catch (error) {
        skip('patches that do not apply');
        warnings.push(`skipped patch of ${type.kind.toLowerCase()} ${name}: ${(error as Error).message}`);
        continue;
      }
    } else if (isObject(body)) {
      object = structuredClone(body);
    } else {
      skip('writes whose body is not an object');
      continue;
    }
    object.apiVersion ??= apiVersionOf(type);
    object.kind = type.kind;
    object.metadata.name = name;
    if (namespace) object.metadata.namespace = namespace;
    known.set(objectKey, object);
    writes.push({ time: at, action: { action: 'apply', manifest: asManifest(object) } });
  }

  const start = writes[0]?.time ?? 0;
  const timeline = writes.map((w) => ({ at: w.time - start, ...w.action }) as TimelineEntry);
  const last = timeline.at(-1)?.at ?? 0;
  const cluster = options.nodes ?? (nodes.size > 0 ? [...nodes.values()] : uniformNodes(3));
  if (!options.nodes && nodes.size === 0) warnings.push('the log shows no Node objects: using 3 default nodes (node-1…node-3, 4 CPU, 16Gi); pass --nodes to change');
  return {
    scenario: {
      ...(options.name ? { name: options.name } : {}),
      seed: options.seed ?? 1,
      cluster: { nodes: cluster },
      manifests: [],
      timeline,
      duration: last + (options.tailMs ?? 10 * 60_000),
    },
    stats: { lines: events.length, imported: timeline.length, skipped },
    warnings,
  };
}
