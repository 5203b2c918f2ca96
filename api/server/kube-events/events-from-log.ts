import type { ContainerState, ContainerStatusUpdate, StoredEvent } from '../../../core/events.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import { containerUpdatesOf } from '../../../projections/state/container-updates.ts';
import type { ObjectChange } from '../watch/object-changes.ts';
import { ingressServiceNames } from '../../../projections/controllers/ingress/ingress-backends.ts';
import { INGRESS_CONTROLLER } from '../../../projections/controllers/ingress/ingress-controller.ts';
import { DAEMONSET_CONTROLLER } from '../../../projections/controllers/daemonset/daemonset-controller.ts';
import { REPLICASET_CONTROLLER } from '../../../projections/controllers/replicaset/replicaset-controller.ts';
import { STATEFULSET_CONTROLLER } from '../../../projections/controllers/statefulset/statefulset-controller.ts';

/** What one log event says happened, in a core/v1 Event's terms (before naming and timestamps). */
export interface EventFact {
  involved: KubeObject;
  fieldPath?: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  host?: string;
}

/**
 * Kubernetes Events are a projection of the log (docs/architecture.md): the facts the scheduler,
 * kubelets and controllers recorded, worded as the real components word their Events.
 */
export function eventFactsOf(event: StoredEvent, changes: ObjectChange[], state: ClusterState): EventFact[] {
  const changed = changes[0];
  const after = changed?.after;
  const before = changed?.before;
  const actor = event.metadata.actor;
  switch (event.type) {
    case 'PodScheduled':
      if (!after) return [];
      return [{ involved: after, type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${after.metadata.namespace}/${after.metadata.name} to ${event.data.nodeName}`, component: 'default-scheduler' }];
    case 'PodUnschedulable':
      if (!after) return [];
      return [{ involved: after, type: 'Warning', reason: 'FailedScheduling', message: event.data.decision.message ?? 'no nodes available to schedule pods', component: 'default-scheduler' }];
    case 'ContainerStateChanged':
    case 'PodPhaseChanged':
      return after ? containerFacts(event, before, after) : [];
    case 'PodEvicted':
      if (!after || event.data.reason === 'EvictionByEvictionAPI') return [];
      if (event.data.reason === 'DeletionByTaintManager') {
        // The taint eviction controller's own Event (the reason above is the pod's DisruptionTarget condition's).
        const name = `${after.metadata.namespace}/${after.metadata.name}`;
        return [{ involved: after, type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${name}`, component: 'taint-eviction-controller' }];
      }
      if (event.data.reason === 'PreemptionByScheduler') {
        return [{ involved: after, type: 'Normal', reason: 'Preempted', message: `Preempted by pod ${event.data.preemptor ?? ''} on node ${after.spec?.nodeName ?? ''}`, component: 'default-scheduler' }];
      }
      return [{ involved: after, type: 'Warning', reason: event.data.reason, message: event.data.message, component: componentOf(actor), ...hostOf(actor) }];
    case 'ObjectCreated':
      return after ? createdFacts(after, actor, state) : [];
    case 'ObjectReplaced':
      return after && before ? replacedFacts(before, after, actor, state) : [];
    case 'ObjectStatusReplaced':
      return after?.kind === 'HorizontalPodAutoscaler' ? autoscalerFailureFacts(before, after) : [];
    case 'ObjectDeletionRequested':
    case 'ObjectRemoved':
      if (!before || before.metadata.deletionTimestamp) return [];
      return deletedFacts(before, actor, state);
    case 'NodeConditionChanged': {
      if (!after || event.data.condition.type !== 'Ready') return [];
      const wasReady = (before?.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready')?.status;
      if (wasReady === event.data.condition.status) return [];
      const ready = event.data.condition.status === 'True';
      return [{ involved: after, type: 'Normal', reason: ready ? 'NodeReady' : 'NodeNotReady', message: `Node ${after.metadata.name} status is now: ${ready ? 'NodeReady' : 'NodeNotReady'}`, component: ready ? 'kubelet' : 'node-controller', ...(ready ? { host: after.metadata.name } : {}) }];
    }
    case 'NodeUnschedulableChanged':
      if (!after) return [];
      return [{ involved: after, type: 'Normal', reason: event.data.unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable', message: `Node ${after.metadata.name} status is now: ${event.data.unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable'}`, component: 'kubelet', host: after.metadata.name! }];
    case 'NodeRegistered':
      if (!after || after.kind !== 'Node') return [];
      return [
        { involved: after, type: 'Normal', reason: 'Starting', message: 'Starting kubelet.', component: 'kubelet', host: after.metadata.name! },
        { involved: after, type: 'Normal', reason: 'RegisteredNode', message: `Node ${after.metadata.name} event: Registered Node ${after.metadata.name} in Controller`, component: 'node-controller' },
      ];
    default:
      return [];
  }
}

function componentOf(actor: string): string {
  return actor.startsWith('kubelet/') ? 'kubelet' : actor;
}

function hostOf(actor: string): { host?: string } {
  return actor.startsWith('kubelet/') ? { host: actor.slice('kubelet/'.length) } : {};
}

function ownerOf(object: KubeObject, kind: string, state: ClusterState): KubeObject | undefined {
  const reference = object.metadata.ownerReferences?.find((r) => r.kind === kind && r.controller);
  if (!reference) return undefined;
  return state.objects.get(kind)?.get(objectKey(object.metadata.namespace, reference.name));
}

/** Warning Events for an Ingress's backends that name no existing Service. */
function missingBackendFacts(ingress: KubeObject, state: ClusterState, only?: string): EventFact[] {
  const namespace = ingress.metadata.namespace!;
  return ingressServiceNames(ingress)
    .filter((name) => (only === undefined || name === only) && !state.objects.get('Service')?.has(`${namespace}/${name}`))
    .map((name) => ({
      involved: ingress,
      type: 'Warning' as const,
      reason: 'ServiceNotFound',
      message: `Ingress ${namespace}/${ingress.metadata.name} routes to service "${name}", which does not exist`,
      component: INGRESS_CONTROLLER,
    }));
}

function createdFacts(object: KubeObject, actor: string, state: ClusterState): EventFact[] {
  if (object.kind === 'Ingress') return missingBackendFacts(object, state);
  if (object.kind === 'Pod') {
    const owner = ownerOf(object, 'ReplicaSet', state) ?? ownerOf(object, 'StatefulSet', state) ?? ownerOf(object, 'DaemonSet', state) ?? ownerOf(object, 'Job', state);
    if (!owner || !actor.includes('controller')) return [];
    return [{ involved: owner, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${object.metadata.name}`, component: actor }];
  }
  if (object.kind === 'ReplicaSet') {
    const deployment = ownerOf(object, 'Deployment', state);
    if (!deployment) return [];
    const replicas = Number(object.spec?.replicas ?? 0);
    if (replicas === 0) return [];
    return [{ involved: deployment, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${object.metadata.name} from 0 to ${replicas}`, component: 'deployment-controller' }];
  }
  return [];
}

function replacedFacts(before: KubeObject, after: KubeObject, actor: string, state: ClusterState): EventFact[] {
  if (actor === 'horizontal-pod-autoscaler') return rescaleFacts(before, after, state);
  if (after.kind === 'Ingress') return JSON.stringify(before.spec) === JSON.stringify(after.spec) ? [] : missingBackendFacts(after, state);
  if (after.kind !== 'ReplicaSet') return [];
  const deployment = ownerOf(after, 'Deployment', state);
  const from = Number(before.spec?.replicas ?? 0);
  const to = Number(after.spec?.replicas ?? 0);
  if (!deployment || from === to) return [];
  const direction = to > from ? 'up' : 'down';
  return [{ involved: deployment, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${direction} replica set ${after.metadata.name} from ${from} to ${to}`, component: 'deployment-controller' }];
}

