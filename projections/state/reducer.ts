import type { ContainerState, ContainerStatusUpdate, EventOfType, NodeCondition, StoredEvent } from '../../core/events.ts';
import { type KubeObject, type ObjectRef, objectKey } from '../../core/model/object.ts';
import { createPrng, deterministicUuid, hashSeed } from '../../core/prng.ts';
import type { ClusterState } from '../cluster-state.ts';
import { literalCopy, literalCopyWith } from './literal-copy.ts';
import { asUsualObject, copyWith, copyWithField, copyWithout, podMetadataWithVersion, podStatusWithConditions, podStatusWithContainers, podWith } from './copy-with.ts';
import { indexObject, movePodToNode, unindexObject } from './indexes.ts';
import { renewedLease } from './renewed-lease.ts';
import { microTime, rfc3339 } from './time-format.ts';
import {
  type ContainerStatus,
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
    stoppedKubelets: new Set(),
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

/**
 * `rebuildState` over batches of events (as the embedded log's `readAllBatches` yields them), with
 * one rebuild-only shortcut: a node's Lease renewal is deferred until something could see the Lease
 * (an event about a Lease, a node registering) or the rebuild ends, so of a node's run of heartbeats
 * only the last one builds a new Lease object. The resulting state is the same as `rebuildState`'s.
 */
export function rebuildStateFromBatches(batches: Iterable<StoredEvent[]>, state: ClusterState = createClusterState()): ClusterState {
  const renewals = new Map<string, StoredEvent>();
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      if (event.type === 'NodeHeartbeat') {
        const time = event.metadata.time;
        state.position = event.position;
        if (time > state.time) state.time = time;
        for (const node of event.data.nodes) {
          state.heartbeats.set(node, time);
          renewals.set(node, event);
        }
        continue;
      }
      if (renewals.size > 0 && mayTouchLease(event)) flushRenewals(state, renewals);
      applyEvent(state, event);
    }
  }
  flushRenewals(state, renewals);
  return state;
}

function mayTouchLease(event: StoredEvent): boolean {
  switch (event.type) {
    case 'NodeRegistered':
      return true;
    case 'ObjectCreated':
    case 'ObjectReplaced':
      return event.data.object.kind === 'Lease';
    case 'ObjectStatusReplaced':
    case 'ObjectDeletionRequested':
    case 'ObjectRemoved':
      return event.data.ref.kind === 'Lease';
    default:
      return false;
  }
}

