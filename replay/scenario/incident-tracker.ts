import type { ContainerStatusUpdate, StoredEvent } from '../../core/events.ts';
import type { ObjectRef } from '../../core/model/object.ts';
import { formatDuration } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { containerUpdatesOf } from '../../projections/state/container-updates.ts';
import { objectByUid } from '../../projections/state/queries.ts';
import { owningDeployment } from './pod-faults.ts';

/** One line of a scenario's timeline summary: a fault, a reaction to it, or a recovery. */
export interface IncidentLine {
  /** Virtual ms after the scenario's start. */
  at: number;
  position: number;
  kind: 'fault' | 'reaction' | 'recovery' | 'action';
  text: string;
}

interface OpenIncident {
  node: string;
  since: number;
  /** Owner uid → how many of its pods were on the node when it was lost. */
  owners: Map<string, number>;
  evictions: number;
  recovered: boolean;
}

function isReadyPod(pod: { status?: any; metadata: { deletionTimestamp?: string } }): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Follows a run and writes its story: faults, the cluster's reactions (node marked unreachable,
 * pods evicted) and recovery times such as "node-2 lost → all its pods Running elsewhere after 5m41s".
 */
export function createIncidentTracker(startTime: number) {
  const lines: IncidentLine[] = [];
  const open: OpenIncident[] = [];
  const seenSymptoms = new Set<string>();
  const drained = new Set<string>();
  const line = (event: StoredEvent, kind: IncidentLine['kind'], text: string) => lines.push({ at: event.metadata.time - startTime, position: event.position, kind, text });

  function recovered(incident: OpenIncident, state: ClusterState): boolean {
    for (const [ownerUid, lost] of incident.owners) {
      const owner = objectByUid(state, ownerUid);
      if (!owner) continue;
      const desired: number = owner.spec?.replicas ?? lost;
      let readyElsewhere = 0;
      for (const podKey of state.byOwner.get(ownerUid) ?? []) {
        const [kind, key] = [podKey.slice(0, podKey.indexOf(':')), podKey.slice(podKey.indexOf(':') + 1)];
        if (kind !== 'Pod') continue;
        const pod = state.objects.get('Pod')?.get(key);
        if (pod && pod.spec?.nodeName !== incident.node && isReadyPod(pod)) readyElsewhere++;
      }
      if (readyElsewhere < desired) return false;
    }
    return true;
  }

  /** The first sign of a container fault per workload and kind, not every restart. */
  function containerSymptom(event: StoredEvent, state: ClusterState, ref: ObjectRef, update: ContainerStatusUpdate): void {
    const waiting = update.state.waiting?.reason;
    const symptom =
      waiting === 'CrashLoopBackOff' ? 'crash-looping (CrashLoopBackOff)'
      : waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull' ? `failing to pull its image (${waiting})`
      : update.reason === 'Unhealthy' ? 'not ready (readiness probe failing)'
      : update.reason === 'Killing' && update.state.terminated?.exitCode === 137 ? 'killed by its liveness probe'
      : undefined;
    if (!symptom) return;
    const pod = state.objects.get('Pod')?.get(`${ref.namespace}/${ref.name}`);
    const workload = pod ? (owningDeployment(state, pod)?.metadata.name ?? pod.metadata.name) : ref.name;
    const key = `${workload}:${symptom}`;
    if (seenSymptoms.has(key)) return;
    seenSymptoms.add(key);
    line(event, 'reaction', `${pod && owningDeployment(state, pod) ? `deployment/${workload}` : `pod/${workload}`}: container ${update.container} ${symptom} (first: pod/${ref.name})`);
  }

  return {
    lines,
    onEvent(event: StoredEvent, state: ClusterState): void {
      switch (event.type) {
        case 'KubeletStopped': {
          const owners = new Map<string, number>();
          for (const key of state.podsByNode.get(event.data.node) ?? []) {
            const pod = state.objects.get('Pod')?.get(key);
            const owner = pod?.metadata.ownerReferences?.find((o) => o.controller);
            if (pod && owner && owner.kind !== 'DaemonSet') owners.set(owner.uid, (owners.get(owner.uid) ?? 0) + 1);
          }
          const lost = [...owners.values()].reduce((a, b) => a + b, 0);
          line(event, 'fault', `${event.data.node} ${event.data.reason === 'partition' ? 'partitioned' : 'crashed'} (kubelet stopped) with ${lost} controller-owned pod(s)`);
          open.push({ node: event.data.node, since: event.metadata.time, owners, evictions: 0, recovered: owners.size === 0 });
          return;
        }
        case 'KubeletStarted':
          line(event, 'fault', `${event.data.node} recovered (kubelet started)`);
          return;
        case 'NodeConditionChanged': {
          const condition = event.data.condition;
          if (condition.type === 'Ready' && condition.status !== 'True') {
            line(event, 'reaction', `${event.data.node} Ready=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`);
          }
          if (condition.type.endsWith('Pressure') && event.metadata.actor === 'fault-injector') {
            line(event, 'fault', `${event.data.node} ${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`);
          }
          return;
        }
        case 'ContainerStateChanged':
        case 'PodPhaseChanged':
          for (const update of containerUpdatesOf(event)) containerSymptom(event, state, event.data.ref, update);
          return;
        case 'PodEvicted': {
          if (event.data.reason === 'EvictionByEvictionAPI') {
            const node = state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`)?.spec?.nodeName;
            if (node && !drained.has(node)) {
              drained.add(node);
              line(event, 'reaction', `evicting pods from ${node} (Eviction API, PodDisruptionBudgets honoured)`);
            }
            return;
          }
          const incident = open.find((i) => !i.recovered && state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`)?.spec?.nodeName === i.node);
          if (incident) {
            incident.evictions++;
            if (incident.evictions === 1) line(event, 'reaction', `pods evicted from ${incident.node} (${event.data.reason}) ${formatDuration(event.metadata.time - incident.since)} after it was lost`);
          }
          return;
        }
        default:
          break;
      }
      if (open.length === 0) return;
      for (const incident of open) {
        if (incident.recovered) continue;
        if (recovered(incident, state)) {
          incident.recovered = true;
          line(event, 'recovery', `${incident.node} lost → all its pods Running elsewhere after ${formatDuration(event.metadata.time - incident.since)}`);
        }
      }
    },
    /** Incidents that never recovered, as lines at the end of the run. */
    finish(state: ClusterState): IncidentLine[] {
      for (const incident of open) {
        if (!incident.recovered) {
          lines.push({ at: state.time - startTime, position: state.position, kind: 'recovery', text: `${incident.node} lost → its pods were not all Running elsewhere by the end (${formatDuration(state.time - incident.since)} later)` });
        }
      }
      return lines;
    },
  };
}