/** The autoscaler's `SuccessfulRescale`, with the reason `reconcileAutoscaler` gives. */
function rescaleFacts(before: KubeObject, after: KubeObject, state: ClusterState): EventFact[] {
  const from = Number(before.spec?.replicas ?? 1);
  const to = Number(after.spec?.replicas ?? 1);
  const hpa = [...(state.objects.get('HorizontalPodAutoscaler')?.values() ?? [])].find(
    (h) => h.metadata.namespace === after.metadata.namespace && h.spec?.scaleTargetRef?.kind === after.kind && h.spec?.scaleTargetRef?.name === after.metadata.name,
  );
  if (!hpa || from === to) return [];
  let reason: string;
  if (from > hpa.spec.maxReplicas) reason = 'Current number of replicas above Spec.MaxReplicas';
  else if (from < (hpa.spec.minReplicas ?? 1)) reason = 'Current number of replicas below Spec.MinReplicas';
  else if (to > from) reason = `${hpa.spec.metrics?.[0]?.resource?.name ?? 'cpu'} resource utilization (percentage of request) above target`;
  else reason = 'All metrics below target';
  return [{ involved: hpa, type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${to}; reason: ${reason}`, component: 'horizontal-pod-autoscaler' }];
}

const HPA_FAILURE_PREFIXES: Record<string, string> = {
  AbleToScale: "the HPA controller was unable to get the target's current scale: ",
  ScalingActive: 'the HPA was unable to compute the replica count: ',
};

/** The autoscaler's Warning Events (`FailedGetScale`, `FailedGetResourceMetric`), on the sync where the failure starts. */
function autoscalerFailureFacts(before: KubeObject | undefined, hpa: KubeObject): EventFact[] {
  type Condition = { type: string; status: string; reason?: string; message?: string };
  const previous = (before?.status?.conditions ?? []) as Condition[];
  const facts: EventFact[] = [];
  for (const condition of (hpa.status?.conditions ?? []) as Condition[]) {
    const prefix = HPA_FAILURE_PREFIXES[condition.type];
    if (!prefix || condition.status !== 'False' || !condition.reason || !condition.message?.startsWith(prefix)) continue;
    const was = previous.find((c) => c.type === condition.type);
    if (was?.status === 'False' && was.reason === condition.reason) continue;
    facts.push({ involved: hpa, type: 'Warning', reason: condition.reason, message: condition.message.slice(prefix.length), component: 'horizontal-pod-autoscaler' });
  }
  return facts;
}

function deletedFacts(object: KubeObject, actor: string, state: ClusterState): EventFact[] {
  if (object.kind === 'Service') {
    const ingresses = [...(state.objects.get('Ingress')?.values() ?? [])].filter((i) => i.metadata.namespace === object.metadata.namespace);
    return ingresses.flatMap((ingress) => missingBackendFacts(ingress, state, object.metadata.name));
  }
  if (object.kind !== 'Pod') return [];
  // Only the owner's own controller's deletions: a pod the taint manager or the garbage collector
  // deletes is not the ReplicaSet scaling down.
  const owner =
    actor === REPLICASET_CONTROLLER ? ownerOf(object, 'ReplicaSet', state) : actor === STATEFULSET_CONTROLLER ? ownerOf(object, 'StatefulSet', state) : actor === DAEMONSET_CONTROLLER ? ownerOf(object, 'DaemonSet', state) : undefined;
  if (!owner) return [];
  return [{ involved: owner, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${object.metadata.name}`, component: actor }];
}

