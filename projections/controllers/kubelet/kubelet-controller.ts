import type { OrreryEvent, Position, StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { hashSeed } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects, podsOnNode } from '../../state/queries.ts';
import { type Backoff, createBackoff } from './backoff.ts';
import { type ConfigProblem, configProblemOf } from './config-references.ts';
import { createKeyedTimers } from './keyed-timers.ts';
import { HEALTHY_NODE_CONDITIONS } from './node-conditions.ts';
import { type PodIpAllocator, createPodIpAllocator } from './pod-ip-allocator.ts';
import { type ContainerRun, type PodRun, type PodStep, type RuntimeContext, admitPod, adoptPod, advancePod, beginTermination, containerEvent, newPodRun, podStatusMatches, updatePod } from './pod-runtime.ts';
import { KUBELET_ANNOTATION } from './sim-annotations.ts';
import { mergeStatusWrites } from './status-writes.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { ByNamespaceAndName } from '../by-namespace-and-name.ts';

export interface KubeletOptions {
  /** Lease renewal interval (Kubernetes: 10 s, a quarter of the 40 s lease). */
  heartbeatIntervalMs?: number;
  /**
   * Heartbeat phases: nodes are spread over this many evenly spaced instants per interval, and the
   * nodes sharing an instant beat in one NodeHeartbeat event. Default 1: every node beats at once,
   * one event per interval however many nodes there are.
   */
  heartbeatSlots?: number;
  /** Default time from a pod's binding to its containers running (`sim.orrery.dev/startup-delay` overrides). */
  startupDelayMs?: number;
  /**
   * Write a pod's phase and the container changes of the same instant as one status update (one
   * PodPhaseChanged carrying them), as the real kubelet does. Default true; false writes one event per
   * change, as before (kept for side-by-side benchmarks).
   */
  mergeStatusWrites?: boolean;
}

export const KUBELET_CONTROLLER_NAME = 'kubelet';

const NO_OUTPUT: readonly ControllerOutput[] = Object.freeze([]);

const kubeletActors = new Map<string, string>();

/**
 * `kubelet/<node>`, one string per node: the in-memory log keeps every event's actor, and a string
 * built per event (a cons string, ~86 B) was the largest single cost of the kubelet's events.
 */
export function kubeletActor(node: string): string {
  let actor = kubeletActors.get(node);
  if (actor === undefined) {
    if (kubeletActors.size >= 100_000) kubeletActors.clear();
    actor = ['kubelet/', node].join('');
    kubeletActors.set(node, actor);
  }
  return actor;
}

interface NodeRecord {
  name: string;
  slot: number;
  stopped: boolean;
  hostIP?: string;
  ipam: PodIpAllocator;
}

/**
 * A node's runtime context: one class for every node's context, not closures per node (under tsx,
 * keepNames, each closure made costs a defineProperty, and a cluster makes one context per node).
 * Declared here, not in createKubeletController: a class declared there is a new class, with new
 * hidden classes, in every history, so each site of pod-runtime.ts that reads a context met a shape
 * it had never seen, every history (megamorphic: a runtime look-up per access).
 */
class NodeContext implements RuntimeContext {
  constructor(
    private readonly record: NodeRecord,
    readonly crashBackoff: Backoff,
    readonly pullBackoff: Backoff,
    readonly startupDelayMs: number | undefined,
    private readonly configProblemOf: (run: PodRun, c: ContainerRun) => ConfigProblem | undefined,
  ) {}
  allocatePodIP(): string {
    return this.record.ipam.allocate();
  }
  configProblem(run: PodRun, c: ContainerRun): ConfigProblem | undefined {
    return this.configProblemOf(run, c);
  }
}

interface PodRecord {
  run: PodRun;
  /** `pod:<uid>`, built once: the key of this pod's timer. */
  timerKey: string;
  /** The event that last set this pod's runtime in motion (binding, deletion): the cause of what its timers do. */
  causationId: Position;
  correlationId?: string;
  deleteIssued: boolean;
  ipReleased?: boolean;
}

/**
 * One simulated kubelet for every Node (see docs/simulation.md): posts node status and Lease
 * heartbeats, runs the pods bound to its nodes through the simulated runtime, and finishes their
 * graceful deletion. A node annotated `sim.orrery.dev/kubelet: none` is left alone; a node whose
 * kubelet was stopped (KubeletStopped) gets nothing until KubeletStarted.
 */
export function createKubeletController(options: KubeletOptions = {}): Controller {
  return {
    name: KUBELET_CONTROLLER_NAME,
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const kubelet = createKubelet(options);
      return input$.pipe(reconcileEach((input) => kubelet.handle(input)));
    },
  };
}

