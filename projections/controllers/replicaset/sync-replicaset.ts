import type { KubeObject } from '../../../core/model/object.ts';
import { type Selector, matches } from '../../../core/model/labels.ts';
import { compiledSelector } from '../compiled-selector.ts';
import { createPrng, hashSeed, randomSuffix } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject, listObjects, ownedBy } from '../../state/queries.ts';
import { countPodsWithLabel, podsOwnedBy, podsWithLabel } from './pod-index.ts';
import { claimVerdict, controllerOf, newControllerRef, withControllerRef, withoutOwner } from './controller-ref.ts';
import type { Expectations } from './expectations.ts';
import { isPodActive, podAvailableAt } from './pod-availability.ts';
import { podsToDelete } from './pod-deletion-order.ts';
import { type StatusCounts, countPods, replicaSetStatusChanged, statusFromCounts } from './replicaset-status.ts';
import { clonePlain } from '../../write-path/clone-json.ts';
import { withMeta } from '../with-meta.ts';

/** Kubernetes' `burstReplicas`: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** The API server's `maxGeneratedNameLength` (63 - 5 random characters). */
const MAX_GENERATED_NAME_BASE = 58;

export interface SyncContext {
  state: ClusterState;
  now: number;
  /** Position of the event being reacted to: seeds pod names. */
  position: number;
  meta: CommandMeta;
  expectations: Expectations;
}

export interface SyncResult {
  commands: Command[];
  /** When a pod of this ReplicaSet becomes available (minReadySeconds), if one is waiting to. */
  wakeAt?: number;
  /** The active pods it owns after claiming, and what the status counted of them. */
  claimed?: KubeObject[];
  counts?: StatusCounts;
  /** It has exactly the pods it wants and nothing in flight: only pod readiness can change its status. */
  settled?: boolean;
}

const NOTHING: Selector = { requirements: [], matchesNothing: true };

/** Parses a ReplicaSet's selector; an invalid one selects nothing (validation should have caught it). */
export function replicaSetSelector(rs: KubeObject): Selector {
  const selector = rs.spec?.selector;
  if (!selector || typeof selector !== 'object') return NOTHING;
  return compiledSelector(selector) ?? NOTHING;
}

/**
 * Pods that may concern a ReplicaSet, in no particular order: those that name it as owner, and
 * (when `includeOrphans`) those its selector matches, looked up through its most selective
 * equality requirement.
 */
function candidatePods(state: ClusterState, rs: KubeObject, selector: Selector, includeOrphans: boolean): KubeObject[] {
  const owned = podsOwnedBy(state, rs.metadata.uid ?? '');
  if (!includeOrphans) return owned;
  const namespace = rs.metadata.namespace;
  const byName = new Map<string, KubeObject>();
  for (const pod of owned) byName.set(pod.metadata.name!, pod);
  let best: { key: string; value: string; size: number } | undefined;
  for (const r of selector.requirements) {
    if (!(r.operator === 'Equals' || r.operator === 'DoubleEquals' || (r.operator === 'In' && r.values.length === 1))) continue;
    const size = countPodsWithLabel(state, r.key, r.values[0]!);
    if (!best || size < best.size) best = { key: r.key, value: r.values[0]!, size };
  }
  const selected = best ? podsWithLabel(state, best.key, best.value) : listObjects(state, 'Pod', namespace);
  for (const pod of selected) {
    if (pod.metadata.namespace === namespace && !byName.has(pod.metadata.name!) && matches(selector, pod.metadata.labels)) byName.set(pod.metadata.name!, pod);
  }
  return [...byName.values()];
}

/** Pods of every ReplicaSet sharing this one's controller (a Deployment's RSes), for the deletion ranking. */
function relatedPods(state: ClusterState, rs: KubeObject): KubeObject[] {
  const owner = controllerOf(rs);
  if (!owner) return [];
  const seen = new Map<string, KubeObject>();
  for (const sibling of listObjects(state, 'ReplicaSet', rs.metadata.namespace)) {
    if (controllerOf(sibling)?.uid !== owner.uid) continue;
    const selector = replicaSetSelector(sibling);
    for (const pod of candidatePods(state, sibling, selector, true)) {
      if (matches(selector, pod.metadata.labels)) seen.set(pod.metadata.uid ?? pod.metadata.name!, pod);
    }
  }
  return [...seen.values()];
}

function podPrefix(rsName: string): string {
  const prefix = `${rsName}-`;
  return prefix.length > MAX_GENERATED_NAME_BASE ? prefix.slice(0, MAX_GENERATED_NAME_BASE) : prefix;
}

/** `controller.GetPodFromTemplate`: labels, annotations and finalizers from the template, plus the controller ref. */
function podFromTemplate(rs: KubeObject, name: string, generateName: string): KubeObject {
  const template = rs.spec?.template ?? {};
  const metadata: KubeObject['metadata'] = { name, generateName, namespace: rs.metadata.namespace };
  if (template.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers) metadata.finalizers = [...template.metadata.finalizers];
  metadata.ownerReferences = [newControllerRef(rs)];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: clonePlain(template.spec ?? {}) };
}

/**
 * One reconcile of one ReplicaSet (`syncReplicaSet` in pkg/controller/replicaset/replica_set.go):
 * claim pods (adopt orphans the selector matches, release owned pods it no longer matches), create
 * or delete pods towards spec.replicas unless earlier creates/deletes are still in flight, and
 * write the status when it changed.
 */
