import type { KubeObject, ObjectRef } from './model/object.ts';

/** Global position of an event in the log. Starts at 1; 0 means "before the first event". */
export type Position = number;

/** Provenance every event carries. */
export interface EventMetadata {
  /** Who wrote it: `user:<name>`, a controller name (`scheduler`, `replicaset-controller`), `kubelet/<node>`, `fault-injector`, `clock`. */
  actor: string;
  /** Position of the event that caused this one; absent for user actions and faults, which start a chain. */
  causationId?: Position;
  /** Shared by every event one user action or fault set in motion. */
  correlationId?: string;
  /** Virtual time in milliseconds since the Unix epoch. */
  time: number;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

/** Kubernetes' ContainerState: exactly one of the three is set. */
export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string };
}

/** One container's state change, as the kubelet reports it (ContainerStateChanged's data without the pod). */
export interface ContainerStatusUpdate {
  container: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  reason?: string;
  /** The Event message when the state does not carry it (a volume that failed to mount). */
  message?: string;
}

/** One node's verdict in a scheduling decision. */
export interface NodeVerdict {
  node: string;
  /** Absent when the node passed every filter; otherwise Kubernetes' reason, e.g. `Insufficient cpu`. */
  failure?: string;
  /** The filter plugin that rejected the node, e.g. `NodeResourcesFit`. */
  plugin?: string;
  /** Per-plugin normalised scores (0–100) for feasible nodes. */
  scores?: Record<string, number>;
  total?: number;
}

export interface SchedulingDecision {
  /** Nodes the scheduler looked at (percentageOfNodesToScore may stop early). */
  evaluated: number;
  feasible: number;
  /** Per-node verdicts written out (older records; capped for very large clusters, `truncated` says so, and replay recomputes the rest). Empty when `table` holds them. */
  verdicts: NodeVerdict[];
  truncated?: boolean;
  chosen?: string;
  /** Kubernetes' wording for unschedulable pods: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable.` */
  message?: string;
  /** The plugin whose score separated the winner from the runner-up, when one did. */
  decidedBy?: string;
  /**
   * Every evaluated node's verdict, compactly (the scheduler writes this and leaves `verdicts`
   * empty): `expandVerdictTable` in projections/controllers/scheduler/verdict-table.ts turns it
   * back into one NodeVerdict per node, losslessly.
   */
  table?: VerdictTable;
}

/**
 * A scheduling decision's verdicts with nodes grouped by identical verdict: `groups` holds each
 * distinct verdict once (a filter failure, or a feasible node's per-plugin scores, parallel to
 * `plugins`), and `rows` gives each evaluated node's group as base64url digits, in the order of
 * `nodes`, as many digits per node as the number of groups needs (1 up to 64 groups, 2 up to 4,096, ...);
 * a run of nodes in one group may be written once followed by `*` and the run's length (`A*437BA*62`).
 */
export interface VerdictTable {
  /** The evaluated nodes in evaluation order: names, and runs of consecutively numbered names as `node-0100..0599`. */
  nodes: string[];
  /** Score plugins (the table's columns) with their weights; a node's total is the weighted sum. */
  plugins: Array<{ name: string; weight: number }>;
  groups: Array<{ plugin: string; failure: string } | { scores: number[] }>;
  rows: string;
}

/**
 * A perturbation of what one controller observes and when, over a window of log positions: a stale
 * view, coalesced notifications, reacting first, or a crash mid-reconcile and restart. The engine's
 * semantics are in projections/engine/interleaving.ts.
 */
export interface DeliveryPerturbation {
  /** The controller's `name`. */
  controller: string;
  kind: 'stale' | 'coalesce' | 'first' | 'restart';
  /** First log position of the window. */
  from: Position;
  /** Last log position of the window (inclusive). */
  to: Position;
  /** `stale` only: how many events behind the log the controller's view is (default 0). */
  lag?: number;
  /** `restart` only: how many commands of the interrupted reaction get through (default 0). */
  keep?: number;
}

/** The event catalogue: a discriminated union on `type`. */
export type OrreryEvent =
  | {
      type: 'ClusterInitialized';
      /** `interleavings`: the schedule the controllers ran under, when not the default order (so a re-run follows it). */
      data: { seed: number; startTime: number; mode: 'server' | 'simulation'; interleavings?: DeliveryPerturbation[] };
    }
  | { type: 'ClockAdvanced'; data: { time: number } }
  // Object lifecycle, from API writes and controllers' object writes.
  | { type: 'ObjectCreated'; data: { object: KubeObject } }
  | { type: 'ObjectReplaced'; data: { object: KubeObject } }
  | { type: 'ObjectStatusReplaced'; data: { ref: ObjectRef; status: unknown } }
  | {
      type: 'ObjectDeletionRequested';
      data: { ref: ObjectRef; deletionTimestamp: string; gracePeriodSeconds: number; propagationPolicy: PropagationPolicy };
    }
  | { type: 'ObjectRemoved'; data: { ref: ObjectRef } }
  // Node status.
  | { type: 'NodeRegistered'; data: { node: KubeObject } }
  /** Lease renewals: one event for every node whose kubelet beat at this instant. */
  | { type: 'NodeHeartbeat'; data: { nodes: string[] } }
  | { type: 'NodeConditionChanged'; data: { node: string; condition: NodeCondition } }
  | { type: 'NodeUnschedulableChanged'; data: { node: string; unschedulable: boolean } }
  | { type: 'NodeTaintsChanged'; data: { node: string; taints: Taint[] } }
  // Pod status.
  | { type: 'PodScheduled'; data: { ref: ObjectRef; nodeName: string; decision: SchedulingDecision } }
  | { type: 'PodUnschedulable'; data: { ref: ObjectRef; decision: SchedulingDecision } }
  /**
   * One pod status update from the kubelet. `containers`: the container state changes written in the same
   * update, at the same instant (applied after the phase fields, in order), as the real kubelet's status
   * manager writes the whole status at once; older logs carry them as separate ContainerStateChanged events.
   */
  | {
      type: 'PodPhaseChanged';
      data: {
        ref: ObjectRef;
        phase: PodPhase;
        reason?: string;
        message?: string;
        podIP?: string;
        hostIP?: string;
        containers?: ContainerStatusUpdate[];
      };
    }
  | { type: 'ContainerStateChanged'; data: ContainerStatusUpdate & { ref: ObjectRef } }
  /** `preemptor`: the uid of the pod a preemption (reason PreemptionByScheduler) makes room for. */
  | { type: 'PodEvicted'; data: { ref: ObjectRef; reason: string; message: string; preemptor?: string } }
  // Faults and the simulated machinery they act on.
  | { type: 'KubeletStopped'; data: { node: string; reason: string } }
  | { type: 'KubeletStarted'; data: { node: string } };

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';
export type EventType = OrreryEvent['type'];
export type EventOfType<T extends EventType> = Extract<OrreryEvent, { type: T }>;

/** An event on its way into the log. */
export type NewEvent<E extends OrreryEvent = OrreryEvent> = E & { metadata: EventMetadata };

/** An event as the log holds it. */
export type StoredEvent<E extends OrreryEvent = OrreryEvent> = NewEvent<E> & {
  stream: string;
  /** 0-based revision within its stream. */
  streamRevision: number;
  position: Position;
};

export function isEventOfType<T extends EventType>(event: { type: string }, type: T): event is StoredEvent<EventOfType<T>> {
  return event.type === type;
}

/** The stream that holds cluster-wide events (initialisation, clock). */
export const CLUSTER_STREAM = 'cluster';