function createKubelet(options: KubeletOptions) {
  const interval = options.heartbeatIntervalMs ?? 10_000;
  const slots = Math.max(1, Math.min(options.heartbeatSlots ?? 1, interval));
  const spacing = interval / slots;
  const mergeWrites = options.mergeStatusWrites ?? true;
  const nodes = new Map<string, NodeRecord>();
  const slotMembers = new Map<number, Set<string>>();
  const pods = new Map<string, PodRecord>();
  /** The same records by timer key. */
  const podByTimer = new Map<string, PodRecord>();
  /** Pods' uids by namespace and name (the pods' own name strings: no key kept per pod). */
  const uidByKey = new ByNamespaceAndName<string>();
  const timers = createKeyedTimers();
  const ctxByNode = new Map<string, RuntimeContext>();
  const crashBackoff = createBackoff();
  const pullBackoff = createBackoff();
  let requestedWake: number | undefined;

  let out: ControllerOutput[] = [];
  let state: ClusterState;
  let event: StoredEvent;

  function emit(node: string, fact: OrreryEvent, causationId: Position, correlationId?: string): void {
    const actor = kubeletActor(node);
    out.push(correlationId ? { type: 'record', actor, causationId, correlationId, event: fact } : { type: 'record', actor, causationId, event: fact });
  }

  function inputMeta() {
    return { causationId: event.position, correlationId: event.metadata.correlationId };
  }

  function isSimulated(node: KubeObject | undefined): node is KubeObject {
    return !!node && node.metadata.annotations?.[KUBELET_ANNOTATION] !== 'none';
  }

  function hostIPOf(node: KubeObject): string | undefined {
    return (node.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find((a) => a.type === 'InternalIP')?.address;
  }

  function configProblem(run: PodRun, c: ContainerRun): ConfigProblem | undefined {
    const pod = getObject(state, 'Pod', run.ref.namespace, run.ref.name);
    return pod ? configProblemOf(state, pod, c.name) : undefined;
  }

  function contextFor(record: NodeRecord): RuntimeContext {
    let ctx = ctxByNode.get(record.name);
    if (!ctx) {
      ctx = new NodeContext(record, crashBackoff, pullBackoff, options.startupDelayMs, configProblem);
      ctxByNode.set(record.name, ctx);
    }
    return ctx;
  }

  function nextSlotTime(slot: number, now: number): number {
    const offset = slot * spacing;
    const cycles = Math.floor((now - offset) / interval) + 1;
    return cycles * interval + offset;
  }

  /** Starts (or restarts) the kubelet of a node: full status, a heartbeat, and a resync of its pods. */
  function activate(name: string, now: number, heartbeatNow: boolean): void {
    const node = getObject(state, 'Node', undefined, name);
    if (!isSimulated(node)) return;
    let record = nodes.get(name);
    if (record && !record.stopped) return;
    const hostIP = hostIPOf(node);
    record = {
      name,
      slot: hashSeed('kubelet-heartbeat', name) % slots,
      stopped: false,
      ...(hostIP ? { hostIP } : {}),
      ipam: createPodIpAllocator(node.spec?.podCIDR, name),
    };
    nodes.set(name, record);
    ctxByNode.delete(name);
    const { causationId, correlationId } = inputMeta();
    if (heartbeatNow) emit(name, { type: 'NodeHeartbeat', data: { nodes: [name] } }, causationId, correlationId);
    const current = (node.status?.conditions as Array<{ type: string; status: string; reason?: string }> | undefined) ?? [];
    for (const condition of HEALTHY_NODE_CONDITIONS) {
      const existing = current.find((c) => c.type === condition.type);
      if (existing?.status === condition.status && existing.reason === condition.reason) continue;
      emit(name, { type: 'NodeConditionChanged', data: { node: name, condition } }, causationId, correlationId);
    }
    let members = slotMembers.get(record.slot);
    if (!members) slotMembers.set(record.slot, (members = new Set()));
    members.add(name);
    if (timers.dueAt(`hb:${record.slot}`) === undefined) timers.schedule(`hb:${record.slot}`, nextSlotTime(record.slot, now));
    for (const pod of podsOnNode(state, name)) takePod(record, pod, now);
  }

  function deactivate(name: string, forget: boolean): void {
    const record = nodes.get(name);
    if (!record) return;
    record.stopped = true;
    slotMembers.get(record.slot)?.delete(name);
    for (const [uid, pod] of [...pods]) {
      if (pod.run.node !== name) continue;
      dropPod(uid, false);
    }
    if (forget) nodes.delete(name);
  }

  function activeNode(name: string | undefined): NodeRecord | undefined {
    if (!name) return undefined;
    const record = nodes.get(name);
    return record && !record.stopped ? record : undefined;
  }

  // One object for every pod (nothing writes to it).
  const startupDelay: { startupDelayMs?: number } = options.startupDelayMs !== undefined ? { startupDelayMs: options.startupDelayMs } : {};

  /** Starts running a pod bound to an active node: fresh, or from its recorded status. */
  function takePod(record: NodeRecord, pod: KubeObject, now: number): void {
    const uid = pod.metadata.uid ?? '';
    if (pods.has(uid)) return;
    const ctx = contextFor(record);
    const hasStatus = !!(pod.status?.containerStatuses || pod.status?.initContainerStatuses);
    const run = hasStatus ? adoptPod(pod, record.name, record.hostIP, now, startupDelay) : newPodRun(pod, record.name, record.hostIP, startupDelay);
    if (run.podIP) record.ipam.reserve(run.podIP);
    const causationId = event.position;
    const correlationId = event.metadata.correlationId;
    const timerKey = `pod:${uid}`;
    const entry: PodRecord = correlationId ? { run, timerKey, causationId, deleteIssued: false, correlationId } : { run, timerKey, causationId, deleteIssued: false };
    pods.set(uid, entry);
    podByTimer.set(timerKey, entry);
    uidByKey.set(pod.metadata.namespace ?? '', pod.metadata.name ?? '', uid);
    if (pod.metadata.deletionTimestamp) beginTermination(run, now, pod.metadata.deletionGracePeriodSeconds ?? 30);
    const step = hasStatus || run.terminating ? advancePod(run, now, ctx) : admitPod(run, now, ctx);
    // A (re)started kubelet posts the full status of the pods it finds, which also puts right what
    // others changed meanwhile (the node lifecycle controller marks pods not Ready).
    if (hasStatus && !podStatusMatches(pod, run)) step.events.unshift(...run.containers.filter((c) => c.everRan).map((c) => containerEvent(run, c)));
    applyStep(uid, entry, step);
  }

  function applyStep(uid: string, entry: PodRecord, step: PodStep): void {
    const { run } = entry;
    const facts = mergeWrites ? mergeStatusWrites(step.events) : step.events;
    for (const fact of facts) emit(run.node, fact, entry.causationId, entry.correlationId);
    if (run.phase === 'Succeeded' || run.phase === 'Failed') releaseIPOf(entry);
    if (step.stopped && !entry.deleteIssued) {
      entry.deleteIssued = true;
      out.push({
        type: 'delete',
        actor: kubeletActor(run.node),
        causationId: entry.causationId,
        ...(entry.correlationId ? { correlationId: entry.correlationId } : {}),
        ref: { kind: 'Pod', namespace: run.ref.namespace, name: run.ref.name },
        gracePeriodSeconds: 0,
        preconditions: { uid },
      } satisfies Command);
    }
    if (step.nextAt !== undefined && !step.stopped) timers.schedule(entry.timerKey, step.nextAt);
    else timers.cancel(entry.timerKey);
  }

  function dropPod(uid: string, releaseIP: boolean): void {
    const entry = pods.get(uid);
    if (!entry) return;
    pods.delete(uid);
    podByTimer.delete(entry.timerKey);
    timers.cancel(entry.timerKey);
    const prefix = `${uid}/`;
    crashBackoff.forgetPrefix(prefix);
    pullBackoff.forgetPrefix(prefix);
    const { namespace = '', name } = entry.run.ref;
    if (uidByKey.get(namespace, name) === uid) uidByKey.delete(namespace, name);
    if (releaseIP) releaseIPOf(entry);
  }

  /** Once only: the address may be someone else's by the next time this pod is looked at. */
  function releaseIPOf(entry: PodRecord): void {
    if (entry.ipReleased || !entry.run.podIP) return;
    entry.ipReleased = true;
    nodes.get(entry.run.node)?.ipam.release(entry.run.podIP);
  }

  function onEvent(now: number): void {
    switch (event.type) {
      case 'NodeRegistered':
        activate(event.data.node.metadata.name ?? '', now, false);
        return;
      case 'ObjectCreated':
        if (event.data.object.kind === 'Node') activate(event.data.object.metadata.name ?? '', now, true);
        else if (event.data.object.kind === 'Pod') onPodBound(event.data.object.metadata.namespace, event.data.object.metadata.name ?? '', now);
        return;
      case 'ObjectReplaced': {
        if (event.data.object.kind !== 'Pod') return;
        const pod = getObject(state, 'Pod', event.data.object.metadata.namespace, event.data.object.metadata.name ?? '');
        const entry = pod && pods.get(pod.metadata.uid ?? '');
        const record = entry && activeNode(entry.run.node);
        if (!pod || !entry || !record) return;
        applyStep(pod.metadata.uid ?? '', entry, updatePod(entry.run, pod, now, contextFor(record), startupDelay));
        return;
      }
      case 'ObjectRemoved':
        if (event.data.ref.kind === 'Node') deactivate(event.data.ref.name, true);
        else if (event.data.ref.kind === 'Pod') {
          const uid = event.data.ref.uid ?? uidByKey.get(event.data.ref.namespace ?? '', event.data.ref.name);
          if (uid) dropPod(uid, true);
        }
        return;
      case 'KubeletStopped':
        deactivate(event.data.node, false);
        return;
      case 'KubeletStarted':
        activate(event.data.node, now, true);
        return;
      case 'PodScheduled':
        onPodBound(event.data.ref.namespace, event.data.ref.name, now);
        return;
      case 'ObjectDeletionRequested': {
        if (event.data.ref.kind !== 'Pod') return;
        const pod = getObject(state, 'Pod', event.data.ref.namespace, event.data.ref.name);
        if (!pod) return;
        const uid = pod.metadata.uid ?? '';
        const entry = pods.get(uid);
        if (!entry) {
          onPodBound(pod.metadata.namespace, pod.metadata.name ?? '', now);
          return;
        }
        entry.causationId = event.position;
        if (event.metadata.correlationId) entry.correlationId = event.metadata.correlationId;
        else delete entry.correlationId;
        beginTermination(entry.run, now, pod.metadata.deletionGracePeriodSeconds ?? event.data.gracePeriodSeconds);
        applyStep(uid, entry, advancePod(entry.run, now, contextFor(nodes.get(entry.run.node)!)));
        return;
      }
      default:
        return;
    }
  }

  function onPodBound(namespace: string | undefined, name: string, now: number): void {
    const pod = getObject(state, 'Pod', namespace, name);
    const record = activeNode(pod?.spec?.nodeName);
    if (!pod || !record) return;
    takePod(record, pod, now);
  }

  function fireTimers(now: number): void {
    // Indexed: a for-of here made an array iterator at every event the kubelet saw.
    const due = timers.popDue(now);
    for (let i = 0; i < due.length; i++) {
      const key = due[i]!;
      if (key.startsWith('hb:')) {
        const slot = Number(key.slice(3));
        const members = slotMembers.get(slot);
        if (!members || members.size === 0) continue;
        const beating = [...members];
        out.push({ type: 'record', actor: beating.length === 1 ? kubeletActor(beating[0]!) : KUBELET_CONTROLLER_NAME, causationId: event.position, event: { type: 'NodeHeartbeat', data: { nodes: beating } } });
        timers.schedule(key, nextSlotTime(slot, now));
      } else {
        const entry = podByTimer.get(key);
        const record = entry && activeNode(entry.run.node);
        if (!entry || !record) continue;
        applyStep(entry.run.uid, entry, advancePod(entry.run, now, contextFor(record)));
      }
    }
  }

  /**
   * Resuming on a log that did not start with this controller (a restarted server, or a crashed
   * controller coming back): kubelets come back for every node whose kubelet no KubeletStopped
   * fault stopped, and resync their pods from status. A node marked Unknown only because
   * heartbeats went missing while the controller was down is taken back too.
   */
  function resume(now: number): void {
    for (const node of listObjects(state, 'Node')) {
      const name = node.metadata.name ?? '';
      if (!state.stoppedKubelets.has(name)) activate(name, now, true);
    }
  }

  let started = false;
  return {
    handle(input: ReconcileInput): readonly ControllerOutput[] {
      state = input.state;
      event = input.event;
      // Most events give the kubelet nothing to do: a list only handed out when it holds something,
      // so the empty one is kept for the next event instead of a new one per event.
      if (out.length !== 0) out = [];
      const now = Math.max(state.time, event.metadata.time);
      if (!started) {
        started = true;
        if (event.type !== 'ClusterInitialized') resume(now);
      }
      onEvent(now);
      fireTimers(now);
      const next = timers.peek();
      if (next !== undefined && (requestedWake === undefined || requestedWake <= now || next < requestedWake)) {
        requestedWake = next;
        out.push({ type: 'wakeAt', time: next });
      }
      return out.length === 0 ? NO_OUTPUT : out;
    },
  };
}
