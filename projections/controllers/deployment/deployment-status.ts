import type { KubeObject } from '../../../core/model/object.ts';
import { type DeploymentCondition, REASONS, getCondition, newCondition, setCondition } from './conditions.ts';
import { type DeploymentSpec, maxUnavailable } from './deployment-spec.ts';
import { availableReplicas, readyReplicas, specReplicas, statusReplicas, sum } from './replica-sets.ts';

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

function omitZero(status: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const key of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (status[key]) out[key] = status[key];
  }
  if (status.conditions?.length) out.conditions = status.conditions;
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  return out;
}

/** `calculateStatus` (pkg/controller/deployment/sync.go). */
export function calculateStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject, spec: DeploymentSpec, now: string): DeploymentStatus {
  const available = sum(allRSs, availableReplicas);
  const total = sum(allRSs, specReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(allRSs, statusReplicas),
    updatedReplicas: newRS ? statusReplicas(newRS) : 0,
    readyReplicas: sum(allRSs, readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  const previous = d.status as DeploymentStatus | undefined;
  // Shared, not copied: conditions lists are replaced (setCondition, removeCondition), never edited.
  if (previous?.conditions?.length) status.conditions = previous.conditions;
  if (previous?.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
  if (available >= spec.replicas - maxUnavailable(spec)) {
    setCondition(status, newCondition('Available', 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return omitZero(status);
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
  const from = Date.parse(condition.lastUpdateTime);
  return from + spec.progressDeadlineSeconds * 1000 < now;
}
