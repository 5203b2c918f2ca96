import type { KubeObject } from '../../../core/model/object.ts';
import { type Selector, matches, selectorFromSet } from '../../../core/model/labels.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { isPodAvailable, isPodReady } from './pod-availability.ts';

/** apps/v1 ReplicaSetStatus, fields in Kubernetes' order; zero counts are omitted as Go's omitempty does. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: unknown[];
}

/**
 * `calculateStatus` + `updateReplicaSetStatus` (pkg/controller/replicaset/replica_set_utils.go):
 * counts over the pods the ReplicaSet owns and that are active, with observedGeneration set to the
 * generation just reconciled.
 */
const templateSelectors = new WeakMap<object, Selector>();
const EVERYTHING: Selector = { requirements: [] };

/** The template's labels as a selector, cached on the (never mutated) labels object the state holds. */
function templateSelector(rs: KubeObject): Selector {
  const labels = rs.spec?.template?.metadata?.labels;
  if (!labels || typeof labels !== 'object') return EVERYTHING;
  let selector = templateSelectors.get(labels);
  if (!selector) {
    try {
      selector = selectorFromSet(labels);
    } catch {
      selector = EVERYTHING;
    }
    templateSelectors.set(labels, selector);
  }
  return selector;
}

/** What a ReplicaSet's status counts over its active pods. */
export interface StatusCounts {
  replicas: number;
  fullyLabeled: number;
  ready: number;
  available: number;
}

export function countPods(rs: KubeObject, pods: readonly KubeObject[], now: number): StatusCounts {
  const templateLabels = templateSelector(rs);
  const minReadySeconds: number = rs.spec?.minReadySeconds ?? 0;
  const counts: StatusCounts = { replicas: pods.length, fullyLabeled: 0, ready: 0, available: 0 };
  for (const pod of pods) {
    if (matches(templateLabels, pod.metadata.labels)) counts.fullyLabeled++;
    if (isPodReady(pod)) {
      counts.ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) counts.available++;
    }
  }
  return counts;
}

export function statusFromCounts(rs: KubeObject, counts: StatusCounts): ReplicaSetStatus {
  const status: ReplicaSetStatus = { replicas: counts.replicas };
  if (counts.fullyLabeled) status.fullyLabeledReplicas = counts.fullyLabeled;
  if (counts.ready) status.readyReplicas = counts.ready;
  if (counts.available) status.availableReplicas = counts.available;
  const generation = rs.metadata.generation ?? 0;
  if (generation) status.observedGeneration = generation;
  const conditions = rs.status?.conditions as unknown[] | undefined;
  if (conditions?.length) status.conditions = conditions;
  return status;
}

export function calculateReplicaSetStatus(rs: KubeObject, pods: readonly KubeObject[], now: number): ReplicaSetStatus {
  return statusFromCounts(rs, countPods(rs, pods, now));
}

export function replicaSetStatusChanged(rs: KubeObject, next: ReplicaSetStatus): boolean {
  const current = rs.status ?? {};
  return (
    (current.replicas ?? 0) !== next.replicas ||
    (current.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (current.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (current.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (current.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) ||
    !jsonEqual(current.conditions ?? [], next.conditions ?? [])
  );
}
