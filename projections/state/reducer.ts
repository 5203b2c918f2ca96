import type { ContainerState, NodeCondition, StoredEvent } from '../../core/events.ts';
import { type KubeObject, type ObjectRef, objectKey } from '../../core/model/object.ts';
import { createPrng, deterministicUuid, hashSeed } from '../../core/prng.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../cluster-state.ts';
import { indexObject, unindexObject } from './indexes.ts';
import {
  type ContainerStatus,
  type PodCondition,
  containerIdOf,
  imageIdOf,
  kubeletConditions,
  normalizeImage,
  withCondition,
  withKubeletConditions,
} from './pod-status.ts';

/**
 * The cluster-state projection. `applyEvent` updates the state in place and returns it (see
 * docs/architecture.md, "State"). Objects held in the state are never mutated: every change puts a
 * new object (sharing unchanged parts) in its place, so an object handed out earlier, or carried by
 * an event, stays as it was. Readers must not mutate them either.
 */

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_SECONDS = 40;

export function createClusterState(): ClusterState {
  return {
    position: 0,
    time: 0,
    seed: 0,
    mode: 'simulation',
    objects: new Map(),
    podsByNode: new Map(),
    byOwner: new Map(),
    byLabel: new Map(),
    heartbeats: new Map(),
  };
}

export function rebuildState(events: Iterable<StoredEvent>, state: ClusterState = createClusterState()): ClusterState {
  for (const event of events) applyEvent(state, event);
  return state;
}

export async function rebuildStateAsync(events: AsyncIterable<StoredEvent>, state: ClusterState = createClusterState()): Promise<ClusterState> {
  for await (const event of events) applyEvent(state, event);
  return state;
}