export function syncReplicaSet(rsKey: string, context: SyncContext, includeOrphans = true): SyncResult {
  const { state, now, expectations, meta } = context;
  const [namespace, name] = splitKey(rsKey);
  const rs = getObject(state, 'ReplicaSet', namespace, name);
  if (!rs) {
    expectations.forget(rsKey);
    return { commands: [] };
  }
  const commands: Command[] = [];
  const needsSync = expectations.satisfied(rsKey, state, now);
  const selector = replicaSetSelector(rs);

  const claimed: KubeObject[] = [];
  const adopted: KubeObject[] = [];
  const released: KubeObject[] = [];
  for (const pod of candidatePods(state, rs, selector, includeOrphans)) {
    if (!isPodActive(pod)) continue;
    switch (claimVerdict(rs, pod, matches(selector, pod.metadata.labels))) {
      case 'owned':
        claimed.push(pod);
        break;
      case 'adopt':
        adopted.push(pod);
        claimed.push(pod);
        break;
      case 'release':
        released.push(pod);
        break;
      case 'ignore':
        break;
    }
  }
  for (const pod of adopted.sort(byName)) commands.push(withMeta(meta, { type: 'update', object: withControllerRef(pod, rs) }));
  for (const pod of released.sort(byName)) commands.push(withMeta(meta, { type: 'update', object: withoutOwner(pod, rs.metadata.uid ?? '') }));

  if (needsSync && !rs.metadata.deletionTimestamp) commands.push(...manageReplicas(rs, rsKey, claimed, context));

  const settled = commands.length === 0 && claimed.length === (rs.spec?.replicas ?? 1) && !expectations.pending(rsKey) && !rs.metadata.deletionTimestamp;
  const counts = countPods(rs, claimed, now);
  commands.push(...statusWrite(rs, counts, meta));

  let wakeAt: number | undefined;
  const minReadySeconds: number = rs.spec?.minReadySeconds ?? 0;
  for (const pod of claimed) {
    const at = podAvailableAt(pod, minReadySeconds, now);
    if (at !== undefined && (wakeAt === undefined || at < wakeAt)) wakeAt = at;
  }
  const result: SyncResult = { commands, claimed, counts, settled };
  if (wakeAt !== undefined) result.wakeAt = wakeAt;
  return result;
}

/** The status write for these counts, if the ReplicaSet's status differs (`updateReplicaSetStatus`). */
export function statusWrite(rs: KubeObject, counts: StatusCounts, meta: CommandMeta): Command[] {
  const status = statusFromCounts(rs, counts);
  if (!replicaSetStatusChanged(rs, status)) return [];
  // The write path copies what it is given, so the spec (pod template) is passed as it stands in the state.
  // resourceVersion left out (undefined, which the write path reads as absent): an unconditional write. A spread is ~10x cheaper than a rest pattern.
  const metadata = { ...rs.metadata, resourceVersion: undefined };
  const object: KubeObject = { ...rs, metadata, status };
  return [withMeta(meta, { type: 'update', subresource: 'status', object })];
}

function manageReplicas(rs: KubeObject, rsKey: string, pods: KubeObject[], context: SyncContext): Command[] {
  const { state, now, meta, expectations } = context;
  const desired: number = rs.spec?.replicas ?? 1;
  const diff = pods.length - desired;
  if (diff < 0) {
    const count = Math.min(-diff, BURST_REPLICAS);
    const prng = createPrng(hashSeed(state.seed, 'name', context.position, rsKey));
    const prefix = podPrefix(rs.metadata.name!);
    const names: string[] = [];
    const taken = new Set<string>();
    while (names.length < count) {
      const candidate = prefix + randomSuffix(prng);
      if (taken.has(candidate) || getObject(state, 'Pod', rs.metadata.namespace, candidate)) continue;
      taken.add(candidate);
      names.push(candidate);
    }
    expectations.expectCreations(rsKey, names.map((n) => `${rs.metadata.namespace}/${n}`), now);
    return names.map((podName) => withMeta(meta, { type: 'create', object: podFromTemplate(rs, podName, prefix) }));
  }
  if (diff > 0) {
    const count = Math.min(diff, BURST_REPLICAS);
    // The ranking is not a total order (log-scale buckets), so fix the input order first.
    const victims = podsToDelete([...pods].sort(byName), relatedPods(state, rs), count, now);
    expectations.expectDeletions(rsKey, victims, now);
    return victims.map((pod) =>
      withMeta(meta, {
        type: 'delete',
        ref: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
        preconditions: { uid: pod.metadata.uid! },
      }),
    );
  }
  return [];
}

/** The ReplicaSets that share this one's controller (a Deployment's old and new ReplicaSets), itself excluded. */
export function siblingReplicaSets(state: ClusterState, rs: KubeObject): KubeObject[] {
  const owner = controllerOf(rs);
  if (!owner) return [];
  return ownedBy(state, owner.uid).filter((o) => o.kind === 'ReplicaSet' && o.metadata.uid !== rs.metadata.uid && controllerOf(o)?.uid === owner.uid);
}

function byName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.name!;
  const bn = b.metadata.name!;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
