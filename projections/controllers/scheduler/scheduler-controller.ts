import type { OrreryEvent, StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { type Prng, createPrng, hashSeed } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { type PodInfo, needsScheduling, podInfoOf } from './pod-info.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { passesFilters, schedulePod } from './schedule-pod.ts';
import { PREEMPTION_MESSAGE, PREEMPTION_REASON, preemptionFor } from './preemption.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const SCHEDULER_NAME = 'scheduler';

export interface SchedulerOptions {
  /** kube-scheduler's percentageOfNodesToScore; 0 (default) is adaptive. */
  percentageOfNodesToScore?: number;
}

/**
 * The default scheduler. Pods that need a node are scheduled as soon as the scheduler sees them;
 * each decision is recorded as PodScheduled or PodUnschedulable (actor `scheduler`, caused by the
 * event that prompted it, carrying its correlation id). Unschedulable pods wait until a node is
 * added or changes, or a bound pod goes away, and are retried only if that node now passes their
 * filters (pods with pod affinity also when a pod lands, pods with hard spread constraints when a
 * pod of their namespace comes or goes); an unchanged failure message is not recorded again.
 */
export function createSchedulerController(options: SchedulerOptions = {}): Controller {
  return {
    name: SCHEDULER_NAME,
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const scheduler = new Scheduler(options);
      return input$.pipe(reconcileEach((input) => scheduler.handle(input)));
    },
  };
}

const NOTHING_LIFTED: ReadonlyArray<[string, Nomination]> = [];

/** A pod nominated to a node by preemption: the room it holds there. */
interface Nomination {
  node: string;
  info: PodInfo;
  object: KubeObject;
}

interface WaitingPod {
  info: PodInfo;
  object: KubeObject;
  /** The FailedScheduling message last recorded for it. */
  message: string | undefined;
  sequence: number;
}

const IGNORED_EVENTS = new Set<OrreryEvent['type']>(['NodeHeartbeat', 'ClockAdvanced', 'KubeletStopped', 'KubeletStarted', 'ClusterInitialized']);

class Scheduler {
  private cache: SchedulerCache | undefined;
  private readonly unschedulable = new Map<string, WaitingPod>();
  /** Pods nominated to a node by preemption and not yet placed → that node (room held in the cache). */
  private readonly nominations = new Map<string, Nomination>();
  private nextStartIndex = 0;
  private sequence = 0;
  private outputs: ControllerOutput[] = [];
  private event!: StoredEvent;
  private state!: ClusterState;
  private prng: Prng | undefined;

  constructor(private readonly options: SchedulerOptions) {}

  handle({ event, state }: ReconcileInput): ControllerOutput[] {
    this.outputs = [];
    this.event = event;
    this.state = state;
    this.prng = undefined;
    if (!this.cache) {
      this.cache = SchedulerCache.fromState(state);
      const pending = pendingPodsIn(state);
      // Nominations outlive a restart in the pods' status, as kube-scheduler's nominator is rebuilt.
      for (const pod of pending) if (typeof pod.status?.nominatedNodeName === 'string') this.hold(podInfoOf(pod), pod, pod.status.nominatedNodeName);
      for (const pod of pending) this.schedule(pod);
      return this.outputs;
    }
    if (IGNORED_EVENTS.has(event.type)) return this.outputs;
    const stream = event.stream;
    if (stream.startsWith('Node/')) this.onNodeEvent(stream.slice(5));
    else if (stream.startsWith('Pod/')) this.onPodEvent(stream.slice(4));
    return this.outputs;
  }

  private onNodeEvent(name: string): void {
    const change = this.cache!.syncNode(name, this.state.objects.get('Node')?.get(name));
    if (change !== 'unchanged') this.retryOn(name);
  }