function flushRenewals(state: ClusterState, renewals: Map<string, StoredEvent>): void {
  for (const [node, heartbeat] of renewals) renewLeases(state, [node], heartbeat.position, heartbeat.metadata.time);
  renewals.clear();
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
    case 'ObjectStatusReplaced': {
      const status = event.data.status;
      updateObject(state, event.data.ref, position, (object, metadata) => asUsualObject(object, metadata, object.spec, status) ?? copyWith(object, { metadata, status }));
      break;
    }
    case 'ObjectDeletionRequested': {
      const { deletionTimestamp, gracePeriodSeconds, propagationPolicy } = event.data;
      updateObject(state, event.data.ref, position, (object) => {
        const finalizer = propagationPolicy === 'Foreground' ? 'foregroundDeletion' : propagationPolicy === 'Orphan' ? 'orphan' : undefined;
        const finalizers = object.metadata.finalizers ?? [];
        const metadata = copyWith(object.metadata, {
          resourceVersion: String(position),
          deletionTimestamp,
          deletionGracePeriodSeconds: gracePeriodSeconds,
          ...(finalizer && !finalizers.includes(finalizer) ? { finalizers: [...finalizers, finalizer] } : {}),
        });
        if (object.kind === 'Namespace') return copyWith(object, { metadata, status: copyWith(object.status, { phase: 'Terminating' }) });
        return copyWith(object, { metadata });
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
      for (const node of event.data.nodes) state.heartbeats.set(node, event.metadata.time);
      renewLeases(state, event.data.nodes, position, event.metadata.time);
      break;
    case 'NodeConditionChanged': {
      const time = rfc3339(event.metadata.time);
      const condition = event.data.condition;
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) =>
        copyWith(node, { metadata, status: copyWith(node.status, { conditions: withNodeCondition(node.status?.conditions, condition, time) }) }),
      );
      break;
    }
    case 'NodeUnschedulableChanged': {
      const unschedulable = event.data.unschedulable;
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) =>
        copyWith(node, { metadata, spec: unschedulable ? copyWith(node.spec, { unschedulable: true }) : copyWithout(node.spec, 'unschedulable') }),
      );
      break;
    }
    case 'NodeTaintsChanged': {
      const taints = event.data.taints;
      updateObject(state, { kind: 'Node', name: event.data.node }, position, (node, metadata) =>
        copyWith(node, { metadata, spec: taints.length ? copyWith(node.spec, { taints }) : copyWithout(node.spec, 'taints') }),
      );
      break;
    }
    case 'PodScheduled': {
      const time = rfc3339(event.metadata.time);
      const nodeName = event.data.nodeName;
      const key = keyOfRef(event.data.ref);
      const pod = state.objects.get('Pod')?.get(key);
      if (!pod) break;
      updatePod(state, event.data.ref, position, (p, metadata) => {
        const spec = (p.spec && literalCopy(p.spec, 'nodeName', nodeName)) ?? copyWith(p.spec, { nodeName });
        const status = podStatusWithConditions(p.status, withCondition(p.status?.conditions, SCHEDULED, time));
        return asUsualObject(p, metadata, spec, status) ?? copyWith(p, { metadata, spec, status });
      });
      movePodToNode(state, key, pod.spec?.nodeName, nodeName);
      break;
    }
    case 'PodUnschedulable': {
      const time = rfc3339(event.metadata.time);
      const message = event.data.decision.message;
      const condition = { type: 'PodScheduled', status: 'False' as const, reason: 'Unschedulable', ...(message ? { message } : {}) };
      updatePod(state, event.data.ref, position, (pod, metadata) =>
        podWith(pod, metadata, podStatusWithConditions(pod.status, withCondition(pod.status?.conditions, condition, time))),
      );
      break;
    }
    case 'PodPhaseChanged': {
      const time = rfc3339(event.metadata.time);
      const data = event.data;
      updatePod(state, data.ref, position, (pod, metadata) => {
        let status = statusWithPhase(pod, data, time);
        if (data.containers) for (const update of data.containers) status = statusWithContainer(pod, status, update, time);
        return podWith(pod, metadata, status);
      });
      break;
    }
    case 'ContainerStateChanged': {
      const time = rfc3339(event.metadata.time);
      const data = event.data;
      updatePod(state, data.ref, position, (pod, metadata) => podWith(pod, metadata, statusWithContainer(pod, pod.status ?? {}, data, time)));
      break;
    }
    case 'PodEvicted': {
      const time = rfc3339(event.metadata.time);
      const condition = { type: 'DisruptionTarget', status: 'True' as const, reason: event.data.reason, message: event.data.message };
      updatePod(state, event.data.ref, position, (pod, metadata) =>
        podWith(pod, metadata, podStatusWithConditions(pod.status, withCondition(pod.status?.conditions, condition, time))),
      );
      break;
    }
    // Facts about the simulated machinery: the node's status changes only through the condition
    // and heartbeat events that follow (or stop following) from them. Which kubelets are stopped is
    // kept so a restarted kubelet controller knows which nodes not to take back.
    case 'KubeletStopped':
      state.stoppedKubelets.add(event.data.node);
      break;
    case 'KubeletStarted':
      state.stoppedKubelets.delete(event.data.node);
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
  const version = String(position);
  const metadata = literalCopy(object.metadata, 'resourceVersion', version) ?? copyWithField(object.metadata, 'resourceVersion', version);
  return asUsualObject(object, metadata, object.spec, object.status) ?? copyWith(object, { metadata });
}

const SCHEDULED = { type: 'PodScheduled', status: 'True' as const };

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
  if (ref.kind === 'Node') {
    state.heartbeats.delete(ref.name);
    state.stoppedKubelets.delete(ref.name);
  }
}

/**
 * Replaces an object by `change(previous, metadata)`, where `metadata` is a copy of the previous
 * metadata with the new resourceVersion, which `change` puts in the object it builds.
 * Only for changes that touch neither labels nor owners, so the indexes stay valid (a change of node
 * binding moves the pod with movePodToNode). Builders avoid `delete`, which would turn the objects
 * into slow dictionary-mode ones.
 */