export function applyEvent(state: ClusterState, event: StoredEvent): ClusterState {
  const position = event.position;
  state.position = position;
  if (event.metadata.time > state.time) state.time = event.metadata.time;
  switch (event.type) {
    case 'ClusterInitialized':
      state.seed = event.data.seed;
      state.mode = event.data.mode;
      if (event.data.startTime > state.time) state.time = event.data.startTime;
      break;
    case 'ClockAdvanced':
      if (event.data.time > state.time) state.time = event.data.time;
      break;
    case 'ObjectCreated':
    case 'ObjectReplaced':
      putObject(state, withResourceVersion(event.data.object, position));
      break;
    case 'ObjectStatusReplaced':
      updateObject(state, event.data.ref, position, (object) => ({ ...object, status: event.data.status }));
      break;
    case 'ObjectDeletionRequested': {
      const { deletionTimestamp, gracePeriodSeconds, propagationPolicy } = event.data;
      updateObject(state, event.data.ref, position, (object, metadata) => {
        metadata.deletionTimestamp = deletionTimestamp;
        metadata.deletionGracePeriodSeconds = gracePeriodSeconds;
        const finalizer = propagationPolicy === 'Foreground' ? 'foregroundDeletion' : propagationPolicy === 'Orphan' ? 'orphan' : undefined;
        if (finalizer && !metadata.finalizers?.includes(finalizer)) metadata.finalizers = [...(metadata.finalizers ?? []), finalizer];
        if (object.kind === 'Namespace') return { ...object, status: { ...object.status, phase: 'Terminating' } };
        return object;
      });
      break;
    }
    case 'ObjectRemoved':
      removeObject(state, event.data.ref);
      break;
    case 'NodeRegistered':
      registerNode(state, event.data.node, position, event.metadata.time);
      break;
    case 'NodeHeartbeat':
      state.heartbeats.set(event.data.node, event.metadata.time);
      renewLease(state, event.data.node, position, event.metadata.time);
      break;
    case 'NodeConditionChanged': {
      const time = toRfc3339(event.metadata.time);
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node) => ({
        ...node,
        status: { ...node.status, conditions: withNodeCondition(node.status?.conditions, event.data.condition, time) },
      }));
      break;
    }
    case 'NodeUnschedulableChanged':
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node) => {
        const spec = { ...node.spec };
        if (event.data.unschedulable) spec.unschedulable = true;
        else delete spec.unschedulable;
        return { ...node, spec };
      });
      break;
    case 'NodeTaintsChanged':
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node) => {
        const spec = { ...node.spec };
        if (event.data.taints.length) spec.taints = event.data.taints;
        else delete spec.taints;
        return { ...node, spec };
      });
      break;
    case 'PodScheduled': {
      const time = toRfc3339(event.metadata.time);
      // The index follows spec.nodeName, so the pod goes through put (unindex old, index new).
      const pod = getByRef(state, event.data.ref);
      if (!pod) break;
      putObject(state, {
        ...pod,
        metadata: { ...pod.metadata, resourceVersion: String(position) },
        spec: { ...pod.spec, nodeName: event.data.nodeName },
        status: { ...pod.status, conditions: withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, time) },
      });
      break;
    }
    case 'PodUnschedulable': {
      const time = toRfc3339(event.metadata.time);
      const message = event.data.decision.message;
      updateObject(state, event.data.ref, position, (pod) => ({
        ...pod,
        status: {
          ...pod.status,
          conditions: withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', ...(message ? { message } : {}) }, time),
        },
      }));
      break;
    }
    case 'PodPhaseChanged': {
      const time = toRfc3339(event.metadata.time);
      const { phase, reason, message, podIP, hostIP } = event.data;
      updateObject(state, event.data.ref, position, (pod) => {
        const status = { ...pod.status, phase };
        if (reason) status.reason = reason;
        else delete status.reason;
        if (message) status.message = message;
        else delete status.message;
        if (hostIP) {
          status.hostIP = hostIP;
          status.hostIPs = [{ ip: hostIP }];
        }
        if (podIP) {
          status.podIP = podIP;
          status.podIPs = [{ ip: podIP }];
        }
        if (!status.startTime) status.startTime = time;
        if (status.containerStatuses || phase === 'Succeeded' || phase === 'Failed') {
          status.conditions = withKubeletConditions(status.conditions, kubeletConditions(pod.spec ?? {}, phase, status.containerStatuses, status.initContainerStatuses), time);
        }
        return { ...pod, status };
      });
      break;
    }
    case 'ContainerStateChanged': {
      const time = toRfc3339(event.metadata.time);
      const data = event.data;
      updateObject(state, data.ref, position, (pod) => {
        const spec = pod.spec ?? {};
        const isInit = (spec.initContainers as Array<{ name: string }> | undefined)?.some((c) => c.name === data.container) ?? false;
        const specs = (isInit ? spec.initContainers : spec.containers) as Array<{ name: string; image?: string }> | undefined;
        const containerSpec = specs?.find((c) => c.name === data.container);
        const field = isInit ? 'initContainerStatuses' : 'containerStatuses';
        const entry = containerStatus(pod.metadata.uid ?? '', data.container, containerSpec?.image ?? '', data.state, data.lastState, data.ready, data.started, data.restartCount);
        const statuses = upsertInSpecOrder(pod.status?.[field] as ContainerStatus[] | undefined, entry, specs);
        const status = { ...pod.status, [field]: statuses };
        status.conditions = withKubeletConditions(status.conditions, kubeletConditions(spec, status.phase, status.containerStatuses, status.initContainerStatuses), time);
        return { ...pod, status };
      });
      break;
    }
    case 'PodEvicted': {
      const time = toRfc3339(event.metadata.time);
      updateObject(state, event.data.ref, position, (pod) => ({
        ...pod,
        status: {
          ...pod.status,
          conditions: withCondition(pod.status?.conditions, { type: 'DisruptionTarget', status: 'True', reason: event.data.reason, message: event.data.message }, time),
        },
      }));
      break;
    }
    case 'KubeletStopped':
    case 'KubeletStarted':
      // Facts about the simulated machinery: the node's status changes only through the
      // condition and heartbeat events that follow (or stop following) from them.
      break;
    default:
      assertNever(event);
  }
  return state;
}

function assertNever(event: never): void {
  throw new Error(`unknown event type ${(event as { type: string }).type}`);
}

function withResourceVersion(object: KubeObject, position: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(position) } };
}

function keyOfRef(ref: Pick<ObjectRef, 'namespace' | 'name'>): string {
  return objectKey(ref.namespace, ref.name);
}

function getByRef(state: ClusterState, ref: ObjectRef): KubeObject | undefined {
  return state.objects.get(ref.kind)?.get(keyOfRef(ref));
}

