import type { ContainerStatusUpdate, StoredEvent } from '../../core/events.ts';
import { containerUpdatesOf } from '../../projections/state/container-updates.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';

/** Who set an event in motion, as the debugger colours it. */
export type EventKind = 'user' | 'fault' | 'controller' | 'kubelet' | 'clock' | 'system';

export interface EventSummary {
  position: number;
  type: string;
  stream: string;
  time: string;
  actor: string;
  causationId?: number;
  correlationId?: string;
  /** One line, e.g. "scheduled default/web-7d9-abcde on node-2". */
  summary: string;
  kind: EventKind;
}

export function eventKind(actor: string): EventKind {
  if (actor.startsWith('user:')) return 'user';
  if (actor === 'fault-injector' || actor.startsWith('fault')) return 'fault';
  if (actor === 'clock') return 'clock';
  if (actor === 'kubelet' || actor.startsWith('kubelet/')) return 'kubelet';
  if (actor === 'orrery' || actor === 'system') return 'system';
  return 'controller';
}

/**
 * An input is an event nothing in the log caused: a user action, a fault, the clock, the cluster's
 * own initialisation. Everything else was derived by controllers and kubelets from inputs, so a
 * re-run over the same inputs must write it again.
 */
export function isInputEvent(event: StoredEvent): boolean {
  return event.metadata.causationId === undefined;
}

/** Events worth a red marker on a timeline: something went wrong for a workload or a node. */
export function isFailureEvent(event: StoredEvent): boolean {
  switch (event.type) {
    case 'PodUnschedulable':
    case 'PodEvicted':
    case 'KubeletStopped':
      return true;
    case 'PodPhaseChanged':
      return event.data.phase === 'Failed' || containerUpdatesOf(event).some(isContainerFailure);
    case 'ContainerStateChanged':
      return isContainerFailure(event.data);
    case 'NodeConditionChanged':
      return event.data.condition.type === 'Ready' && event.data.condition.status !== 'True';
    default:
      return false;
  }
}

function isContainerFailure({ state }: ContainerStatusUpdate): boolean {
  return (state.terminated !== undefined && state.terminated.exitCode !== 0) || state.waiting?.reason === 'CrashLoopBackOff';
}

function refText(ref: { namespace?: string; name: string }): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** The object an event's stream names, as `kind ns/name`, e.g. `pod default/web-1`. */
function streamText(stream: string): string {
  const [kind, ...rest] = stream.split('/');
  return `${(kind ?? '').toLowerCase()} ${rest.join('/')}`;
}

/** One line saying what the event did, in the words `kubectl describe` would use. */
export function describeEvent(event: StoredEvent): string {
  switch (event.type) {
    case 'ClusterInitialized':
      return `cluster initialised (seed ${event.data.seed}, ${event.data.mode} mode)`;
    case 'ClockAdvanced':
      return `clock advanced to ${toRfc3339(event.data.time)}`;
    case 'ObjectCreated': {
      const o = event.data.object;
      return `${o.kind.toLowerCase()} ${refText({ namespace: o.metadata.namespace, name: o.metadata.name ?? '' })} created${imageSuffix(o)}`;
    }
    case 'ObjectReplaced': {
      const o = event.data.object;
      return `${o.kind.toLowerCase()} ${refText({ namespace: o.metadata.namespace, name: o.metadata.name ?? '' })} updated${scaleSuffix(o)}${imageSuffix(o)}`;
    }
    case 'ObjectStatusReplaced':
      return `${event.data.ref.kind.toLowerCase()} ${refText(event.data.ref)} status updated`;
    case 'ObjectDeletionRequested':
      return `${event.data.ref.kind.toLowerCase()} ${refText(event.data.ref)} deletion requested (${event.data.propagationPolicy}, grace ${event.data.gracePeriodSeconds}s)`;
    case 'ObjectRemoved':
      return `${event.data.ref.kind.toLowerCase()} ${refText(event.data.ref)} deleted`;
    case 'NodeRegistered':
      return `node ${event.data.node.metadata.name} registered`;
    case 'NodeHeartbeat':
      return event.data.nodes.length === 1 ? `node ${event.data.nodes[0]} heartbeat` : `${event.data.nodes.length} nodes heartbeat`;
    case 'NodeConditionChanged':
      return `node ${event.data.node} ${event.data.condition.type}=${event.data.condition.status}${event.data.condition.reason ? ` (${event.data.condition.reason})` : ''}`;
    case 'NodeUnschedulableChanged':
      return `node ${event.data.node} ${event.data.unschedulable ? 'cordoned' : 'uncordoned'}`;
    case 'NodeTaintsChanged':
      return `node ${event.data.node} taints: ${event.data.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') || 'none'}`;
    case 'PodScheduled':
      return `scheduled ${refText(event.data.ref)} on ${event.data.nodeName}`;
    case 'PodUnschedulable':
      return `${refText(event.data.ref)} unschedulable: ${event.data.decision.message ?? 'no node fits'}`;
    case 'PodPhaseChanged': {
      const phase = `pod ${refText(event.data.ref)} ${event.data.phase}${event.data.reason ? ` (${event.data.reason})` : ''}`;
      return [phase, ...containerUpdatesOf(event).map(containerText)].join('; ');
    }
    case 'ContainerStateChanged':
      return `pod ${refText(event.data.ref)} ${containerText(event.data)}`;
    case 'PodEvicted':
      return `pod ${refText(event.data.ref)} evicted: ${event.data.message}`;
    case 'KubeletStopped':
      return `kubelet on ${event.data.node} stopped (${event.data.reason})`;
    case 'KubeletStarted':
      return `kubelet on ${event.data.node} started`;
    default:
      return `${(event as StoredEvent).type} on ${streamText((event as StoredEvent).stream)}`;
  }
}

/** `container app running, ready`. */
function containerText(update: ContainerStatusUpdate): string {
  const s = update.state;
  const state = s.running ? 'running' : s.terminated ? `terminated (${s.terminated.reason}, exit ${s.terminated.exitCode})` : `waiting (${s.waiting?.reason ?? ''})`;
  return `container ${update.container} ${state}${update.ready ? ', ready' : ''}`;
}

function scaleSuffix(object: { spec?: any }): string {
  return typeof object.spec?.replicas === 'number' ? ` (replicas ${object.spec.replicas})` : '';
}

function imageSuffix(object: { kind: string; spec?: any }): string {
  const containers = object.kind === 'Pod' ? object.spec?.containers : object.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0 || object.kind === 'Pod') return '';
  return ` (image ${containers.map((c: { image?: string }) => c.image).join(', ')})`;
}

export function summarizeEvent(event: StoredEvent): EventSummary {
  const summary: EventSummary = {
    position: event.position,
    type: event.type,
    stream: event.stream,
    time: toRfc3339(event.metadata.time),
    actor: event.metadata.actor,
    summary: describeEvent(event),
    kind: eventKind(event.metadata.actor),
  };
  if (event.metadata.causationId !== undefined) summary.causationId = event.metadata.causationId;
  if (event.metadata.correlationId !== undefined) summary.correlationId = event.metadata.correlationId;
  return summary;
}
