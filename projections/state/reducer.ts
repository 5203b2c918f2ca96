import type { ContainerState, NodeCondition, StoredEvent } from '../../core/events.ts';
import { type KubeObject, type ObjectRef, objectKey } from '../../core/model/object.ts';
import { createPrng, deterministicUuid, hashSeed } from '../../core/prng.ts';
import type { ClusterState } from '../cluster-state.ts';
import { indexObject, movePodToNode, unindexObject } from './indexes.ts';
import { microTime, rfc3339 } from './time-format.ts';
import {
  type ContainerStatus,
  type PodCondition,
  containerIdOf,
  imageIdOf,
  kubeletConditions,
  normalizeImage,
  withCondition,
  withConditions,
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
      updateObject(state, event.data.ref, position, (object, metadata) => ({ ...object, metadata, status: event.data.status }));
      break;
    case 'ObjectDeletionRequested': {
      const { deletionTimestamp, gracePeriodSeconds, propagationPolicy } = event.data;
      updateObject(state, event.data.ref, position, (object, metadata) => {
        metadata.deletionTimestamp = deletionTimestamp;
        metadata.deletionGracePeriodSeconds = gracePeriodSeconds;
        const finalizer = propagationPolicy === 'Foreground' ? 'foregroundDeletion' : propagationPolicy === 'Orphan' ? 'orphan' : undefined;
        if (finalizer && !metadata.finalizers?.includes(finalizer)) metadata.finalizers = [...(metadata.finalizers ?? []), finalizer];
        if (object.kind === 'Namespace') return { ...object, metadata, status: { ...object.status, phase: 'Terminating' } };
        return { ...object, metadata };
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
      const time = rfc3339(event.metadata.time);
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) => ({
        ...node,
        metadata,
        status: { ...node.status, conditions: withNodeCondition(node.status?.conditions, event.data.condition, time) },
      }));
      break;
    }
    case 'NodeUnschedulableChanged':
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) => {
        const { unschedulable: _, ...spec } = node.spec ?? {};
        return { ...node, metadata, spec: event.data.unschedulable ? { ...spec, unschedulable: true } : spec };
      });
      break;
    case 'NodeTaintsChanged':
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) => {
        const { taints: _, ...spec } = node.spec ?? {};
        return { ...node, metadata, spec: event.data.taints.length ? { ...spec, taints: event.data.taints } : spec };
      });
      break;
    case 'PodScheduled': {
      const time = rfc3339(event.metadata.time);
      const nodeName = event.data.nodeName;
      const key = keyOfRef(event.data.ref);
      const pod = state.objects.get('Pod')?.get(key);
      if (!pod) break;
      updateObject(state, event.data.ref, position, (p, metadata) => ({
        ...p,
        metadata,
        spec: { ...p.spec, nodeName },
        status: { ...p.status, conditions: withCondition(p.status?.conditions, { type: 'PodScheduled', status: 'True' }, time) },
      }));
      movePodToNode(state, key, pod.spec?.nodeName, nodeName);
      break;
    }
    case 'PodUnschedulable': {
      const time = rfc3339(event.metadata.time);
      const message = event.data.decision.message;
      updateObject(state, event.data.ref, position, (pod, metadata) => ({
        ...pod,
        metadata,
        status: {
          ...pod.status,
          conditions: withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', ...(message ? { message } : {}) }, time),
        },
      }));
      break;
    }
    case 'PodPhaseChanged': {
      const time = rfc3339(event.metadata.time);
      const { phase, reason, message, podIP, hostIP } = event.data;
      updateObject(state, event.data.ref, position, (pod, metadata) => {
        const { reason: _reason, message: _message, ...rest } = pod.status ?? {};
        const status: Record<string, any> = reason && message ? { ...rest, phase, reason, message } : reason ? { ...rest, phase, reason } : message ? { ...rest, phase, message } : { ...rest, phase };
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
          status.conditions = withConditions(status.conditions, kubeletConditions(pod.spec ?? {}, phase, status.containerStatuses, status.initContainerStatuses), time);
        }
        return { ...pod, metadata, status };
      });
      break;
    }
    case 'ContainerStateChanged': {
      const time = rfc3339(event.metadata.time);
      const data = event.data;
      updateObject(state, data.ref, position, (pod, metadata) => {
        const spec = pod.spec ?? {};
        const isInit = (spec.initContainers as Array<{ name: string }> | undefined)?.some((c) => c.name === data.container) ?? false;
        const specs = (isInit ? spec.initContainers : spec.containers) as Array<{ name: string; image?: string }> | undefined;
        const containerSpec = specs?.find((c) => c.name === data.container);
        const field = isInit ? 'initContainerStatuses' : 'containerStatuses';
        const entry = containerStatus(pod.metadata.uid ?? '', data.container, containerSpec?.image ?? '', data.state, data.lastState, data.ready, data.started, data.restartCount);
        const statuses = upsertInSpecOrder(pod.status?.[field] as ContainerStatus[] | undefined, entry, specs);
        const status = { ...pod.status, [field]: statuses };
        status.conditions = withConditions(status.conditions, kubeletConditions(spec, status.phase, status.containerStatuses, status.initContainerStatuses), time);
        return { ...pod, metadata, status };
      });
      break;
    }
    case 'PodEvicted': {
      const time = rfc3339(event.metadata.time);
      updateObject(state, event.data.ref, position, (pod, metadata) => ({
        ...pod,
        metadata,
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
 * Replaces an object by `change(previous, metadata)`, where `metadata` is a copy of the previous
 * metadata with the new resourceVersion, which `change` puts in the object it builds (and may mutate).
 * Only for changes that touch neither labels nor owners, so the indexes stay valid (a change of node
 * binding moves the pod with movePodToNode). Builders avoid `delete`, which would turn the objects
 * into slow dictionary-mode ones.
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
  const next = change(previous, metadata);
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
      creationTimestamp: rfc3339(time),
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
  if (statuses) {
    for (let i = 0; i < statuses.length; i++) {
      if (statuses[i]!.name === entry.name) {
        const list = statuses.slice();
        list[i] = entry;
        return list;
      }
    }
  }
  const list = statuses ? [...statuses, entry] : [entry];
  if (specs && list.length > 1) {
    const order = new Map(specs.map((c, i) => [c.name, i]));
    list.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
  }
  return list;
}

export type { PodCondition };
