import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { containerUpdatesOf } from '../../projections/state/container-updates.ts';
import { ownedBy } from '../../projections/state/queries.ts';
import { type InvariantChecker, defineInvariant } from './invariant.ts';
import { scriptedToFail } from './workloads-converge.ts';

/** A maxSurge or maxUnavailable (int, percentage or unset: 25%) as pods of `replicas`, rounded up or down. */
export function resolveBound(value: unknown, replicas: number, roundUp: boolean): number {
  if (value === undefined || value === null) return roundUp ? Math.ceil(replicas * 0.25) : Math.floor(replicas * 0.25);
  if (typeof value === 'number') return value;
  const percent = Number(String(value).replace('%', '')) / 100;
  return roundUp ? Math.ceil(replicas * percent) : Math.floor(replicas * percent);
}

/**
 * The bounds are resolved here, independently of the Deployment controller's own code: an oracle
 * that shared the implementation would share its bugs.
 */
export function rollingUpdateBounds(deployment: KubeObject): { maxSurge: number; maxUnavailable: number } | undefined {
  const spec = deployment.spec ?? {};
  if ((spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  const replicas: number = spec.replicas ?? 1;
  const maxSurge = resolveBound(spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
  let maxUnavailable = resolveBound(spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * A Deployment object's bounds and whether its template scripts a never-healthy container, worked
 * out once per object: the state never changes a stored object in place, a change stores a new one.
 */
const factsByDeployment = new WeakMap<KubeObject, { bounds: ReturnType<typeof rollingUpdateBounds>; scripted: boolean }>();

function deploymentFacts(deployment: KubeObject): { bounds: ReturnType<typeof rollingUpdateBounds>; scripted: boolean } {
  let facts = factsByDeployment.get(deployment);
  if (!facts) factsByDeployment.set(deployment, (facts = { bounds: rollingUpdateBounds(deployment), scripted: scriptedToFail(deployment.spec?.template) }));
  return facts;
}

/** When the pod counts as available (minReadySeconds after it became Ready), or undefined while it is not Ready. */
function availableFrom(pod: KubeObject, minReadySeconds: number): number | undefined {
  const ready = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  if (ready?.status !== 'True') return undefined;
  if (minReadySeconds <= 0) return -Infinity;
  return Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000;
}

/** A Deployment's ReplicaSets (objects-map keys) and their pods not being deleted. */
function deploymentWorkload(state: ClusterState, deployment: KubeObject): { replicaSetKeys: string[]; pods: KubeObject[] } {
  const replicaSetKeys: string[] = [];
  const pods: KubeObject[] = [];
  for (const rs of ownedBy(state, deployment.metadata.uid!)) {
    if (rs.kind !== 'ReplicaSet') continue;
    replicaSetKeys.push(objectKeyOf(rs));
    for (const pod of ownedBy(state, rs.metadata.uid!)) if (pod.kind === 'Pod' && !pod.metadata.deletionTimestamp) pods.push(pod);
  }
  return { replicaSetKeys, pods };
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
  return containerUpdatesOf(event).some((c) => !c.ready && (c.state.running !== undefined || c.state.terminated !== undefined || c.restartCount > 0));
}

/** The Pod, ReplicaSet or Deployment an event changes, if any, as `kind` and objects-map key. */
function workloadTouched(event: StoredEvent): { kind: string; key: string } | undefined {
  let kind: string;
  let namespace: string | undefined;
  let name: string;
  switch (event.type) {
    case 'ObjectCreated':
    case 'ObjectReplaced':
      ({ kind } = event.data.object);
      ({ namespace, name } = event.data.object.metadata as { namespace?: string; name: string });
      break;
    case 'ObjectDeletionRequested':
    case 'ObjectRemoved':
    case 'ObjectStatusReplaced':
    case 'ContainerStateChanged':
    case 'PodPhaseChanged':
      ({ kind, namespace, name } = event.data.ref);
      break;
    default:
      return undefined;
  }
  if (kind !== 'Pod' && kind !== 'ReplicaSet' && kind !== 'Deployment') return undefined;
  return { kind, key: namespace ? `${namespace}/${name}` : name };
}

export interface RollingUpdateCheckOptions {
  /** Re-check every Deployment at every event that touches workloads, not only those the event concerns (the reference behaviour the incremental check is tested against). */
  everyDeployment?: boolean;
}

/**
 * The checker. A Deployment's verdict depends only on the Deployment, its ReplicaSets and their
 * pods (and on time once minReadySeconds counts), and re-checking an unchanged Deployment changes
 * nothing the checker remembers, so only the Deployments an event concerns are checked: those
 * owning (now or when last checked) the pod or ReplicaSet it touches, plus those with a Ready pod
 * whose minReadySeconds have just run out. They are checked in the state's order, as the full scan would.
 */
export function startRollingUpdateCheck(options: RollingUpdateCheckOptions = {}): InvariantChecker {
  let disrupted = false;
  /** uid → the highest pod ceiling in force since the Deployment last settled (scale-downs take time). */
  const ceilings = new Map<string, number>();
  const armed = new Set<string>();
  const lastReplicas = new Map<string, number>();
  /** Deployment uids to check at the next event that touches workloads. */
  const dirty = new Set<string>();
  /** `Kind:key` of a pod or ReplicaSet → uids of the Deployments whose last check counted it. */
  const countedIn = new Map<string, Set<string>>();
  /** Deployment uid → when one of its Ready pods becomes available with time alone (minReadySeconds). */
  const availabilityDue = new Map<string, number>();
  /** ReplicaSet uid → objects-map key, to follow a pod's ownerReferences to its ReplicaSets. */
  const replicaSetKeys = new Map<string, string>();
  /** Pod object → uid of the Deployment it was last added to countedIn for. */
  const countedPods = new WeakMap<KubeObject, string>();
  /** Deployment uid → objects-map key. */
  const deploymentKeys = new Map<string, string>();
  /**
   * No Deployment in the state becomes available with time alone before this (a lower bound of
   * their availabilityDue): until then, an event that leaves no Deployment dirty checks none.
   */
  let nextDue = -Infinity;

  function markTouched(touched: { kind: string; key: string }, state: ClusterState): void {
    const { kind, key } = touched;
    const object = state.objects.get(kind)?.get(key);
    if (kind === 'Deployment') {
      if (object?.metadata.uid) {
        dirty.add(object.metadata.uid);
        deploymentKeys.set(object.metadata.uid, key);
      }
      return;
    }
    for (const uid of countedIn.get(`${kind}:${key}`) ?? []) dirty.add(uid);
    if (kind === 'ReplicaSet') {
      if (object?.metadata.uid) replicaSetKeys.set(object.metadata.uid, key);
      for (const owner of object?.metadata.ownerReferences ?? []) dirty.add(owner.uid);
      return;
    }
    for (const owner of object?.metadata.ownerReferences ?? []) {
      const rsKey = replicaSetKeys.get(owner.uid);
      const rs = rsKey === undefined ? undefined : state.objects.get('ReplicaSet')?.get(rsKey);
      if (rs?.metadata.uid === owner.uid) for (const deployment of rs.metadata.ownerReferences ?? []) dirty.add(deployment.uid);
    }
  }

  function check(deployment: KubeObject, state: ClusterState): string | undefined {
    const { bounds, scripted } = deploymentFacts(deployment);
    const uid = deployment.metadata.uid!;
    if (!bounds || deployment.spec?.paused || deployment.metadata.deletionTimestamp || scripted) {
      ceilings.delete(uid);
      availabilityDue.delete(uid);
      return undefined;
    }
    const replicas: number = deployment.spec.replicas ?? 1;
    if (lastReplicas.get(uid) !== replicas) {
      // A scale-up raises the floor before new pods can be available: re-arm once they are.
      armed.delete(uid);
      lastReplicas.set(uid, replicas);
    }
    const { replicaSetKeys: rsKeys, pods } = deploymentWorkload(state, deployment);
    for (const key of rsKeys) addTo(countedIn, `ReplicaSet:${key}`, uid);
    for (const pod of pods) {
      // The state never changes a stored object in place: a pod object already counted for this Deployment is in countedIn.
      if (countedPods.get(pod) === uid) continue;
      addTo(countedIn, `Pod:${objectKeyOf(pod)}`, uid);
      countedPods.set(pod, uid);
    }
    const ceiling = Math.max(ceilings.get(uid) ?? 0, replicas + bounds.maxSurge);
    if (pods.length > ceiling) {
      return `deployment ${deployment.metadata.name} has ${pods.length} pods, more than replicas ${replicas} + maxSurge ${bounds.maxSurge}`;
    }
    ceilings.set(uid, pods.length <= replicas + bounds.maxSurge ? replicas + bounds.maxSurge : ceiling);
    if (disrupted) {
      availabilityDue.delete(uid);
      return undefined;
    }
    let available = 0;
    let due = Infinity;
    for (const pod of pods) {
      const from = availableFrom(pod, deployment.spec.minReadySeconds ?? 0);
      if (from === undefined) continue;
      if (from <= state.time) available++;
      else due = Math.min(due, from);
    }
    availabilityDue.set(uid, due);
    const floor = replicas - bounds.maxUnavailable;
    if (!armed.has(uid)) {
      if (available >= replicas) armed.add(uid);
      return undefined;
    }
    if (available < floor) {
      return `deployment ${deployment.metadata.name} has ${available} available pods, fewer than replicas ${replicas} - maxUnavailable ${bounds.maxUnavailable}`;
    }
    return undefined;
  }

  /** Checks every dirty or due Deployment in the state's order; having visited them all, notes the next due time and forgets the rest of `dirty`. */
  function checkInOrder(state: ClusterState): string | undefined {
    let earliest = Infinity;
    for (const deployment of state.objects.get('Deployment')?.values() ?? []) {
      const uid = deployment.metadata.uid!;
      if (options.everyDeployment || dirty.has(uid) || state.time >= (availabilityDue.get(uid) ?? Infinity)) {
        dirty.delete(uid);
        const violation = check(deployment, state);
        if (violation) {
          nextDue = -Infinity;
          return violation;
        }
      }
      earliest = Math.min(earliest, availabilityDue.get(uid) ?? Infinity);
    }
    // What is left dirty belongs to no Deployment in the state (one created later is dirtied by its creation).
    dirty.clear();
    nextDue = earliest;
    return undefined;
  }

  return {
    onEvent(event, state) {
      if (isDisruption(event)) disrupted = true;
      // Events that can change what the check sees: a workload object, or time (availability after minReadySeconds).
      const touched = workloadTouched(event);
      if (touched) markTouched(touched, state);
      else if (event.type !== 'ClockAdvanced') return undefined;
      if (options.everyDeployment || dirty.size > 1 || state.time >= nextDue) return checkInOrder(state);
      if (dirty.size === 0) return undefined;
      // One Deployment dirty and none due: the scan in the state's order would check exactly that one.
      const [uid] = dirty as Set<string>;
      const key = deploymentKeys.get(uid!);
      const deployment = key === undefined ? undefined : state.objects.get('Deployment')?.get(key);
      if (deployment?.metadata.uid !== uid) return checkInOrder(state);
      dirty.delete(uid!);
      const violation = check(deployment!, state);
      nextDue = Math.min(nextDue, availabilityDue.get(uid!) ?? Infinity);
      return violation;
    },
  };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function objectKeyOf(object: KubeObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name!;
}

export const rollingUpdateWithinBounds = defineInvariant({
  name: 'rolling-update-within-bounds',
  description:
    'While nodes are healthy, a RollingUpdate Deployment never has more than replicas + maxSurge pods, nor (once it has been available) fewer than replicas - maxUnavailable available pods.',
  category: 'safety',
  start: () => startRollingUpdateCheck(),
});