function updateObject(
  state: ClusterState,
  ref: ObjectRef,
  position: number,
  change: (object: KubeObject, metadata: KubeObject['metadata']) => KubeObject,
  withVersion: (metadata: KubeObject['metadata'], resourceVersion: string) => KubeObject['metadata'] = metadataWithVersion,
): void {
  const objects = state.objects.get(ref.kind);
  const key = keyOfRef(ref);
  const previous = objects?.get(key);
  if (!objects || !previous) return;
  const metadata = withVersion(previous.metadata, String(position));
  const next = change(previous, metadata);
  objects.set(key, next);
}

function metadataWithVersion(metadata: KubeObject['metadata'], resourceVersion: string): KubeObject['metadata'] {
  return copyWithField(metadata, 'resourceVersion', resourceVersion);
}

/** updateObject for a pod event: its metadata copied by the pods' own copy function. */
function updatePod(state: ClusterState, ref: ObjectRef, position: number, change: (object: KubeObject, metadata: KubeObject['metadata']) => KubeObject): void {
  updateObject(state, ref, position, change, podMetadataWithVersion);
}

function registerNode(state: ClusterState, node: KubeObject, position: number, time: number): void {
  const name = node.metadata.name ?? '';
  putObject(state, withResourceVersion(node, position));
  state.heartbeats.set(name, time);
  const leases = state.objects.get('Lease');
  const leaseKey = objectKey(NODE_LEASE_NAMESPACE, name);
  const existing = leases?.get(leaseKey);
  const renewTime = microTime(time);
  const owner = { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid ?? '' };
  if (existing) {
    // A node registering again (after its Node object was deleted) takes its Lease back.
    putObject(state, copyWith(existing, { metadata: copyWith(existing.metadata, { resourceVersion: String(position), ownerReferences: [owner] }), spec: copyWith(existing.spec, { renewTime }) }));
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
      ownerReferences: [owner],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, renewTime },
  };
  putObject(state, lease);
}

/**
 * Each node's Lease key, built once: a key concatenated afresh at every heartbeat is hashed afresh
 * by both the lookup and the store (~0.25 µs each), and heartbeats are most of a long simulation.
 */
const leaseKeys = new Map<string, string>();

function leaseKeyOf(node: string): string {
  let key = leaseKeys.get(node);
  if (key === undefined) {
    if (leaseKeys.size >= 100_000) leaseKeys.clear();
    key = objectKey(NODE_LEASE_NAMESPACE, node);
    leaseKeys.set(node, key);
  }
  return key;
}

/** A new version of each node's Lease, renewed at `time` (one resourceVersion and renewTime string shared by all). */
function renewLeases(state: ClusterState, nodes: readonly string[], position: number, time: number): void {
  const leases = state.objects.get('Lease');
  const resourceVersion = String(position);
  const renewTime = microTime(time);
  for (const node of nodes) {
    const key = leaseKeyOf(node);
    const lease = leases?.get(key);
    if (lease) leases!.set(key, renewedLease(lease, resourceVersion, renewTime));
  }
}

