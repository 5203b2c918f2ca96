import type { KubeObject } from '../core/model/object.ts';
import type { Position } from '../core/events.ts';

/**
 * The cluster as the log says it is at `position`. Built by the cluster-state reducer; never
 * written by anything else. The reducer updates it in place and returns it (copying maps on every
 * event would make a million-event rebuild infeasible); whoever needs an older state keeps a
 * snapshot. It is deterministic: the same events always give the same state.
 */
export interface ClusterState {
  /** Position of the last event applied, 0 before any. */
  position: Position;
  /** Virtual time of the last event applied (ms since the Unix epoch). */
  time: number;
  /** The cluster's seed, from ClusterInitialized. */
  seed: number;
  mode: 'server' | 'simulation';
  /** kind → `ns/name` (or `name` when cluster-scoped) → object. */
  objects: Map<string, Map<string, KubeObject>>;
  /** node name → keys (`ns/name`) of pods bound to it. */
  podsByNode: Map<string, Set<string>>;
  /** owner uid → `Kind:ns/name` of objects that list it in ownerReferences. */
  byOwner: Map<string, Set<string>>;
  /** kind → `label=value` → keys of objects carrying that label. */
  byLabel: Map<string, Map<string, Set<string>>>;
  /** node name → virtual time of its last heartbeat. */
  heartbeats: Map<string, number>;
  /** Nodes whose simulated kubelet a KubeletStopped fault stopped, until KubeletStarted. */
  stoppedKubelets: Set<string>;
}
