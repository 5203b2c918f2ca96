import type { KubeObject } from '../../../core/model/object.ts';
import { type DeploymentCondition, REASONS, conditionTime, getCondition, newCondition, setCondition } from './conditions.ts';
import { type DeploymentSpec, maxUnavailable } from './deployment-spec.ts';
import { availableReplicas, readyReplicas, specReplicas, statusReplicas } from './replica-sets.ts';

/** apps/v1 DeploymentStatus in Kubernetes' field order; zero counts omitted as Go's omitempty does. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export const count = (status: DeploymentStatus | undefined, field: 'observedGeneration' | 'replicas' | 'updatedReplicas' | 'readyReplicas' | 'availableReplicas' | 'unavailableReplicas'): number =>
  status?.[field] ?? 0;

/** `calculateStatus` (pkg/controller/deployment/sync.go): zero counts left out as Go's omitempty does, the fields in Kubernetes' order. */
export function calculateStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject, spec: DeploymentSpec, now: string): DeploymentStatus {
  // One pass over the ReplicaSets, and each field set only when non-zero (no object with zeros to filter after).
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let total = 0;
  for (const rs of allRSs) {
    replicas += statusReplicas(rs);
    ready += readyReplicas(rs);
    available += availableReplicas(rs);
    total += specReplicas(rs);
  }
  const updated = newRS ? statusReplicas(newRS) : 0;
  const unavailable = Math.max(0, total - available);
  const generation = d.metadata.generation ?? 0;
  const status: DeploymentStatus = {};
  if (generation) status.observedGeneration = generation;
  if (replicas) status.replicas = replicas;
  if (updated) status.updatedReplicas = updated;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (unavailable) status.unavailableReplicas = unavailable;
  const previous = d.status as DeploymentStatus | undefined;
  // Shared, not copied: conditions lists are replaced (setCondition, removeCondition), never edited.
  const held: { conditions?: DeploymentCondition[] } = {};
  if (previous?.conditions?.length) held.conditions = previous.conditions;
  if (available >= spec.replicas - maxUnavailable(spec)) {
    setCondition(held, newCondition('Available', 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(held, newCondition('Available', 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  if (held.conditions?.length) status.conditions = held.conditions;
  if (previous?.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
  return status;
}

/** `DeploymentComplete`: every desired replica updated and available, no old ones, generation observed. */
export function deploymentComplete(d: KubeObject, spec: DeploymentSpec, status: DeploymentStatus): boolean {
  return (
    count(status, 'updatedReplicas') === spec.replicas &&
    count(status, 'replicas') === spec.replicas &&
    count(status, 'availableReplicas') === spec.replicas &&
    count(status, 'observedGeneration') >= (d.metadata.generation ?? 0)
  );
}

/** `DeploymentProgressing`: more updated, fewer old, more ready or more available than before. */
export function deploymentProgressing(d: KubeObject, status: DeploymentStatus): boolean {
  const old = d.status as DeploymentStatus | undefined;
  const oldOld = count(old, 'replicas') - count(old, 'updatedReplicas');
  const newOld = count(status, 'replicas') - count(status, 'updatedReplicas');
  return (
    count(status, 'updatedReplicas') > count(old, 'updatedReplicas') ||
    newOld < oldOld ||
    count(status, 'readyReplicas') > count(old, 'readyReplicas') ||
    count(status, 'availableReplicas') > count(old, 'availableReplicas')
  );
}

/** `DeploymentTimedOut`: the Progressing condition is older than progressDeadlineSeconds. */
export function deploymentTimedOut(spec: DeploymentSpec, status: DeploymentStatus, now: number): boolean {
  if (spec.progressDeadlineSeconds === undefined) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition) return false;
  if (condition.reason === REASONS.newReplicaSetAvailable) return false;
  if (condition.reason === REASONS.timedOut) return true;
  const from = conditionTime(condition.lastUpdateTime);
  return from + spec.progressDeadlineSeconds * 1000 < now;
}
