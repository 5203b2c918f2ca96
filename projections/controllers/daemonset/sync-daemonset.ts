import { labelSelectorAsSelector, matches } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createPrng, hashSeed, randomSuffix } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { claimVerdict, withControllerRef } from '../replicaset/controller-ref.ts';
import { isPodAvailable, isPodReady, podAvailableAt } from '../replicaset/pod-availability.ts';
import { podsOwnedBy } from '../replicaset/pod-index.ts';
import { daemonPodFor, daemonPodNode, isUpdatedPod, nodeShouldRunDaemonPod, templateHash } from './daemon-pods.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export interface DaemonSetSync {
  commands: Command[];
  /** When a pod becomes available (minReadySeconds), if one is waiting to. */
  wakeAt?: number;
}

const byCreation = (a: KubeObject, b: KubeObject) => {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name! < b.metadata.name! ? -1 : 1;
};

const deletePod = (pod: KubeObject, meta: CommandMeta): Command => ({
  ...meta,
  type: 'delete',
  ref: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  preconditions: { uid: pod.metadata.uid! },
});

/** `GetScaledValueFromIntOrPercent(maxUnavailable, desired, roundUp=true)`. */
function maxUnavailableOf(ds: KubeObject, desired: number): number {
  const value = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  if (typeof value === 'number') return value;
  const percent = Number(String(value).replace('%', ''));
  return Math.ceil((percent * desired) / 100);
}

/**
 * One reconcile of one DaemonSet (`syncDaemonSet` in pkg/controller/daemon): claim pods, then per
 * node create the missing daemon pod, delete failed, duplicate and misplaced ones, roll old pods
 * over to the current template within maxUnavailable, and write the status.
 */
/** `includeOrphans`: look for pods to adopt too (a scan of the namespace's pods, so only when one may exist). */
export function syncDaemonSet(state: ClusterState, namespace: string, name: string, meta: CommandMeta, position: number, includeOrphans = true): DaemonSetSync {
  const ds = getObject(state, 'DaemonSet', namespace, name);
  if (!ds) return { commands: [] };
  const now = state.time;
  const commands: Command[] = [];
  let selector;
  try {
    selector = labelSelectorAsSelector(ds.spec?.selector);
  } catch {
    return { commands: [] };
  }

  const owned = new Map<string, KubeObject>();
  for (const pod of podsOwnedBy(state, ds.metadata.uid ?? '')) owned.set(pod.metadata.name!, pod);
  for (const pod of includeOrphans ? listObjects(state, 'Pod', namespace) : []) {
    if (owned.has(pod.metadata.name!)) continue;
    if (claimVerdict(ds, pod, matches(selector, pod.metadata.labels)) === 'adopt') {
      commands.push({ ...meta, type: 'update', object: withControllerRef(pod, ds) });
      owned.set(pod.metadata.name!, pod);
    }
  }
  const podsByNode = new Map<string, KubeObject[]>();
  for (const pod of [...owned.values()].sort(byCreation)) {
    const node = daemonPodNode(pod);
    if (!node) continue;
    let list = podsByNode.get(node);
    if (!list) podsByNode.set(node, (list = []));
    list.push(pod);
  }

  const hash = templateHash(ds);
  const minReadySeconds: number = ds.spec?.minReadySeconds ?? 0;
  const nodes = listObjects(state, 'Node');
  const deleting = ds.metadata.deletionTimestamp !== undefined;
  const toCreate: string[] = [];
  const toDelete: KubeObject[] = [];
  const eligible: KubeObject[] = [];
  for (const node of nodes) {
    const nodeName = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = podsByNode.get(nodeName) ?? [];
    if (shouldRun) eligible.push(node);
    if (shouldRun && pods.length === 0) toCreate.push(nodeName);
    else if (shouldContinueRunning) {
      const running: KubeObject[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') toDelete.push(pod);
        else running.push(pod);
      }
      // Duplicates: keep the oldest, as Kubernetes does when maxSurge is 0.
      toDelete.push(...running.slice(1));
    } else {
      for (const pod of pods) if (!pod.metadata.deletionTimestamp) toDelete.push(pod);
    }
  }

  if (!deleting) {
    const prng = createPrng(hashSeed(state.seed, 'name', position, `${namespace}/${name}`));
    for (const nodeName of toCreate) {
      let podName: string;
      do podName = `${name}-${randomSuffix(prng)}`;
      while (getObject(state, 'Pod', namespace, podName));
      commands.push({ ...meta, type: 'create', object: daemonPodFor(ds, nodeName, podName, hash) });
    }
    for (const pod of toDelete) commands.push(deletePod(pod, meta));
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const deleted = new Set(toDelete.map((p) => p.metadata.uid));
      commands.push(...rollingUpdate(ds, eligible, podsByNode, deleted, hash, minReadySeconds, now, meta));
    }
  }

  // Status (`updateDaemonSetStatus`).
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let wakeAt: number | undefined;
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = podsByNode.get(node.metadata.name!) ?? [];
    const scheduled = pods.some((p) => p.spec?.nodeName);
    if (shouldRun) {
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = pods.find((p) => p.spec?.nodeName)!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReadySeconds, now)) available++;
        else {
          const at = podAvailableAt(pod, minReadySeconds, now);
          if (at !== undefined && (wakeAt === undefined || at < wakeAt)) wakeAt = at;
        }
      }
      if (isUpdatedPod(pod, hash)) updated++;
    } else if (scheduled) misscheduled++;
  }
  const status: Record<string, unknown> = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
  };
  if (desired - available > 0) status.numberUnavailable = desired - available;
  const merged = { ...ds.status, ...status };
  if (!(desired - available > 0)) delete merged.numberUnavailable;
  if (!jsonEqual(ds.status ?? {}, merged)) {
    const object = clonePlain(ds);
    delete object.metadata.resourceVersion;
    object.status = merged;
    commands.push({ ...meta, type: 'update', subresource: 'status', object });
  }
  const result: DaemonSetSync = { commands };
  if (wakeAt !== undefined) result.wakeAt = wakeAt;
  return result;
}

/**
 * `rollingUpdate` with maxSurge 0: an old pod that is not available is replaced at once; available
 * old pods are deleted while fewer than maxUnavailable nodes lack an available daemon pod. The
 * node's new pod is created by a later sync, once the old one is gone.
 */
function rollingUpdate(
  ds: KubeObject,
  eligible: KubeObject[],
  podsByNode: Map<string, KubeObject[]>,
  alreadyDeleted: Set<string | undefined>,
  hash: string,
  minReadySeconds: number,
  now: number,
  meta: CommandMeta,
): Command[] {
  const maxUnavailable = maxUnavailableOf(ds, eligible.length);
  let unavailable = 0;
  const replacements: KubeObject[] = [];
  const candidates: KubeObject[] = [];
  for (const node of eligible) {
    const pods = (podsByNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp && !alreadyDeleted.has(p.metadata.uid));
    const newPod = pods.find((p) => isUpdatedPod(p, hash));
    const oldPod = pods.find((p) => !isUpdatedPod(p, hash));
    if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
    else if (newPod) {
      if (!isPodAvailable(newPod, minReadySeconds, now)) unavailable++;
    } else if (oldPod) {
      if (!isPodAvailable(oldPod, minReadySeconds, now)) replacements.push(oldPod);
      else if (unavailable < maxUnavailable) candidates.push(oldPod);
    }
  }
  const remaining = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
  return [...replacements, ...candidates.slice(0, remaining)].map((pod) => deletePod(pod, meta));
}