/** Stores an object (replacing any previous one with the same key) and keeps the indexes right. */
function putObject(state: ClusterState, object: KubeObject): void {
  const kind = object.kind;
  const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
  let objects = state.objects.get(kind);
  if (!objects) state.objects.set(kind, (objects = new Map()));
  const previous = objects.get(key);
  if (previous) unindexObject(state, kind, key, previous);
  objects.set(key, object);
  indexObject(state, kind, key, object);
}

function removeObject(state: ClusterState, ref: ObjectRef): void {
  const objects = state.objects.get(ref.kind);
  const key = keyOfRef(ref);
  const previous = objects?.get(key);
  if (!objects || !previous) return;
  unindexObject(state, ref.kind, key, previous);
  objects.delete(key);
  if (objects.size === 0) state.objects.delete(ref.kind);
  if (ref.kind === 'Node') state.heartbeats.delete(ref.name);
}

/**
 * Replaces an object by `change(copy, copiedMetadata)`, for changes that touch neither labels, owners
 * nor the node binding (so the indexes stay valid). `change` may mutate the metadata it is given.
 */
function updateObject(
  state: ClusterState,
  ref: ObjectRef,
  position: number,
  change: (object: KubeObject, metadata: KubeObject['metadata']) => KubeObject,
): void {
  const objects = state.objects.get(ref.kind);
  const key = keyOfRef(ref);
  const previous = objects?.get(key);
  if (!objects || !previous) return;
  const metadata = { ...previous.metadata, resourceVersion: String(position) };
  const next = change({ ...previous, metadata }, metadata);
  objects.set(key, next);
}

function registerNode(state: ClusterState, node: KubeObject, position: number, time: number): void {
  const name = node.metadata.name ?? '';
  putObject(state, withResourceVersion(node, position));
  state.heartbeats.set(name, time);
  const leases = state.objects.get('Lease');
  const leaseKey = objectKey(NODE_LEASE_NAMESPACE, name);
  const existing = leases?.get(leaseKey);
  const renewTime = microTime(time);
  if (existing) {
    putObject(state, { ...existing, metadata: { ...existing.metadata, resourceVersion: String(position) }, spec: { ...existing.spec, renewTime } });
    return;
  }
  const lease: KubeObject = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      uid: deterministicUuid(createPrng(hashSeed(state.seed, 'lease-uid', position))),
      resourceVersion: String(position),
      creationTimestamp: toRfc3339(time),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid ?? '' }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
  };
  putObject(state, lease);
}

function renewLease(state: ClusterState, node: string, position: number, time: number): void {
  const leases = state.objects.get('Lease');
  const key = objectKey(NODE_LEASE_NAMESPACE, node);
  const lease = leases?.get(key);
  if (!leases || !lease) return;
  leases.set(key, { ...lease, metadata: { ...lease.metadata, resourceVersion: String(position) }, spec: { ...lease.spec, renewTime: microTime(time) } });
}

/** Kubernetes' MicroTime: RFC 3339 with microseconds, as Lease renewTime is written. */
export function microTime(time: number): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface StoredNodeCondition extends NodeCondition {
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

function withNodeCondition(conditions: StoredNodeCondition[] | undefined, next: NodeCondition, now: string): StoredNodeCondition[] {
  const list = conditions ? conditions.slice() : [];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const condition: StoredNodeCondition = {
    type: next.type,
    status: next.status,
    lastHeartbeatTime: now,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now,
  };
  if (next.reason) condition.reason = next.reason;
  if (next.message) condition.message = next.message;
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

function containerStatus(
  podUid: string,
  name: string,
  image: string,
  state: ContainerState,
  lastState: ContainerState | undefined,
  ready: boolean,
  started: boolean,
  restartCount: number,
): ContainerStatus {
  const created = !!state.running || !!state.terminated;
  const status: ContainerStatus = {
    name,
    state,
    lastState: lastState ?? {},
    ready,
    restartCount,
    image: image ? normalizeImage(image) : image,
    imageID: created && image ? imageIdOf(image) : '',
    started,
  };
  if (created) status.containerID = containerIdOf(podUid, name, restartCount);
  return status;
}

function upsertInSpecOrder(statuses: ContainerStatus[] | undefined, entry: ContainerStatus, specs: Array<{ name: string }> | undefined): ContainerStatus[] {
  const list = statuses ? statuses.filter((s) => s.name !== entry.name) : [];
  list.push(entry);
  if (specs) {
    const order = new Map(specs.map((c, i) => [c.name, i]));
    list.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
  }
  return list;
}

export type { PodCondition };
