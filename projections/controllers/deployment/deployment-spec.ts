import type { KubeObject } from '../../../core/model/object.ts';
import { type Fenceposts, type IntOrPercent, resolveFenceposts } from './fenceposts.ts';

/**
 * A Deployment's spec as the controller reads it, with Kubernetes' apps/v1 defaults filled in for
 * anything absent (the registry defaults objects on write; this keeps the controller correct for
 * objects that reached the log some other way).
 */
export interface DeploymentSpec {
  replicas: number;
  strategy: 'RollingUpdate' | 'Recreate';
  maxSurgeValue: IntOrPercent;
  maxUnavailableValue: IntOrPercent;
  minReadySeconds: number;
  /** undefined = keep every old ReplicaSet. */
  revisionHistoryLimit: number | undefined;
  /** undefined = no deadline (unset or MaxInt32). */
  progressDeadlineSeconds: number | undefined;
  paused: boolean;
}

const MAX_INT32 = 2147483647;

export function deploymentSpec(d: KubeObject): DeploymentSpec {
  const spec = d.spec ?? {};
  const strategy = spec.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate';
  const rollingUpdate = spec.strategy?.rollingUpdate ?? {};
  const revisionHistoryLimit = spec.revisionHistoryLimit ?? 10;
  const progressDeadlineSeconds = spec.progressDeadlineSeconds ?? 600;
  return {
    replicas: spec.replicas ?? 1,
    strategy,
    maxSurgeValue: rollingUpdate.maxSurge ?? '25%',
    maxUnavailableValue: rollingUpdate.maxUnavailable ?? '25%',
    minReadySeconds: spec.minReadySeconds ?? 0,
    revisionHistoryLimit: revisionHistoryLimit === MAX_INT32 ? undefined : revisionHistoryLimit,
    progressDeadlineSeconds: progressDeadlineSeconds === MAX_INT32 ? undefined : progressDeadlineSeconds,
    paused: spec.paused === true,
  };
}

/** Each spec's fenceposts, resolved once: a sync asks for them many times. */
const fenceposts = new WeakMap<DeploymentSpec, Fenceposts>();

function fencepostsOf(spec: DeploymentSpec): Fenceposts {
  let resolved = fenceposts.get(spec);
  if (!resolved) fenceposts.set(spec, (resolved = resolveFenceposts(spec.maxSurgeValue, spec.maxUnavailableValue, spec.replicas)));
  return resolved;
}

/** `deploymentutil.MaxSurge`: 0 for Recreate. */
export function maxSurge(spec: DeploymentSpec): number {
  if (spec.strategy !== 'RollingUpdate') return 0;
  return fencepostsOf(spec).maxSurge;
}

/** `deploymentutil.MaxUnavailable`: 0 for Recreate or 0 replicas, never more than the replicas. */
export function maxUnavailable(spec: DeploymentSpec): number {
  if (spec.strategy !== 'RollingUpdate' || spec.replicas === 0) return 0;
  const { maxUnavailable: value } = fencepostsOf(spec);
  return Math.min(value, spec.replicas);
}
