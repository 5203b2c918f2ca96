import { applyPatchDocument } from '../../api/server/resources/patch-appliers.ts';
import type { PatchMediaType } from '../../api/server/request-body.ts';
import { withSpecReplicas } from '../../api/server/subresources/scale.ts';
import type { Taint } from '../../core/events.ts';
import { customResourceType } from '../../core/model/custom-resources/custom-resource-type.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { allResourceTypes, resourceTypeForPlural } from '../../core/model/registry.ts';
import { type ResourceType, apiVersionOf } from '../../core/model/resource-type.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import { uniformNodes } from '../../projections/engine/simulated-node.ts';
import type { Scenario, ScenarioAction, TimelineEntry } from './scenario.ts';
import { clonePlain } from '../../projections/write-path/clone-json.ts';

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
  /**
   * Lines read, writes turned into timeline entries (a node write can be several: cordon and
   * taints), and why the others were left out: every line is one or the other.
   */
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
  const copy = clonePlain(object);
  for (const field of SERVER_METADATA) delete (copy.metadata as Record<string, unknown>)[field];
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    delete copy.metadata.annotations['deployment.kubernetes.io/revision'];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  delete copy.status;
  return copy;
}

/** Taints the simulated node lifecycle controller and kubelets keep themselves (not-ready, unreachable, pressure…). */
function isSystemTaint(taint: Taint): boolean {
  return taint.key.startsWith('node.kubernetes.io/');
}

function taintsOf(node: KubeObject | undefined): Taint[] {
  return ((node?.spec?.taints ?? []) as Taint[]).filter((taint) => !isSystemTaint(taint));
}

