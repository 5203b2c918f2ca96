import { CLUSTER_STREAM, type OrreryEvent } from '../../core/events.ts';
import { apiErrors } from '../../core/errors.ts';
import { type KubeObject, type ObjectRef, streamOf } from '../../core/model/object.ts';
import { apiVersionOf } from '../../core/model/resource-type.ts';
import { createPrng, deterministicUuid, hashSeed } from '../../core/prng.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { containerUpdatesOf } from '../state/container-updates.ts';
import { getObject } from '../state/queries.ts';
import { jsonEqual } from './json-equal.ts';
import { type Plan, type WriteContext, asLogged, groupOf, requireType } from './write-context.ts';

/**
 * A status fact (binding, phase, container state, heartbeat, condition, eviction, clock) checked
 * against the current state: the object it is about must exist (404) and, when the fact names a
 * uid, be that very object (409), and the fact must make sense (binding a bound pod is 409, as
 * Kubernetes' binding subresource says).
 */
export function planRecord(context: WriteContext, event: OrreryEvent): Plan {
  const { state } = context;
  switch (event.type) {
    case 'ClusterInitialized':
      if (state.position > 0) throw apiErrors.conflict('clusters', 'cluster', 'the cluster is already initialized');
      return { stream: CLUSTER_STREAM, events: [event] };
    case 'ClockAdvanced':
      if (event.data.time < state.time) {
        throw apiErrors.badRequest(`virtual time cannot go backwards: ${new Date(state.time).toISOString()} → ${new Date(event.data.time).toISOString()}`);
      }
      return { stream: CLUSTER_STREAM, events: [event] };
    case 'ObjectCreated':
    case 'ObjectReplaced':
    case 'ObjectStatusReplaced':
    case 'ObjectDeletionRequested':
    case 'ObjectRemoved':
      throw apiErrors.badRequest(`${event.type} is written by create, update and delete commands, not recorded`);
    case 'NodeRegistered':
      return planNodeRegistered(context, event.data.node);
    case 'NodeHeartbeat': {
      if (event.data.nodes.length === 0) throw apiErrors.badRequest('a heartbeat names at least one node');
      const refs: ObjectRef[] = event.data.nodes.map((name) => ({ kind: 'Node', name }));
      for (const ref of refs) requireObject(context, ref);
      return { stream: CLUSTER_STREAM, events: [event], ...(refs.length === 1 ? { resultRef: refs[0]! } : {}) };
    }
    case 'NodeUnschedulableChanged':
    case 'NodeTaintsChanged': {
      // A change to what the node already carries is a no-op, as an update that changes nothing is
      // in Kubernetes: a controller acting on a stale view rewrites what is there (no event, no
      // resourceVersion).
      const ref: ObjectRef = { kind: 'Node', name: event.data.node };
      const node = requireObject(context, ref);
      const unchanged =
        event.type === 'NodeTaintsChanged' ? jsonEqual(node.spec?.taints ?? [], event.data.taints) : (node.spec?.unschedulable === true) === event.data.unschedulable;
      return unchanged ? { stream: streamOf(ref), events: [], object: node } : { stream: streamOf(ref), events: [event], resultRef: ref };
    }
    case 'NodeConditionChanged':
    case 'KubeletStopped':
    case 'KubeletStarted': {
      const ref: ObjectRef = { kind: 'Node', name: event.data.node };
      requireObject(context, ref);
      return { stream: streamOf(ref), events: [event], resultRef: ref };
    }
    case 'PodScheduled': {
      const pod = requireObject(context, event.data.ref);
      const name = event.data.ref.name;
      const group = undefined;
      if (pod.spec?.nodeName) {
        throw apiErrors.conflict('pods/binding', name, `pod ${name} is already assigned to node "${pod.spec.nodeName as string}"`, group);
      }
      if (pod.metadata.deletionTimestamp) {
        throw apiErrors.conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`, group);
      }
      return podFact(event, event.data.ref);
    }
    case 'PodUnschedulable': {
      const pod = requireObject(context, event.data.ref);
      if (pod.spec?.nodeName) {
        throw apiErrors.conflict('pods', event.data.ref.name, `pod ${event.data.ref.name} is already assigned to node "${pod.spec.nodeName as string}"`);
      }
      return podFact(event, event.data.ref);
    }
    case 'PodEvicted':
      requireObject(context, event.data.ref);
      return podFact(event, event.data.ref);
    case 'PodPhaseChanged':
    case 'ContainerStateChanged': {
      const pod = requireObject(context, event.data.ref);
      const updates = containerUpdatesOf(event);
      if (updates.length > 0) {
        const names = [...((pod.spec?.containers as Array<{ name: string }>) ?? []), ...((pod.spec?.initContainers as Array<{ name: string }>) ?? [])].map((c) => c.name);
        for (const { container } of updates) {
          if (!names.includes(container)) throw apiErrors.badRequest(`container ${container} is not valid for pod ${event.data.ref.name}`);
        }
      }
      return podFact(event, event.data.ref);
    }
    default:
      return assertNever(event);
  }
}

function assertNever(event: never): never {
  throw apiErrors.badRequest(`unknown event type ${(event as { type: string }).type}`);
}

function podFact(event: OrreryEvent, ref: ObjectRef): Plan {
  const target: ObjectRef = { kind: 'Pod', name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
  return { stream: streamOf(target), events: [event], resultRef: target };
}

/** The object a fact is about; 404 when missing, 409 when the fact names another incarnation's uid. */
function requireObject(context: WriteContext, ref: ObjectRef): KubeObject {
  const type = requireType(context, ref.kind);
  const object = getObject(context.state, type.kind, type.namespaced ? ref.namespace : undefined, ref.name);
  if (!object) throw apiErrors.notFound(type.plural, ref.name, groupOf(type));
  if (ref.uid && object.metadata.uid !== ref.uid) {
    throw apiErrors.conflict(type.plural, ref.name, `Precondition failed: UID in precondition: ${ref.uid}, UID in object meta: ${object.metadata.uid ?? ''}`, groupOf(type));
  }
  return object;
}

/** A kubelet registering its Node: the server fills in what it owns, as for any create. */
function planNodeRegistered(context: WriteContext, input: KubeObject): Plan {
  const type = requireType(context, 'Node');
  const node = asLogged(input);
  node.apiVersion ||= apiVersionOf(type);
  node.kind = 'Node';
  const metadata = (node.metadata ??= {});
  const name = metadata.name ?? '';
  const nextPosition = context.state.position + 1;
  delete metadata.namespace;
  delete metadata.resourceVersion;
  metadata.uid = deterministicUuid(createPrng(hashSeed(context.state.seed, 'uid', nextPosition)));
  metadata.creationTimestamp = toRfc3339(context.now());
  metadata.generation = 1;
  type.defaults(node);
  const causes = type.validate(node);
  if (causes.length > 0) throw apiErrors.invalid('Node', name, causes);
  if (getObject(context.state, 'Node', undefined, name)) throw apiErrors.alreadyExists(type.plural, name);
  const ref: ObjectRef = { kind: 'Node', name };
  return { stream: streamOf(ref), events: [{ type: 'NodeRegistered', data: { node: asLogged(node) } }], resultRef: ref };
}
