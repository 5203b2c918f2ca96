import type { NodeCondition, OrreryEvent, StoredEvent, Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects, podsOnNode } from '../../state/queries.ts';
import { createKeyedTimers } from '../kubelet/keyed-timers.ts';
import { type Toleration, toleratesTaint } from '../scheduler/tolerations.ts';
import { desiredManagedTaints, reconcileTaints } from './node-taints.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS } from '../per-event.ts';

export interface NodeLifecycleOptions {
  /** node-monitor-grace-period: how long without a heartbeat before a node is Unknown (Kubernetes: 40 s). */
  nodeMonitorGracePeriodMs?: number;
}

export const NODE_LIFECYCLE_CONTROLLER_NAME = 'node-lifecycle-controller';
export const EVICTION_REASON = 'DeletionByTaintManager';
export const EVICTION_MESSAGE = 'Taint manager: deleting due to NoExecute taint';

/** Ready first, then the rest, as tryUpdateNodeHealth marks them (so the taints follow from Ready's change). */
const CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface PendingEviction {
  uid: string;
  namespace: string;
  name: string;
  createdAt: number;
  at: number;
  /** The event that started the countdown (a NoExecute taint, or the pod landing on a tainted node): the eviction's cause. */
  cause: Cause;
}

interface Cause {
  causationId: number;
  correlationId?: string;
}

/**
 * Kubernetes' node lifecycle controller together with its taint-based eviction:
 * - a node whose kubelet has not renewed its Lease for the grace period gets Ready (and the other
 *   kubelet conditions) `Unknown` / NodeStatusUnknown;
 * - node conditions and `spec.unschedulable` become `node.kubernetes.io/*` taints (NoSchedule, and
 *   NoExecute not-ready / unreachable), removed again when the kubelet reports Ready;
 * - pods on a node with NoExecute taints are evicted (DisruptionTarget condition, then a graceful
 *   delete) once their matching tolerations' tolerationSeconds have run out, at once when a taint
 *   is not tolerated, never when tolerated without a limit.
 */
export function createNodeLifecycleController(options: NodeLifecycleOptions = {}): Controller {
  return {
    name: NODE_LIFECYCLE_CONTROLLER_NAME,
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const controller = createNodeLifecycle(options);
      return input$.pipe(reconcileEach((input) => controller.handle(input)));
    },
  };
}