/** The node as a scenario cluster node; `taints` replaces the node's own (its taints before a user changed them). */
function nodeSpec(node: KubeObject, taints: Taint[] = taintsOf(node)): SimulatedNodeSpec {
  const capacity = node.status?.allocatable ?? node.status?.capacity ?? {};
  const labels = { ...node.metadata.labels };
  const zone = labels['topology.kubernetes.io/zone'];
  for (const key of Object.keys(labels)) {
    if (key.startsWith('kubernetes.io/') || key.startsWith('beta.kubernetes.io/') || key === 'topology.kubernetes.io/zone') delete labels[key];
  }
  return {
    name: node.metadata.name!,
    ...(capacity.cpu ? { cpu: String(capacity.cpu) } : {}),
    ...(capacity.memory ? { memory: String(capacity.memory) } : {}),
    ...(capacity.pods ? { pods: Number(capacity.pods) } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(taints.length > 0 ? { taints } : {}),
    ...(zone ? { zone } : {}),
  };
}

/**
 * Whether a node write sets `spec.<field>`: a JSON patch operation on it, a patch body that names
 * it (null included: kubectl's patch for "no more taints" is `{"spec":{"taints":null}}`), or an
 * update (a whole object: a field it lacks is removed).
 */
function writesSpecField(event: AuditEvent, field: string): boolean {
  const body = event.requestObject;
  if (Array.isArray(body)) return body.some((op) => typeof op?.path === 'string' && (op.path === '/spec' || op.path === `/spec/${field}` || op.path.startsWith(`/spec/${field}/`)));
  if (event.verb === 'update') return isObject(body) || isObject(event.responseObject);
  const spec = (body as { spec?: unknown } | undefined)?.spec;
  return spec === null || (!!spec && typeof spec === 'object' && field in spec);
}

/** `kubectl taint` as timeline actions: untaint (key and effect) for each taint gone, taint for each added or with a new value. */
function taintChanges(node: string, before: Taint[], after: Taint[]): ScenarioAction[] {
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const removed = before.filter((taint) => !after.some((t) => same(t, taint)));
  const added = after.filter((taint) => !before.some((t) => same(t, taint) && (t.value ?? '') === (taint.value ?? '')));
  return [
    ...removed.map((t): ScenarioAction => ({ action: 'untaint', node, key: t.key, effect: t.effect })),
    ...added.map((t): ScenarioAction => ({ action: 'taint', node, key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
  ];
}

/** The patch type kubectl sends, which the audit event does not record (docs/scenarios.md). */
function patchMediaType(type: ResourceType, body: unknown): PatchMediaType {
  if (Array.isArray(body)) return 'application/json-patch+json';
  // Custom resources take no strategic merge patch (415): kubectl patches and applies them with JSON merge patches.
  return type.definedBy ? 'application/merge-patch+json' : 'application/strategic-merge-patch+json';
}

/**
 * Groups whose kinds are Kubernetes' own, not a CustomResourceDefinition's: those Orrery serves,
 * the others kube-apiserver serves, and the aggregated metrics APIs. (A definition's group has a
 * dot, so core, apps, batch… are never custom.)
 */
const BUILT_IN_GROUPS = new Set([
  ...allResourceTypes().map((type) => type.group),
  'admissionregistration.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'internal.apiserver.k8s.io',
  'node.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io', 'custom.metrics.k8s.io', 'external.metrics.k8s.io',
]);
const mayBeCustom = (group: string) => group.includes('.') && !BUILT_IN_GROUPS.has(group);

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
  // One warning per resource and reason, however many of its writes were left out.
  const unservedWarnings = new Map<string, { index: number; verbs: string[] }>();
  function warnUnserved(resource: string, verb: string, why: string): void {
    const seen = unservedWarnings.get(`${resource} ${why}`);
    if (!seen) {
      unservedWarnings.set(`${resource} ${why}`, { index: warnings.length, verbs: [verb] });
      warnings.push(`skipped ${verb} of ${resource}: ${why}`);
      return;
    }
    seen.verbs.push(verb);
    warnings[seen.index] = `skipped ${seen.verbs.length} writes (${[...new Set(seen.verbs)].join(', ')}) of ${resource}: ${why}`;
  }
  const known = new Map<string, KubeObject>();
  const writes: Array<{ time: number; action: ScenarioAction }> = [];
  let imported = 0;

  // Custom kinds: the kind each CustomResourceDefinition on the timeline adds, by definition name
  // (`<plural>.<group>`), from its apply until its delete, as the simulated apiserver will serve them.
  const customKinds = new Map<string, ResourceType>();
  const deletedDefinitions = new Set<string>();
  const isDefinition = (ref: AuditEvent['objectRef']) => ref?.resource === 'customresourcedefinitions' && ref.apiGroup === 'apiextensions.k8s.io';
  const definitionsInLog = new Set(
    events.filter((e) => isDefinition(e.objectRef)).map((e) => e.objectRef?.name ?? (isObject(e.requestObject) ? e.requestObject.metadata.name : undefined)),
  );
  function noteDefinition(verb: string, name: string, object: KubeObject | undefined): void {
    const previous = customKinds.get(name);
    customKinds.delete(name);
    if (verb === 'delete') {
      // Its objects go with it (the apiserver's finalizer deletes them, as the simulated one will).
      if (previous) for (const objectKey of known.keys()) if (objectKey.startsWith(`${previous.kind}/`)) known.delete(objectKey);
      deletedDefinitions.add(name);
      return;
    }
    deletedDefinitions.delete(name);
    const type = object && customResourceType(object);
    if (type) customKinds.set(name, type);
  }
  function withoutDefinition(resource: string): string {
    if (deletedDefinitions.has(resource)) return `its CustomResourceDefinition ${resource} was deleted before`;
    if (definitionsInLog.has(resource)) return `no CustomResourceDefinition for ${resource} on the timeline before it (the log's writes of it come later or were left out)`;
    return `no CustomResourceDefinition for ${resource} in the log`;
  }

  // Each Node as the log last showed it, whoever wrote it: the scenario's cluster, and what a user's
  // node write changed. A user's taint changes are timeline actions, so a node they touch starts
  // with the taints it had before the first of them.
  const nodeObjects = new Map<string, KubeObject>();
  const initialTaints = new Map<string, Taint[]>();
  function observeNode(event: AuditEvent): { name: string; before?: KubeObject; after?: KubeObject } | undefined {
    const ref = event.objectRef;
    // What the request did is known once it completed (a RequestReceived line carries the same body, not yet applied).
    if (ref?.resource !== 'nodes' || ref.apiGroup || event.stage !== 'ResponseComplete' || (event.responseStatus?.code ?? 200) >= 400) return undefined;
    const full = [event.responseObject, event.requestObject].find((body): body is KubeObject => isObject(body) && body.kind === 'Node');
    const name = ref.name ?? full?.metadata.name;
    if (!name) return undefined;
    const before = nodeObjects.get(name);
    if (event.verb === 'delete') return { name, ...(before ? { before } : {}) };
    let after = full ? clonePlain(full) : undefined;
    const body = event.requestObject;
    if (!after && event.verb === 'patch' && !ref.subresource && body !== undefined) {
      try {
        after = applyPatchDocument(Array.isArray(body) ? 'application/json-patch+json' : 'application/strategic-merge-patch+json', before ?? { apiVersion: 'v1', kind: 'Node', metadata: { name } }, body);
      } catch {
        after = undefined;
      }
    }
    // A patch to a node the log never showed tells what it changed, not the node.
    if (after && (before || full)) nodeObjects.set(name, after);
    return { name, ...(before ? { before } : {}), ...(after ? { after } : {}) };
  }
  /** A user's node write as cordon / uncordon and taint / untaint, from what it changed. */
  function nodeActions(event: AuditEvent, change: { name: string; before?: KubeObject; after?: KubeObject }): ScenarioAction[] {
    const { name, before, after } = change;
    if (!after) return [];
    const actions: ScenarioAction[] = [];
    const unschedulable = !!after.spec?.unschedulable;
    if (writesSpecField(event, 'unschedulable') && (!before || !!before.spec?.unschedulable !== unschedulable)) actions.push({ action: unschedulable ? 'cordon' : 'uncordon', node: name });
    if (writesSpecField(event, 'taints')) {
      const taints = taintChanges(name, taintsOf(before), taintsOf(after));
      if (taints.length > 0 && !initialTaints.has(name)) initialTaints.set(name, taintsOf(before));
      actions.push(...taints);
    }
    return actions;
  }

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
    const nodeChange = observeNode(event);
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
    const group = ref?.apiGroup ?? '';
    const type = ref?.resource ? (resourceTypeForPlural(group, ref.resource) ?? customKinds.get(`${ref.resource}.${group}`)) : undefined;
    if (!ref || !type) {
      const resource = ref?.resource && (group ? `${ref.resource}.${group}` : ref.resource);
      if (resource && mayBeCustom(group)) {
        skip('custom resources without their CustomResourceDefinition');
        warnUnserved(resource, verb, withoutDefinition(resource));
      } else {
        skip('resources Orrery does not serve');
        if (resource) warnUnserved(resource, verb, 'not a resource Orrery serves');
      }
      continue;
    }
    const at = timeOf(event);
    if (type.kind === 'Node' && verb !== 'delete') {
      // The cluster's nodes are the scenario's; of a user's node writes, cordons and taints stay.
      const actions = nodeChange && !ref.subresource && (verb === 'update' || verb === 'patch') ? nodeActions(event, nodeChange) : [];
      if (actions.length > 0) {
        imported++;
        for (const action of actions) writes.push({ time: at, action });
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
    const objectKey = key(type.kind, namespace, name);
    const subresource = ref.subresource;
    const write = (action: ScenarioAction) => {
      imported++;
      writes.push({ time: at, action });
    };

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
      if (type.kind === 'CustomResourceDefinition') noteDefinition(verb, name, undefined);
      write(podDeletion(type.kind, namespace, name) ?? { action: 'delete', kind: type.kind, ...(namespace ? { namespace } : {}), name });
      continue;
    }
    if (subresource === 'eviction' && type.kind === 'Pod' && verb === 'create') {
      write(podDeletion('Pod', namespace, name) ?? { action: 'delete', kind: 'Pod', namespace: namespace!, name });
      continue;
    }
    if (subresource === 'scale') {
      const replicas = (body as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
      if (typeof replicas !== 'number') {
        skip(event.level === 'Metadata' ? 'writes logged without their body (Metadata level)' : 'scale writes without spec.replicas');
        continue;
      }
      const current = known.get(objectKey);
      if (type.kind === 'Deployment') {
        write({ action: 'scale', deployment: name, namespace: namespace!, replicas });
        if (current) known.set(objectKey, withSpecReplicas(current, replicas));
        continue;
      }
      if (!current) {
        skip('patches to objects the log never showed');
        warnings.push(`skipped scale of ${type.kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name}: the log holds no earlier state of it`);
        continue;
      }
      const scaled = withSpecReplicas(current, replicas, type.scalePaths);
      known.set(objectKey, scaled);
      write({ action: 'apply', manifest: asManifest(scaled) });
      continue;
    }
    if (subresource) {
      skip(`${subresource} subresource writes`);
      continue;
    }
    // `object` is the object as the apiserver held it after the write (what later patches apply to).
    let object: KubeObject | undefined;
    if (response) {
      object = clonePlain(response);
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
        object = applyPatchDocument(patchMediaType(type, body), current, body);
      } catch (error) {
        skip('patches that do not apply');
        warnings.push(`skipped patch of ${type.kind.toLowerCase()} ${name}: ${(error as Error).message}`);
        continue;
      }
    } else if (isObject(body)) {
      object = clonePlain(body);
    } else {
      skip('writes whose body is not an object');
      continue;
    }
    object.apiVersion ??= apiVersionOf(type);
    object.kind = type.kind;
    object.metadata.name = name;
    if (namespace) object.metadata.namespace = namespace;
    known.set(objectKey, object);
    if (type.kind === 'CustomResourceDefinition') noteDefinition(verb, name, object);
    write({ action: 'apply', manifest: asManifest(object) });
  }

  const start = writes[0]?.time ?? 0;
  const timeline = writes.map((w) => ({ at: w.time - start, ...w.action }) as TimelineEntry);
  const last = timeline.at(-1)?.at ?? 0;
  const logged = [...nodeObjects.values()].map((node) => nodeSpec(node, initialTaints.get(node.metadata.name!)));
  const cluster = options.nodes ?? (logged.length > 0 ? logged : uniformNodes(3));
  if (!options.nodes && logged.length === 0) warnings.push('the log shows no Node objects: using 3 default nodes (node-1…node-3, 4 CPU, 16Gi); pass --nodes to change');
  return {
    scenario: {
      ...(options.name ? { name: options.name } : {}),
      seed: options.seed ?? 1,
      cluster: { nodes: cluster },
      manifests: [],
      timeline,
      duration: last + (options.tailMs ?? 10 * 60_000),
    },
    stats: { lines: events.length, imported, skipped },
    warnings,
  };
}