interface StoredNodeCondition extends NodeCondition {
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

function withNodeCondition(conditions: StoredNodeCondition[] | undefined, next: NodeCondition, now: string): StoredNodeCondition[] {
  const list = conditions ? conditions.slice() : [];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const lastTransitionTime = previous && previous.status === next.status ? previous.lastTransitionTime : now;
  // The usual condition (reason and message both set) as one literal: fields added afterwards go
  // to an extra properties store, held for every node's every condition.
  const condition: StoredNodeCondition =
    next.reason && next.message
      ? { type: next.type, status: next.status, lastHeartbeatTime: now, lastTransitionTime, reason: next.reason, message: next.message }
      : { type: next.type, status: next.status, lastHeartbeatTime: now, lastTransitionTime };
  if (!next.message && next.reason) condition.reason = next.reason;
  if (!next.reason && next.message) condition.message = next.message;
  if (index >= 0) list[index] = condition;
  else return [...list, condition];
  return list;
}

/** The pod's status after a phase report from the kubelet (phase, reason, IPs, start time, its conditions). */
function statusWithPhase(pod: KubeObject, data: EventOfType<'PodPhaseChanged'>['data'], time: string): Record<string, any> {
  const { phase, reason, message, podIP, hostIP } = data;
  const previous = pod.status ?? {};
  const fields: Record<string, unknown> = { phase };
  if (reason) fields.reason = reason;
  if (message) fields.message = message;
  if (hostIP) {
    fields.hostIP = hostIP;
    fields.hostIPs = hostIPsOf(hostIP);
  }
  if (podIP) {
    fields.podIP = podIP;
    fields.podIPs = [{ ip: podIP }];
  }
  if (!previous.startTime) fields.startTime = time;
  if (previous.containerStatuses || phase === 'Succeeded' || phase === 'Failed') {
    fields.conditions = withConditions(previous.conditions, kubeletConditions(pod.spec ?? {}, phase, previous.containerStatuses, previous.initContainerStatuses), time);
  }
  let status = literalCopyWith(previous, fields) ?? copyWith(previous, fields);
  if (!reason && 'reason' in status) status = copyWithout(status, 'reason');
  if (!message && 'message' in status) status = copyWithout(status, 'message');
  return status;
}

/** A node's `hostIPs` list, one for all the pods on it (~90 bytes per pod held otherwise; stored objects are never changed in place). */
const hostIPLists = new Map<string, Array<{ ip: string }>>();

function hostIPsOf(hostIP: string): Array<{ ip: string }> {
  let list = hostIPLists.get(hostIP);
  if (list === undefined) {
    if (hostIPLists.size >= 65_536) hostIPLists.clear();
    list = [{ ip: hostIP }];
    hostIPLists.set(hostIP, list);
  }
  return list;
}

/** `previous` (the pod's status so far) with one container's state change and the conditions that follow from it. */
function statusWithContainer(pod: KubeObject, previous: Record<string, any>, data: ContainerStatusUpdate, time: string): Record<string, any> {
  const spec = pod.spec ?? {};
  const initContainers = spec.initContainers as Array<{ name: string; image?: string }> | undefined;
  const isInit = initContainers !== undefined && initContainers.some((c) => c.name === data.container);
  const specs = (isInit ? initContainers : spec.containers) as Array<{ name: string; image?: string }> | undefined;
  const containerSpec = specs?.find((c) => c.name === data.container);
  const before = ((isInit ? previous.initContainerStatuses : previous.containerStatuses) as ContainerStatus[] | undefined)?.find((c) => c.name === data.container);
  const entry = containerStatus(pod.metadata.uid ?? '', data.container, containerSpec?.image ?? '', data, before);
  const containerStatuses = isInit ? previous.containerStatuses : upsertInSpecOrder(previous.containerStatuses, entry, specs);
  const initContainerStatuses = isInit ? upsertInSpecOrder(previous.initContainerStatuses, entry, specs) : previous.initContainerStatuses;
  const conditions = withConditions(previous.conditions, kubeletConditions(spec, previous.phase, containerStatuses, initContainerStatuses), time);
  return isInit ? copyWith(previous, { initContainerStatuses, conditions }) : podStatusWithContainers(previous, containerStatuses, conditions);
}

function containerStatus(
  podUid: string,
  name: string,
  image: string,
  { state, lastState, ready, started, restartCount }: { state: ContainerState; lastState?: ContainerState; ready: boolean; started: boolean; restartCount: number },
  before: ContainerStatus | undefined,
): ContainerStatus {
  const created = !!state.running || !!state.terminated;
  const imageName = image ? normalizeImage(image) : image;
  // One literal each way rather than containerID added afterwards, which would give every held
  // status an extra properties store (~40 bytes).
  if (!created) return { name, state, lastState: lastState ?? NO_LAST_STATE, ready, restartCount, image: imageName, imageID: '', started };
  const containerID = before?.containerID && before.restartCount === restartCount ? before.containerID : containerIdOf(podUid, name, restartCount);
  return { name, state, lastState: lastState ?? NO_LAST_STATE, ready, restartCount, image: imageName, imageID: image ? imageIdOf(image) : '', started, containerID };
}

/** The empty lastState of a container that has not restarted, one object for all (stored objects are never changed in place). */
const NO_LAST_STATE = {};

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