function createNodeLifecycle(options: NodeLifecycleOptions) {
  const grace = options.nodeMonitorGracePeriodMs ?? 40_000;
  const timers = createKeyedTimers();
  const evictions = new Map<string, PendingEviction>();
  let requestedWake: number | undefined;
  let started = false;
  let resumedAt = 0;
  let out: ControllerOutput[] = [];
  let state: ClusterState;
  let event: StoredEvent;

  function currentCause(): Cause {
    return event.metadata.correlationId ? { causationId: event.position, correlationId: event.metadata.correlationId } : { causationId: event.position };
  }

  function meta(cause: Cause = currentCause()) {
    return { actor: NODE_LIFECYCLE_CONTROLLER_NAME, ...cause };
  }

  function record(fact: OrreryEvent, cause?: Cause): void {
    out.push({ type: 'record', ...meta(cause), event: fact });
  }

  function checkHealthBy(time: number): void {
    const due = timers.dueAt('monitor');
    if (due === undefined || time < due) timers.schedule('monitor', time);
  }

  /** monitorNodeHealth: marks nodes whose Lease went stale, and works out when to look again. */
  function monitorNodeHealth(now: number): void {
    let next: number | undefined;
    for (const node of listObjects(state, 'Node')) {
      const name = node.metadata.name ?? '';
      // A resumed controller gives every node a full grace period from its own start, as
      // Kubernetes' does (it first sees each node's status as fresh).
      const probe = Math.max(state.heartbeats.get(name) ?? createdAt(node, now), resumedAt);
      const conditions = (node.status?.conditions as Array<NodeCondition> | undefined) ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (now >= probe + grace) {
        if (ready?.status === 'Unknown') continue;
        for (const type of CONDITION_TYPES) {
          const existing = conditions.find((c) => c.type === type);
          if (existing?.status === 'Unknown') continue;
          const condition: NodeCondition = existing
            ? { type, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
            : { type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' };
          record({ type: 'NodeConditionChanged', data: { node: name, condition } });
        }
      } else if (next === undefined || probe + grace < next) {
        next = probe + grace;
      }
    }
    if (next !== undefined) timers.schedule('monitor', next);
  }

  function createdAt(node: KubeObject, fallback: number): number {
    const created = Date.parse(node.metadata.creationTimestamp ?? '');
    return Number.isNaN(created) ? fallback : created;
  }

  function reconcileNodeTaints(name: string, now: number): void {
    const node = getObject(state, 'Node', undefined, name);
    if (!node) return;
    const taints = reconcileTaints((node.spec?.taints as Taint[] | undefined) ?? [], desiredManagedTaints(node), toRfc3339(now));
    if (taints) record({ type: 'NodeTaintsChanged', data: { node: name, taints } });
  }

  /**
   * MarkPodsNotReady: when a node stops being Ready, the Ready condition of every pod on it turns
   * False (so Services stop sending it traffic); its kubelet sets it right when it comes back.
   */
  function markPodsNotReady(nodeName: string, now: number): void {
    for (const pod of podsOnNode(state, nodeName)) {
      const conditions = (pod.status?.conditions as Array<{ type: string; status: string; lastTransitionTime?: string }> | undefined) ?? [];
      const index = conditions.findIndex((c) => c.type === 'Ready');
      if (index < 0 || conditions[index]!.status === 'False') continue;
      const next = conditions.slice();
      next[index] = { ...conditions[index]!, status: 'False', lastTransitionTime: toRfc3339(now) };
      out.push({ type: 'update', ...meta(), subresource: 'status', object: { ...pod, status: { ...pod.status, conditions: next } } });
    }
  }

  /** The taint manager's processPodOnNode. */
  function processPod(pod: KubeObject, node: KubeObject | undefined, now: number): void {
    const uid = pod.metadata.uid ?? '';
    const noExecute = ((node?.spec?.taints as Taint[] | undefined) ?? []).filter((t) => t.effect === 'NoExecute');
    if (noExecute.length === 0 || pod.metadata.deletionTimestamp) {
      cancelEviction(uid);
      return;
    }
    const tolerations = (pod.spec?.tolerations as Toleration[] | undefined) ?? [];
    const used: Toleration[] = [];
    for (const taint of noExecute) {
      const matching = tolerations.filter((t) => toleratesTaint(t, taint));
      if (matching.length === 0) {
        cancelEviction(uid);
        scheduleEviction(pod, now, 0);
        return;
      }
      used.push(...matching);
    }
    const seconds = minTolerationSeconds(used);
    if (seconds < 0) cancelEviction(uid);
    else scheduleEviction(pod, now, seconds * 1000);
  }

  /**
   * As the taint manager does: an eviction already scheduled keeps its start, and stays as it is
   * unless counting the new toleration from now would come sooner than from that start (which
   * only happens when both are the same instant).
   */
  function scheduleEviction(pod: KubeObject, now: number, delayMs: number): void {
    const uid = pod.metadata.uid ?? '';
    const existing = evictions.get(uid);
    const at = now + delayMs;
    if (existing && existing.createdAt + delayMs < at) return;
    const createdAt = existing?.createdAt ?? now;
    const cause = existing?.cause ?? currentCause();
    evictions.set(uid, { uid, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', createdAt, at, cause });
    timers.schedule(`evict:${uid}`, at);
  }

  function cancelEviction(uid: string): void {
    if (!evictions.delete(uid)) return;
    timers.cancel(`evict:${uid}`);
  }

  function evict(uid: string): void {
    const pending = evictions.get(uid);
    evictions.delete(uid);
    if (!pending) return;
    const pod = getObject(state, 'Pod', pending.namespace, pending.name);
    if (!pod || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) return;
    const ref = { kind: 'Pod', namespace: pending.namespace, name: pending.name, uid };
    // Caused by what started the countdown, not by the clock tick that ended it, so that "why was
    // this pod evicted" leads back to the taint and the node's lost heartbeats.
    record({ type: 'PodEvicted', data: { ref, reason: EVICTION_REASON, message: EVICTION_MESSAGE } }, pending.cause);
    out.push({ type: 'delete', ...meta(pending.cause), ref: { kind: 'Pod', namespace: pending.namespace, name: pending.name }, preconditions: { uid } });
  }

  /** Resuming on an existing log: taints brought up to date, evictions re-armed from now. */
  function resume(now: number): void {
    resumedAt = now;
    checkHealthBy(now + grace);
    for (const node of listObjects(state, 'Node')) {
      const name = node.metadata.name ?? '';
      reconcileNodeTaints(name, now);
      for (const pod of podsOnNode(state, name)) processPod(pod, node, now);
    }
  }

  function onEvent(now: number): void {
    switch (event.type) {
      case 'NodeRegistered':
        checkHealthBy(now + grace);
        reconcileNodeTaints(event.data.node.metadata.name ?? '', now);
        return;
      case 'ObjectCreated':
      case 'ObjectReplaced': {
        const object = event.data.object;
        if (object.kind === 'Node') {
          const name = object.metadata.name ?? '';
          checkHealthBy(now + grace);
          reconcileNodeTaints(name, now);
          // Taints written through the API (`kubectl taint ... :NoExecute`) evict as the
          // controller's own do: the taint manager watches every node update.
          if (event.type === 'ObjectReplaced') {
            const node = getObject(state, 'Node', undefined, name);
            for (const pod of podsOnNode(state, name)) processPod(pod, node, now);
          }
        } else if (object.kind === 'Pod' && object.spec?.nodeName && event.type === 'ObjectCreated') {
          const pod = getObject(state, 'Pod', object.metadata.namespace, object.metadata.name ?? '');
          if (pod) processPod(pod, getObject(state, 'Node', undefined, object.spec.nodeName), now);
        }
        return;
      }
      case 'NodeConditionChanged':
        if (event.data.condition.type === 'Ready' && event.data.condition.status !== 'Unknown') checkHealthBy(now + grace);
        if (event.data.condition.type === 'Ready' && event.data.condition.status !== 'True') markPodsNotReady(event.data.node, now);
        reconcileNodeTaints(event.data.node, now);
        return;
      case 'NodeUnschedulableChanged':
        reconcileNodeTaints(event.data.node, now);
        return;
      case 'NodeTaintsChanged': {
        const node = getObject(state, 'Node', undefined, event.data.node);
        for (const pod of podsOnNode(state, event.data.node)) processPod(pod, node, now);
        return;
      }
      case 'PodScheduled': {
        const pod = getObject(state, 'Pod', event.data.ref.namespace, event.data.ref.name);
        if (pod) processPod(pod, getObject(state, 'Node', undefined, event.data.nodeName), now);
        return;
      }
      case 'ObjectRemoved':
        if (event.data.ref.kind === 'Pod' && event.data.ref.uid) cancelEviction(event.data.ref.uid);
        return;
      default:
        return;
    }
  }

  return {
    handle(input: ReconcileInput): readonly ControllerOutput[] {
      state = input.state;
      event = input.event;
      // An event with nothing to do keeps the empty list (it was never handed out) instead of a new one.
      if (out.length !== 0) out = [];
      const now = Math.max(state.time, event.metadata.time);
      if (!started) {
        started = true;
        if (event.type !== 'ClusterInitialized') resume(now);
      }
      onEvent(now);
      // Indexed: a for-of here made an array iterator at every event.
      const due = timers.popDue(now);
      for (let i = 0; i < due.length; i++) {
        const key = due[i]!;
        if (key === 'monitor') monitorNodeHealth(now);
        else evict(key.slice('evict:'.length));
      }
      const next = timers.peek();
      if (next !== undefined && (requestedWake === undefined || requestedWake <= now || next < requestedWake)) {
        requestedWake = next;
        out.push({ type: 'wakeAt', time: next });
      }
      return out.length === 0 ? NO_OUTPUTS : out;
    },
  };
}

/** `getMinTolerationTime`: the smallest tolerationSeconds (≤ 0 counts as 0), or -1 when none limits it. */
export function minTolerationSeconds(tolerations: readonly Toleration[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    if (t.tolerationSeconds < min) min = t.tolerationSeconds;
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min;
}
