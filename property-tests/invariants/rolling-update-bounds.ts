import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { ownedBy } from '../../projections/state/queries.ts';
import { defineInvariant } from './invariant.ts';
import { scriptedToFail } from './workloads-converge.ts';

/**
 * The bounds are resolved here, independently of the Deployment controller's own code: an oracle
 * that shared the implementation would share its bugs.
 */
export function rollingUpdateBounds(deployment: KubeObject): { maxSurge: number; maxUnavailable: number } | undefined {
  const spec = deployment.spec ?? {};
  if ((spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  const replicas: number = spec.replicas ?? 1;
  const resolve = (value: unknown, roundUp: boolean): number => {
    if (value === undefined || value === null) return roundUp ? Math.ceil(replicas * 0.25) : Math.floor(replicas * 0.25);
    if (typeof value === 'number') return value;
    const percent = Number(String(value).replace('%', '')) / 100;
    return roundUp ? Math.ceil(replicas * percent) : Math.floor(replicas * percent);
  };
  const maxSurge = resolve(spec.strategy?.rollingUpdate?.maxSurge, true);
  let maxUnavailable = resolve(spec.strategy?.rollingUpdate?.maxUnavailable, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

function isAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  return Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 <= now;
}

export function deploymentPods(state: ClusterState, deployment: KubeObject): KubeObject[] {
  const pods: KubeObject[] = [];
  for (const rs of ownedBy(state, deployment.metadata.uid!)) {
    if (rs.kind !== 'ReplicaSet') continue;
    for (const pod of ownedBy(state, rs.metadata.uid!)) if (pod.kind === 'Pod' && !pod.metadata.deletionTimestamp) pods.push(pod);
  }
  return pods;
}

/** Events after which fewer available pods is the world's doing, not the controller's. */
function isDisruption(event: StoredEvent): boolean {
  if (event.metadata.actor === 'fault-injector') return true;
  if (event.type === 'PodEvicted' || event.type === 'KubeletStopped') return true;
  if (event.type === 'NodeConditionChanged' && event.data.condition.type === 'Ready' && event.data.condition.status !== 'True') return true;
  if (event.type === 'ObjectDeletionRequested' || event.type === 'ObjectRemoved') {
    return event.data.ref.kind === 'Pod' && event.metadata.actor.startsWith('user:');
  }
  // A container that stops being ready on its own (crash, failing probe) is the workload's fault.
  if (event.type === 'ContainerStateChanged') return !event.data.ready && (event.data.state.running !== undefined || event.data.state.terminated !== undefined || event.data.restartCount > 0);
  return false;
}

function touchesWorkloads(event: StoredEvent): boolean {
  switch (event.type) {
    case 'ObjectCreated':
    case 'ObjectReplaced':
      return ['Pod', 'ReplicaSet', 'Deployment'].includes(event.data.object.kind);
    case 'ObjectDeletionRequested':
    case 'ObjectRemoved':
    case 'ObjectStatusReplaced':
      return ['Pod', 'ReplicaSet', 'Deployment'].includes(event.data.ref.kind);
    case 'ContainerStateChanged':
    case 'PodPhaseChanged':
    case 'ClockAdvanced':
      return true;
    default:
      return false;
  }
}

export const rollingUpdateWithinBounds = defineInvariant({
  name: 'rolling-update-within-bounds',
  description:
    'While nodes are healthy, a RollingUpdate Deployment never has more than replicas + maxSurge pods, nor (once it has been available) fewer than replicas - maxUnavailable available pods.',
  category: 'safety',
  start() {
    let disrupted = false;
    /** uid → the highest pod ceiling in force since the Deployment last settled (scale-downs take time). */
    const ceilings = new Map<string, number>();
    const armed = new Set<string>();
    const lastReplicas = new Map<string, number>();
    return {
      onEvent(event, state) {
        if (isDisruption(event)) disrupted = true;
        if (!touchesWorkloads(event)) return undefined;
        for (const deployment of state.objects.get('Deployment')?.values() ?? []) {
          const bounds = rollingUpdateBounds(deployment);
          const uid = deployment.metadata.uid!;
          if (!bounds || deployment.spec?.paused || deployment.metadata.deletionTimestamp || scriptedToFail(deployment.spec?.template)) {
            ceilings.delete(uid);
            continue;
          }
          const replicas: number = deployment.spec.replicas ?? 1;
          if (lastReplicas.get(uid) !== replicas) {
            // A scale-up raises the floor before new pods can be available: re-arm once they are.
            armed.delete(uid);
            lastReplicas.set(uid, replicas);
          }
          const pods = deploymentPods(state, deployment);
          const ceiling = Math.max(ceilings.get(uid) ?? 0, replicas + bounds.maxSurge);
          if (pods.length > ceiling) {
            return `deployment ${deployment.metadata.name} has ${pods.length} pods, more than replicas ${replicas} + maxSurge ${bounds.maxSurge}`;
          }
          ceilings.set(uid, pods.length <= replicas + bounds.maxSurge ? replicas + bounds.maxSurge : ceiling);
          if (disrupted) continue;
          const available = pods.filter((pod) => isAvailable(pod, deployment.spec.minReadySeconds ?? 0, state.time)).length;
          const floor = replicas - bounds.maxUnavailable;
          if (!armed.has(uid)) {
            if (available >= replicas) armed.add(uid);
            continue;
          }
          if (available < floor) {
            return `deployment ${deployment.metadata.name} has ${available} available pods, fewer than replicas ${replicas} - maxUnavailable ${bounds.maxUnavailable}`;
          }
        }
        return undefined;
      },
    };
  },
});