type ContainerStateRecord = { name: string; state?: ContainerState };

/** The kubelet's container Events (Pulling, Pulled, Created, Started, BackOff, Killing...) for the container changes an event carries. */
function containerFacts(event: StoredEvent, before: KubeObject | undefined, pod: KubeObject): EventFact[] {
  const updates = containerUpdatesOf(event);
  if (updates.length === 0) return [];
  const statuses = [...((before?.status?.initContainerStatuses as ContainerStateRecord[] | undefined) ?? []), ...((before?.status?.containerStatuses as ContainerStateRecord[] | undefined) ?? [])];
  // Each change is weighed against the container's state just before it (an earlier change in the same update counts).
  const stateBefore = new Map<string, ContainerState | undefined>();
  const facts: EventFact[] = [];
  for (const update of updates) {
    const previous = stateBefore.has(update.container) ? stateBefore.get(update.container) : statuses.find((s) => s.name === update.container)?.state;
    facts.push(...containerUpdateFacts(update, previous, pod, event.metadata.actor));
    stateBefore.set(update.container, update.state);
  }
  return facts;
}

function containerUpdateFacts(update: ContainerStatusUpdate, previous: ContainerState | undefined, pod: KubeObject, actor: string): EventFact[] {
  const { container, state, restartCount } = update;
  const containers = [...((pod.spec?.initContainers as Array<{ name: string; image?: string }> | undefined) ?? []), ...((pod.spec?.containers as Array<{ name: string; image?: string }> | undefined) ?? [])];
  const spec = containers.find((c) => c.name === container);
  const isInit = ((pod.spec?.initContainers as Array<{ name: string }> | undefined) ?? []).some((c) => c.name === container);
  const fieldPath = `spec.${isInit ? 'initContainers' : 'containers'}{${container}}`;
  const image = spec?.image ?? '';
  const host = { ...hostOf(actor) };
  const base = { involved: pod, fieldPath, component: 'kubelet', ...host };
  const facts: EventFact[] = [];
  const pulling: EventFact = { ...base, type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` };
  // The kubelet pulls as it creates the container. A pod without init containers announced the
  // pull when its containers went ContainerCreating; containers that waited as PodInitializing,
  // or in a back-off, pull (and say so) only now.
  const pullAnnounced = previous?.waiting?.reason === 'ContainerCreating';
  if (update.reason === 'FailedMount') return [{ involved: pod, type: 'Warning', reason: 'FailedMount', message: update.message ?? '', component: 'kubelet', ...host }];
  if (state.waiting) {
    const reason = state.waiting.reason;
    if (previous?.waiting?.reason === reason) return [];
    if (reason === 'ContainerCreating' && restartCount === 0) facts.push(pulling);
    else if (reason === 'CrashLoopBackOff') facts.push({ ...base, type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${container} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` });
    else if (reason === 'ImagePullBackOff') facts.push({ ...base, type: 'Warning', reason: 'BackOff', message: `Back-off pulling image "${image}"` });
    else if (reason === 'CreateContainerConfigError') facts.push({ ...base, type: 'Warning', reason: 'Failed', message: `Error: ${state.waiting.message ?? ''}` });
    else if (reason === 'ErrImagePull') {
      if (!pullAnnounced) facts.push(pulling);
      facts.push({ ...base, type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${state.waiting.message ?? 'image not found'}` });
    }
    return facts;
  }
  // A container whose process exits at once goes from waiting straight to terminated: it was
  // still created and started.
  const startedNow = state.running ? !previous?.running : !!(state.terminated && previous?.waiting);
  if (startedNow) {
    if (restartCount === 0 && !pullAnnounced) facts.push(pulling);
    if (restartCount === 0) facts.push({ ...base, type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${image}"` });
    facts.push({ ...base, type: 'Normal', reason: 'Created', message: `Created container: ${container}` });
    facts.push({ ...base, type: 'Normal', reason: 'Started', message: `Started container ${container}` });
    return facts;
  }
  if (state.running && update.reason === 'Unhealthy') {
    facts.push({ ...base, type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed` });
    return facts;
  }
  if (state.terminated && !previous?.terminated && pod.metadata.deletionTimestamp) {
    facts.push({ ...base, type: 'Normal', reason: 'Killing', message: `Stopping container ${container}` });
  }
  return facts;
}

/** A fact as a core/v1 Event object, named and versioned by the log position it comes from. */
export function kubeEventOf(fact: EventFact, event: StoredEvent, index: number): KubeObject {
  const involved = fact.involved;
  const namespace = involved.metadata.namespace ?? 'default';
  const time = toRfc3339(event.metadata.time);
  const involvedObject: Record<string, unknown> = {
    kind: involved.kind,
    name: involved.metadata.name,
    uid: involved.metadata.uid,
    apiVersion: involved.apiVersion,
    resourceVersion: involved.metadata.resourceVersion,
  };
  if (involved.metadata.namespace) involvedObject.namespace = involved.metadata.namespace;
  if (fact.fieldPath) involvedObject.fieldPath = fact.fieldPath;
  const suffix = `${event.position.toString(16).padStart(12, '0')}${index ? `-${index}` : ''}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${involved.metadata.name}.${suffix}`,
      namespace,
      uid: `${event.position.toString(16).padStart(8, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
      resourceVersion: String(event.position),
      creationTimestamp: time,
    },
    involvedObject,
    reason: fact.reason,
    message: fact.message,
    source: fact.host ? { component: fact.component, host: fact.host } : { component: fact.component },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: fact.type,
    eventTime: null,
    reportingComponent: fact.component,
    reportingInstance: fact.host ?? '',
  };
}
