import type { KubeObject } from '../../core/model/object.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';

/** A user action or fault, applied at a virtual time. */
export type ScenarioAction =
  | { action: 'apply'; manifest: KubeObject }
  | { action: 'delete'; kind: string; namespace?: string; name: string }
  /** Deletes the `index`-th (mod count) live pod of a Deployment, by name order: generated histories cannot know pod names. */
  | { action: 'delete-pod'; deployment: string; namespace?: string; index: number }
  | { action: 'scale'; deployment: string; namespace?: string; replicas: number }
  | { action: 'set-image'; deployment: string; namespace?: string; container?: string; image: string }
  | { action: 'rollout-restart'; deployment: string; namespace?: string }
  | { action: 'rollout-undo'; deployment: string; namespace?: string; toRevision?: number }
  | { action: 'cordon'; node: string }
  | { action: 'uncordon'; node: string }
  | { action: 'drain'; node: string }
  | { action: 'node-crash'; node: string }
  | { action: 'node-partition'; node: string }
  | { action: 'node-recover'; node: string };

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
}

export const FAULT_ACTIONS: ReadonlySet<ScenarioActionName> = new Set(['node-crash', 'node-partition', 'node-recover']);