  private onPodEvent(key: string): void {
    const cache = this.cache!;
    const pod = this.state.objects.get('Pod')?.get(key);
    const freed = cache.syncPod(key, pod);
    let waiting = this.unschedulable.get(key);
    if (waiting && pod && waiting.object.metadata.uid !== pod.metadata.uid) {
      // Deleted and created again under the same name: a new pod, not the one that was waiting.
      this.unschedulable.delete(key);
      waiting = undefined;
    }
    if (!pod || !needsScheduling(pod)) {
      if (waiting) this.unschedulable.delete(key);
      this.letGo(key);
    } else if (!cache.isAssumed(key) && (!waiting || (this.event.type === 'ObjectReplaced' && waiting.object !== pod))) {
      this.schedule(pod, waiting);
    }
    if (freed) this.retryOn(freed);
    // A pod that lands on a node may be what a waiting pod's affinity asks for.
    const boundTo = pod?.spec?.nodeName as string | undefined;
    const landed = boundTo !== undefined && this.event.type === 'PodScheduled';
    if (landed && this.unschedulable.size > 0 && [...this.unschedulable.values()].some((w) => w.info.affinityTerms)) this.retryOn(boundTo);
    // Spread constraints compare domains with the emptiest one, so a pod arriving or leaving
    // anywhere in the namespace may open up any node: those pods get a whole new cycle.
    if ((landed || freed) && this.unschedulable.size > 0) {
      const namespace = key.slice(0, key.indexOf('/'));
      const spreading = [...this.unschedulable.values()].filter((w) => w.info.hardSpreadConstraints && w.info.namespace === namespace).sort(queueOrder);
      for (const waiting of spreading) if (this.unschedulable.get(waiting.info.key) === waiting) this.schedule(waiting.object, waiting);
    }
  }

  /** Retries, in queue order, the unschedulable pods that the given node now fits. */
  private retryOn(nodeName: string): void {
    if (this.unschedulable.size === 0) return;
    const node = this.cache!.node(nodeName);
    if (!node) return;
    // A pod nominated here is retried even though the room it holds makes the node look full to it,
    // and so is one that outranks a pod nominated here (that room is not held against it).
    const candidates = [...this.unschedulable.values()]
      .filter((waiting) => this.nominations.get(waiting.info.key)?.node === nodeName || this.outranksHoldOn(nodeName, waiting.info.priority) || passesFilters(waiting.info, node, this.cache!))
      .sort(queueOrder);
    for (const waiting of candidates) this.schedule(waiting.object, waiting);
  }

  private schedule(pod: KubeObject, waiting?: WaitingPod): void {
    const cache = this.cache!;
    const info = podInfoOf(pod);
    // The room held for this pod is its own to use.
    const heldOn = this.nominations.get(info.key)?.node;
    if (heldOn !== undefined) cache.release(info.key);
    const lifted = this.nominations.size > 0 ? this.liftHoldsBelow(info.key, info.priority) : NOTHING_LIFTED;
    try {
      this.scheduleWithHolds(pod, info, heldOn, waiting);
    } finally {
      for (const [key, nomination] of lifted) if (this.nominations.get(key) === nomination) cache.reserve(nomination.info, nomination.object, nomination.node);
    }
  }

  /**
   * Releases, while one pod is scheduled, the room held for nominated pods of lower priority than
   * it: kube-scheduler counts only nominated pods of at least the pod's own priority against it
   * (in filtering and in preemption), so a more important pod may take that room.
   */
  private liftHoldsBelow(key: string, priority: number): Array<[string, Nomination]> {
    const lifted: Array<[string, Nomination]> = [];
    for (const [nominee, nomination] of this.nominations) {
      if (nominee === key || nomination.info.priority >= priority) continue;
      this.cache!.release(nominee);
      lifted.push([nominee, nomination]);
    }
    return lifted;
  }

  private outranksHoldOn(nodeName: string, priority: number): boolean {
    for (const nomination of this.nominations.values()) if (nomination.node === nodeName && nomination.info.priority < priority) return true;
    return false;
  }

