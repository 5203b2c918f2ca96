import { describe, expect, it } from 'vitest';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import type { Scenario } from '../../replay/scenario/scenario.ts';
import { builtInInvariants } from '../invariants/index.ts';
import { runHistory } from '../run-history.ts';
import { type WorkloadDraft, fitToCluster, workloadManifest } from './workloads.ts';

// A history `orrery check --runs 10000 --seed 7` found (shrunk), as the generator then fitted it:
// every group of workloads confined to the same nodes asked for at most half of them. Nodes 1 and 4
// crash; their pods are rescheduled onto node 2, the only healthy ssd node without the dedicated
// taint, and stay there once both recover. w8, confined to ssd nodes without the taint, then finds
// no room anywhere: a full cluster, not a bug, which the generator must not produce.
const nodes: SimulatedNodeSpec[] = [
  { name: 'node-1', cpu: '4', memory: '8Gi', zone: 'zone-a', labels: { disktype: 'hdd' } },
  { name: 'node-2', cpu: '2', memory: '16Gi', zone: 'zone-c', labels: { disktype: 'ssd' } },
  { name: 'node-3', cpu: '2', memory: '4Gi', zone: 'zone-c', labels: { disktype: 'ssd' }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
  { name: 'node-4', cpu: '2', memory: '16Gi', zone: 'zone-c', labels: { disktype: 'ssd' } },
];
const ssd = { key: 'disktype', value: 'ssd' };
const drafts: WorkloadDraft[] = [
  { kind: 'Deployment', replicas: 3, strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 1 }, cpuMilli: 450, memoryMi: 160, minReadySeconds: 5, preferredZone: 'zone-a', toleratesDedicated: true, containerFault: 'crash-loop' },
  { kind: 'Deployment', replicas: 3, strategy: { type: 'RollingUpdate', maxSurge: '50%', maxUnavailable: '25%' }, cpuMilli: 300, memoryMi: 96, minReadySeconds: 0, toleratesDedicated: true, containerFault: 'readiness-fails' },
  { kind: 'ReplicaSet', replicas: 1, strategy: { type: 'Recreate' }, cpuMilli: 450, memoryMi: 256, minReadySeconds: 0, toleratesDedicated: false, containerFault: 'liveness-fails' },
  { kind: 'Deployment', replicas: 4, strategy: { type: 'RollingUpdate', maxSurge: '50%', maxUnavailable: 0 }, cpuMilli: 50, memoryMi: 256, minReadySeconds: 5, nodeSelector: ssd, toleratesDedicated: true },
  { kind: 'Deployment', replicas: 3, strategy: { type: 'Recreate' }, cpuMilli: 250, memoryMi: 96, minReadySeconds: 0, nodeSelector: ssd, toleratesDedicated: true, containerFault: 'readiness-fails' },
  { kind: 'Deployment', replicas: 4, strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }, cpuMilli: 250, memoryMi: 64, minReadySeconds: 5, toleratesDedicated: false, containerFault: 'liveness-fails' },
  { kind: 'Deployment', replicas: 1, strategy: { type: 'RollingUpdate', maxSurge: '50%', maxUnavailable: '25%' }, cpuMilli: 400, memoryMi: 256, minReadySeconds: 0, preferredZone: 'zone-b', toleratesDedicated: true },
  { kind: 'Deployment', replicas: 1, strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: '50%' }, cpuMilli: 350, memoryMi: 160, minReadySeconds: 0, preferredZone: 'zone-b', toleratesDedicated: false, containerFault: 'readiness-fails' },
  { kind: 'Deployment', replicas: 1, strategy: { type: 'RollingUpdate', maxSurge: '50%', maxUnavailable: '25%' }, cpuMilli: 500, memoryMi: 128, minReadySeconds: 5, nodeSelector: ssd, preferredZone: 'zone-b', toleratesDedicated: false },
  { kind: 'ReplicaSet', replicas: 2, strategy: { type: 'Recreate' }, cpuMilli: 150, memoryMi: 160, minReadySeconds: 0, nodeSelector: { key: 'kubernetes.io/os', value: 'linux' }, toleratesDedicated: true, containerFault: 'liveness-fails' },
];

function historyOf(workloads: WorkloadDraft[]): Scenario {
  return {
    seed: 648296282,
    cluster: { nodes },
    manifests: workloads.map((draft, i) => workloadManifest(draft, i)),
    timeline: [
      { at: 10_000, action: 'node-crash', node: 'node-4' },
      { at: 10_000, action: 'node-crash', node: 'node-1' },
      { at: 350_000, action: 'node-recover', node: 'node-4' },
      { at: 350_000, action: 'node-recover', node: 'node-1' },
    ],
    duration: 350_000 + 15 * 60_000,
  };
}

describe('fitToCluster', { timeout: 60_000 }, () => {
  it('leaves room for a confined workload even when the others crowd onto its nodes after a crash', async () => {
    const asFound = await runHistory(historyOf(drafts), { invariants: builtInInvariants });
    expect(asFound.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual(['workloads-converge: deployment default/w8: availableReplicas is 0, want 1, 15m after the last action']);

    const fitted = fitToCluster(drafts, nodes);
    const fittedHistory = await runHistory(historyOf(fitted), { invariants: builtInInvariants });
    expect(fittedHistory.violations).toEqual([]);
    // Trimmed one replica at a time from the workload with the most: none goes to zero while
    // another still has two.
    expect(fitted.map((draft) => draft.replicas)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('trims nothing when every workload fits on its nodes in the worst case', () => {
    const small = drafts.map((draft) => ({ ...draft, replicas: 1, cpuMilli: 50, memoryMi: 32 }));
    expect(fitToCluster(small, nodes).map((draft) => draft.replicas)).toEqual(small.map(() => 1));
  });
});
