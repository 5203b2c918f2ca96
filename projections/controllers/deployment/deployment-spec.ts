import type { KubeObject } from '../../../core/model/object.ts';
import { type Fenceposts, type IntOrPercent, resolveFenceposts } from './fenceposts.ts';

/**
 * A Deployment's spec as the controller reads it, with Kubernetes' apps/v1 defaults filled in for
 * anything absent (the registry defaults objects on write; this keeps the controller correct for
 * objects that reached the log some other way).
 */
export interface DeploymentSpec {
  readonly replicas: number;
  readonly strategy: 'RollingUpdate' | 'Recreate';
  readonly maxSurgeValue: IntOrPercent;
  readonly maxUnavailableValue: IntOrPercent;
  readonly minReadySeconds: number;
  /** undefined = keep every old ReplicaSet. */
  readonly revisionHistoryLimit: number | undefined;
  /** undefined = no deadline (unset or MaxInt32). */
  readonly progressDeadlineSeconds: number | undefined;
  readonly paused: boolean;
}

const MAX_INT32 = 2147483647;

/** Specs read so far, by the spec object read: state objects are never changed in place, and every sync of a Deployment reads the same one. */
const specs = new WeakMap<object, DeploymentSpec>();

/** The Deployment's spec with defaults; the same (never changed) object for the same spec object. */
export function deploymentSpec(d: KubeObject): DeploymentSpec {
  const source = d.spec;
  if (!source || typeof source !== 'object') return readSpec(d);
  let spec = specs.get(source);
  if (!spec) specs.set(source, (spec = readSpec(d)));
  return spec;
}

function readSpec(d: KubeObject): DeploymentSpec {
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

/** Each spec's fenceposts, resolved once: every sync of a Deployment asks for them, many times. */
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