  private scheduleWithHolds(pod: KubeObject, info: PodInfo, heldOn: string | undefined, waiting: WaitingPod | undefined): void {
    const cache = this.cache!;
    const result = schedulePod(info, cache.nodes, cache, {
      startIndex: this.nextStartIndex,
      prng: this.tiebreaker(),
      ...(this.options.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: this.options.percentageOfNodesToScore } : {}),
    });
    if (cache.nodes.length > 0) this.nextStartIndex = (this.nextStartIndex + result.processed) % cache.nodes.length;
    if (result.node) {
      this.unschedulable.delete(info.key);
      this.nominations.delete(info.key);
      cache.assume(info, pod, result.node.name);
      this.record({ type: 'PodScheduled', data: { ref: info.ref, nodeName: result.node.name, decision: result.decision } });
      return;
    }
    // The pod as the state holds it now (a waiting pod's object may predate its nomination).
    const current = this.state.objects.get('Pod')?.get(info.key) ?? pod;
    const preemption = preemptionFor(info, current, cache.allNodes(), cache, this.state);
    const decision = preemption?.message ? { ...result.decision, message: `${result.decision.message} ${preemption.message}` } : result.decision;
    const message = decision.message;
    const previous = waiting?.message ?? unschedulableMessageOf(pod);
    this.unschedulable.set(info.key, { info, object: pod, message, sequence: waiting?.sequence ?? this.sequence++ });
    if (message !== previous) this.record({ type: 'PodUnschedulable', data: { ref: info.ref, decision } });
    if (preemption?.nominated) this.nominate(current, preemption.nominated.node, preemption.nominated.victims);
    else if (heldOn !== undefined) cache.reserve(info, pod, heldOn);
  }

  private hold(info: PodInfo, pod: KubeObject, node: string): void {
    this.nominations.set(info.key, { node, info, object: pod });
    this.cache!.reserve(info, pod, node);
  }

  private letGo(key: string): void {
    if (this.nominations.delete(key)) this.cache!.release(key);
  }

  /**
   * What kube-scheduler does with a preemption's outcome: the pod's `status.nominatedNodeName`, and
   * each victim marked (DisruptionTarget, the Preempted Event) and deleted gracefully. The pod is
   * scheduled once the victims are gone and the node fits it.
   */
  private nominate(pod: KubeObject, node: string, victims: readonly KubeObject[]): void {
    this.hold(podInfoOf(pod), pod, node);
    const meta: { actor: string; causationId: number; correlationId?: string } = { actor: SCHEDULER_NAME, causationId: this.event.position };
    if (this.event.metadata.correlationId !== undefined) meta.correlationId = this.event.metadata.correlationId;
    if (pod.status?.nominatedNodeName !== node) {
      this.outputs.push({ ...meta, type: 'update', subresource: 'status', object: { ...pod, metadata: { ...pod.metadata, resourceVersion: undefined }, status: { ...pod.status, nominatedNodeName: node } } });
    }
    for (const victim of victims) {
      const ref = { kind: 'Pod', namespace: victim.metadata.namespace!, name: victim.metadata.name! };
      const evicted = { ref: { ...ref, uid: victim.metadata.uid! }, reason: PREEMPTION_REASON, message: PREEMPTION_MESSAGE, preemptor: pod.metadata.uid! };
      this.outputs.push({ ...meta, type: 'record', event: { type: 'PodEvicted', data: evicted } });
      this.outputs.push({ ...meta, type: 'delete', ref, preconditions: { uid: victim.metadata.uid! } });
    }
  }

  private record(event: Extract<OrreryEvent, { type: 'PodScheduled' | 'PodUnschedulable' }>): void {
    const command: Command = { type: 'record', actor: SCHEDULER_NAME, causationId: this.event.position, event };
    const correlationId = this.event.metadata.correlationId;
    if (correlationId !== undefined) command.correlationId = correlationId;
    this.outputs.push(command);
  }

  /**
   * One PRNG per input event, drawn from in decision order, so a replay breaks ties identically.
   * The same lazy front for every decision: it finds the input event's PRNG when first drawn from
   * (making two closures per decision cost ~5 µs under tsx's keepNames).
   */
  private readonly lazyTiebreaker: Prng = {
    next: () => this.draw().next(),
    int: (n) => this.draw().int(n),
  };

  private tiebreaker(): Prng {
    return this.lazyTiebreaker;
  }

  private draw(): Prng {
    return (this.prng ??= createPrng(hashSeed(this.state.seed, 'tiebreak', this.event.position)));
  }
}

/** kube-scheduler's PrioritySort: higher priority first, then first come first served. */
function queueOrder(a: WaitingPod, b: WaitingPod): number {
  return b.info.priority - a.info.priority || a.sequence - b.sequence;
}

/** Pods in the state waiting for a node, in PrioritySort order (creation time, then name, for equal priority). */
function pendingPodsIn(state: ClusterState): KubeObject[] {
  const pods: KubeObject[] = [];
  for (const pod of state.objects.get('Pod')?.values() ?? []) if (needsScheduling(pod)) pods.push(pod);
  const priority = (pod: KubeObject) => (typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0);
  return pods.sort(
    (a, b) =>
      priority(b) - priority(a) ||
      compare(a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? '') ||
      compare(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The message of the pod's PodScheduled=False condition, so a restarted scheduler does not repeat it. */
function unschedulableMessageOf(pod: KubeObject): string | undefined {
  const conditions = (pod.status?.conditions ?? []) as Array<{ type: string; status: string; message?: string }>;
  const condition = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return condition?.message;
}
