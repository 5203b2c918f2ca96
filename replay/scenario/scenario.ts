import type { KubeObject } from '../../core/model/object.ts';
import type { DeliveryPerturbation } from '../../projections/engine/interleaving.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';

/** A user action or fault, applied at a virtual time. */
export type ScenarioAction =
  | { action: 'apply'; manifest: KubeObject }
  | { action: 'delete'; kind: string; namespace?: string; name: string }
  /** Deletes the `index`-th (mod count) live pod of a Deployment, by name order: generated histories cannot know pod names. */
  | { action: 'delete-pod'; deployment: string; namespace?: string; index?: number }
  | { action: 'scale'; deployment: string; namespace?: string; replicas: number }
  | { action: 'set-image'; deployment: string; namespace?: string; container?: string; image: string }
  | { action: 'rollout-restart'; deployment: string; namespace?: string }
  | { action: 'rollout-undo'; deployment: string; namespace?: string; toRevision?: number }
  | { action: 'cordon'; node: string }
  | { action: 'uncordon'; node: string }
  /** `kubectl taint nodes NODE key[=value]:effect --overwrite`. */
  | { action: 'taint'; node: string; key: string; value?: string; effect: TaintEffect }
  /** `kubectl taint nodes NODE key[:effect]-`: removes the key's taints (of that effect only, when given). */
  | { action: 'untaint'; node: string; key: string; effect?: TaintEffect }
  /** `kubectl drain --ignore-daemonsets`: cordon, then evict through the Eviction API's PodDisruptionBudget check, retrying blocked pods every 5 s. */
  | { action: 'drain'; node: string }
  | { action: 'node-crash'; node: string }
  | { action: 'node-partition'; node: string }
  | { action: 'node-recover'; node: string }
  /** Crashes the running containers once (they restart by their restart policy). */
  | (PodTarget & { action: 'container-crash'; exitCode?: number })
  /** Every run of the container exits `after` (default 0s) into it: CrashLoopBackOff. */
  | (PodTarget & { action: 'container-crash-loop'; exitCode?: number; after?: string })
  | (PodTarget & { action: 'liveness-fail'; after?: string })
  | (PodTarget & { action: 'readiness-fail'; after?: string })
  | (PodTarget & { action: 'image-pull-fail' })
  /** Containers not yet started take `delay` to start. */
  | (PodTarget & { action: 'slow-start'; delay: string })
  /** Removes the faults above from the target (and stops a deployment passing them to new pods). */
  | (PodTarget & { action: 'clear-faults' })
  | { action: 'node-pressure'; node: string; condition?: PressureCondition }
  | { action: 'node-pressure-clear'; node: string; condition?: PressureCondition }
  /** Total CPU demand on a deployment's pods, for the autoscaler's metrics (annotation `sim.orrery.dev/cpu-load`). */
  | { action: 'load'; deployment: string; namespace?: string; cpu: string };

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/**
 * Which pods a container fault hits: one pod, or every pod of a deployment (those running now,
 * and — except for a one-off crash — those it creates until the fault is cleared).
 */
export interface PodTarget {
  pod?: string;
  deployment?: string;
  namespace?: string;
  /** One container (default: every container of the pod). */
  container?: string;
}

export type ScenarioActionName = ScenarioAction['action'];

export type TimelineEntry = ScenarioAction & {
  /** Virtual milliseconds after the scenario starts. */
  at: number;
};

export interface Scenario {
  name?: string;
  seed: number;
  cluster: { nodes: SimulatedNodeSpec[] };
  /** Created, in order, at time 0. */
  manifests: KubeObject[];
  /** Sorted by `at`. */
  timeline: TimelineEntry[];
  /** Virtual milliseconds the scenario runs for (at least until its last timeline entry). */
  duration: number;
  /** Assertions checked as the run proceeds (replay/scenario/expectations.ts), e.g. `eventually within 5m: deployment/web available=3`. */
  expect?: string[];
  /**
   * Perturbations of what controllers observe and when (stale views, coalesced notifications,
   * reordering), as `orrery check` explores them; absent: the engine's default order.
   */
  interleavings?: DeliveryPerturbation[];
}

export const FAULT_ACTIONS: ReadonlySet<ScenarioActionName> = new Set([
  'node-crash', 'node-partition', 'node-recover', 'container-crash', 'container-crash-loop', 'liveness-fail', 'readiness-fail',
  'image-pull-fail', 'slow-start', 'clear-faults', 'node-pressure', 'node-pressure-clear', 'load',
]);
