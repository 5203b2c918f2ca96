import fc from 'fast-check';
import type { TimelineEntry } from '../../replay/scenario/scenario.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export interface TimelineShape {
  /** Last moment a fault or action may start (default 10 minutes). */
  horizon?: number;
  maxFaults?: number;
  maxActions?: number;
}

interface FaultDraft {
  at: number;
  node: number;
  kind: 'node-crash' | 'node-partition';
  downFor: number;
}

/** Node crashes and partitions, each followed by the node's recovery. */
export function faultScheduleArbitrary(nodeCount: number, shape: TimelineShape = {}): fc.Arbitrary<TimelineEntry[]> {
  const horizon = shape.horizon ?? 10 * MINUTE;
  const fault: fc.Arbitrary<FaultDraft> = fc.record({
    at: fc.integer({ min: 10, max: horizon / SECOND }).map((s) => s * SECOND),
    node: fc.nat(),
    kind: fc.constantFrom<'node-crash' | 'node-partition'>('node-crash', 'node-partition'),
    downFor: fc.integer({ min: 10, max: 8 * 60 }).map((s) => s * SECOND),
  });
  return fc.array(fault, { maxLength: shape.maxFaults ?? 3 }).map((faults) =>
    faults.flatMap((f) => {
      const node = `node-${(f.node % nodeCount) + 1}`;
      return [
        { at: f.at, action: f.kind, node },
        { at: f.at + f.downFor, action: 'node-recover' as const, node },
      ];
    }),
  );
}

interface ActionDraft {
  at: number;
  kind: 'scale' | 'set-image' | 'rollout-undo' | 'rollout-restart' | 'cordon' | 'drain' | 'delete-pod' | 'taint';
  target: number;
  amount: number;
  holdFor: number;
}

/** The taint generated histories put on nodes (no generated workload tolerates it). */
export const MAINTENANCE_TAINT_KEY = 'example.com/maintenance';
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

/**
 * User actions on the given Deployments and nodes. Scaling stays within `maxReplicas[name]` so a
 * generated history never asks for more than the cluster was sized for; every cordon and drain is
 * undone by an uncordon later, every taint (`kubectl taint`, any effect) by its removal.
 */
export function userActionsArbitrary(
  deployments: ReadonlyArray<{ name: string; maxReplicas: number }>,
  nodeCount: number,
  shape: TimelineShape = {},
): fc.Arbitrary<TimelineEntry[]> {
  const horizon = shape.horizon ?? 10 * MINUTE;
  const action: fc.Arbitrary<ActionDraft> = fc.record({
    at: fc.integer({ min: 5, max: horizon / SECOND }).map((s) => s * SECOND),
    kind: fc.constantFrom<ActionDraft['kind']>('scale', 'set-image', 'rollout-undo', 'rollout-restart', 'cordon', 'drain', 'delete-pod', 'taint'),
    target: fc.nat(),
    amount: fc.nat({ max: 9 }),
    holdFor: fc.integer({ min: 5, max: 5 * 60 }).map((s) => s * SECOND),
  });
  return fc.array(action, { maxLength: shape.maxActions ?? 6 }).map((drafts) =>
    drafts.flatMap((d): TimelineEntry[] => {
      if (d.kind === 'cordon' || d.kind === 'drain') {
        const node = `node-${(d.target % nodeCount) + 1}`;
        return [
          { at: d.at, action: d.kind, node },
          { at: d.at + d.holdFor, action: 'uncordon', node },
        ];
      }
      if (d.kind === 'taint') {
        const node = `node-${(d.target % nodeCount) + 1}`;
        const effect = TAINT_EFFECTS[d.amount % TAINT_EFFECTS.length]!;
        return [
          { at: d.at, action: 'taint', node, key: MAINTENANCE_TAINT_KEY, effect },
          { at: d.at + d.holdFor, action: 'untaint', node, key: MAINTENANCE_TAINT_KEY, effect },
        ];
      }
      if (deployments.length === 0) return [];
      const deployment = deployments[d.target % deployments.length]!;
      switch (d.kind) {
        case 'scale':
          return [{ at: d.at, action: 'scale', deployment: deployment.name, replicas: d.amount % (deployment.maxReplicas + 1) }];
        case 'set-image':
          return [{ at: d.at, action: 'set-image', deployment: deployment.name, image: `app:v${2 + (d.amount % 3)}` }];
        case 'rollout-undo':
          return [{ at: d.at, action: 'rollout-undo', deployment: deployment.name }];
        case 'rollout-restart':
          return [{ at: d.at, action: 'rollout-restart', deployment: deployment.name }];
        case 'delete-pod':
          return [{ at: d.at, action: 'delete-pod', deployment: deployment.name, index: d.amount }];
      }
    }),
  );
}

/** Merges timelines in time order; ties keep the order given (stable), so the result is deterministic. */
export function mergeTimelines(...timelines: TimelineEntry[][]): TimelineEntry[] {
  return timelines.flat().sort((a, b) => a.at - b.at);
}
