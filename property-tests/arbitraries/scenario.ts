import fc from 'fast-check';
import type { Scenario, TimelineEntry } from '../../replay/scenario/scenario.ts';
import { type ClusterShape, clusterArbitrary } from './cluster.ts';
import { type TimelineShape, faultScheduleArbitrary, mergeTimelines, userActionsArbitrary } from './timeline.ts';
import { type WorkloadShape, fitToCluster, workloadDraftArbitrary, workloadManifest } from './workloads.ts';

export interface ScenarioShape {
  cluster?: ClusterShape;
  workloads?: WorkloadShape;
  timeline?: TimelineShape;
  /** Include node faults (default true). */
  faults?: boolean;
  /** Include user actions (default true). */
  actions?: boolean;
  /** Virtual time the run continues after the last fault or action, for liveness (default 15 minutes). */
  settle?: number;
}

/** Whole histories: a cluster, workloads sized to fit it, node faults and user actions, and a seed. */
export function scenarioArbitrary(shape: ScenarioShape = {}): fc.Arbitrary<Scenario> {
  const settle = shape.settle ?? 15 * 60_000;
  return fc
    .tuple(clusterArbitrary(shape.cluster), fc.array(workloadDraftArbitrary(shape.workloads), { minLength: 1, maxLength: shape.workloads?.maxWorkloads ?? 20 }))
    .chain(([nodes, drafts]) => {
      const fitted = fitToCluster(drafts, nodes);
      const manifests = fitted.map((draft, i) => workloadManifest(draft, i));
      const deployments = fitted.flatMap((draft, i) => (draft.kind === 'Deployment' ? [{ name: `w${i}`, maxReplicas: draft.replicas }] : []));
      return fc.record({
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        nodes: fc.constant(nodes),
        manifests: fc.constant(manifests),
        faults: shape.faults === false ? fc.constant<TimelineEntry[]>([]) : faultScheduleArbitrary(nodes.length, shape.timeline),
        actions: shape.actions === false ? fc.constant<TimelineEntry[]>([]) : userActionsArbitrary(deployments, nodes.length, shape.timeline),
      });
    })
    .map(({ seed, nodes, manifests, faults, actions }) => {
      const timeline = mergeTimelines(faults, actions);
      const last = timeline.length > 0 ? timeline[timeline.length - 1]!.at : 0;
      return { seed, cluster: { nodes }, manifests, timeline, duration: last + settle };
    });
}
