import fc from 'fast-check';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';

export interface ClusterShape {
  minNodes?: number;
  maxNodes?: number;
}

export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
export const DEDICATED_TAINT = { key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const };

/** Nodes with capacities, labels, zones and, now and then, a `dedicated=batch:NoSchedule` taint. */
export function clusterArbitrary(shape: ClusterShape = {}): fc.Arbitrary<SimulatedNodeSpec[]> {
  const node = fc.record({
    cpu: fc.constantFrom('2', '4', '8'),
    memory: fc.constantFrom('4Gi', '8Gi', '16Gi'),
    zone: fc.constantFrom(...ZONES),
    disk: fc.constantFrom('ssd', 'hdd'),
    tainted: fc.boolean(),
  });
  return fc.array(node, { minLength: shape.minNodes ?? 3, maxLength: shape.maxNodes ?? 5 }).map((nodes) =>
    nodes.map((n, i) => ({
      name: `node-${i + 1}`,
      cpu: n.cpu,
      memory: n.memory,
      zone: n.zone,
      labels: { disktype: n.disk },
      // The first node is never tainted, so every workload has somewhere to go.
      ...(i > 0 && n.tainted ? { taints: [DEDICATED_TAINT] } : {}),
    })),
  );
}
