import fc from 'fast-check';
import type { KubeObject } from '../../core/model/object.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import { toMilli, toValue } from '../../core/model/quantity.ts';
import { resolveBound } from '../invariants/rolling-update-bounds.ts';
import { DEDICATED_TAINT } from './cluster.ts';

export interface WorkloadShape {
  maxWorkloads?: number;
  maxReplicas?: number;
  /** Include workloads whose containers crash-loop or fail probes (default true). */
  containerFaults?: boolean;
}

/** The generated description of one workload, before it becomes a manifest. */
export interface WorkloadDraft {
  kind: 'Deployment' | 'ReplicaSet';
  replicas: number;
  strategy: { type: 'Recreate' } | { type: 'RollingUpdate'; maxSurge: number | string; maxUnavailable: number | string };
  cpuMilli: number;
  memoryMi: number;
  minReadySeconds: number;
  nodeSelector?: { key: string; value: string };
  preferredZone?: string;
  toleratesDedicated: boolean;
  containerFault?: 'crash-loop' | 'readiness-fails' | 'liveness-fails';
}

export function workloadDraftArbitrary(shape: WorkloadShape = {}): fc.Arbitrary<WorkloadDraft> {
  const surge = fc.constantFrom<number | string>(0, 1, 2, '25%', '50%');
  const unavailable = fc.constantFrom<number | string>(0, 1, '25%', '50%');
  return fc.record(
    {
      kind: fc.constantFrom<'Deployment' | 'ReplicaSet'>('Deployment', 'Deployment', 'Deployment', 'ReplicaSet'),
      replicas: fc.integer({ min: 0, max: shape.maxReplicas ?? 5 }),
      strategy: fc.oneof(
        { weight: 4, arbitrary: fc.record({ type: fc.constant('RollingUpdate' as const), maxSurge: surge, maxUnavailable: unavailable }) },
        { weight: 1, arbitrary: fc.constant({ type: 'Recreate' as const }) },
      ),
      cpuMilli: fc.integer({ min: 1, max: 10 }).map((n) => n * 50),
      memoryMi: fc.integer({ min: 1, max: 8 }).map((n) => n * 32),
      minReadySeconds: fc.constantFrom(0, 0, 5),
      nodeSelector: fc.option(fc.constantFrom({ key: 'disktype', value: 'ssd' }, { key: 'kubernetes.io/os', value: 'linux' }), { nil: undefined }),
      preferredZone: fc.option(fc.constantFrom('zone-a', 'zone-b'), { nil: undefined }),
      toleratesDedicated: fc.boolean(),
      containerFault: shape.containerFaults === false ? fc.constant(undefined) : fc.option(fc.constantFrom('crash-loop', 'readiness-fails', 'liveness-fails'), { nil: undefined, freq: 8 }),
    },
    { requiredKeys: ['kind', 'replicas', 'strategy', 'cpuMilli', 'memoryMi', 'minReadySeconds', 'toleratesDedicated'] },
  ).map((draft) => {
    // Both bounds zero is invalid for a RollingUpdate; Kubernetes would reject it.
    if (draft.strategy.type === 'RollingUpdate' && isZero(draft.strategy.maxSurge) && isZero(draft.strategy.maxUnavailable)) {
      return { ...draft, strategy: { ...draft.strategy, maxUnavailable: 1 } };
    }
    return draft;
  });
}

function isZero(value: number | string): boolean {
  return value === 0 || value === '0%';
}

function eligibleNodes(draft: WorkloadDraft, nodes: readonly SimulatedNodeSpec[]): SimulatedNodeSpec[] {
  return nodes.filter((node) => {
    const labels: Record<string, string> = { 'kubernetes.io/os': 'linux', ...node.labels };
    if (draft.nodeSelector && labels[draft.nodeSelector.key] !== draft.nodeSelector.value) return false;
    return !(node.taints ?? []).length || draft.toleratesDedicated;
  });
}

/**
 * Trims replicas so that a workload that fails to converge points at a bug, not at a full cluster:
 * every group of workloads that can only use the same nodes asks for at most half of those nodes'
 * cpu and memory (less the largest node's: it may be the one that crashes), and then no set of
 * nodes can be squatted on (leaveRoomForConfined).
 */
export function fitToCluster(drafts: WorkloadDraft[], nodes: readonly SimulatedNodeSpec[]): WorkloadDraft[] {
  const fitted = drafts.map((d) => ({ ...d }));
  const capacityOf = (eligible: SimulatedNodeSpec[]) => ({
    cpu: eligible.reduce((sum, n) => sum + toMilli(n.cpu ?? '4'), 0),
    memory: eligible.reduce((sum, n) => sum + toValue(n.memory ?? '16Gi'), 0),
    // The largest node may be the one that crashes: leave it out of what a group can count on.
    largestCpu: Math.max(0, ...eligible.map((n) => toMilli(n.cpu ?? '4'))),
    largestMemory: Math.max(0, ...eligible.map((n) => toValue(n.memory ?? '16Gi'))),
  });
  const groups = new Map<string, number[]>();
  fitted.forEach((draft, i) => {
    const key = eligibleNodes(draft, nodes).map((n) => n.name).join(',');
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const [key, members] of groups) {
    const eligible = nodes.filter((n) => key.split(',').includes(n.name));
    const capacity = capacityOf(eligible);
    const budgetCpu = Math.max(0, (capacity.cpu - capacity.largestCpu) / 2);
    const budgetMemory = Math.max(0, (capacity.memory - capacity.largestMemory) / 2);
    const used = () =>
      members.reduce(
        (sum, i) => ({ cpu: sum.cpu + fitted[i]!.replicas * fitted[i]!.cpuMilli, memory: sum.memory + fitted[i]!.replicas * fitted[i]!.memoryMi * 2 ** 20 }),
        { cpu: 0, memory: 0 },
      );
    for (let cursor = members.length - 1; cursor >= 0; ) {
      const total = used();
      if (total.cpu <= budgetCpu && total.memory <= budgetMemory) break;
      const draft = fitted[members[cursor]!]!;
      if (draft.replicas > 0) draft.replicas--;
      else cursor--;
    }
  }
  return leaveRoomForConfined(fitted, nodes);
}

/**
 * Trims replicas until every workload confined to a set of nodes (by its nodeSelector and
 * tolerations) fits there even when every workload that may use any of those nodes has all its
 * pods, surge included, on them: what a crash leaves behind, as its pods are rescheduled onto the
 * other nodes and nothing moves them back once it recovers. With all nodes back, a pod of the
 * largest size s still finds a node with room when the pods that may be there ask for at most the
 * nodes' capacity less (nodes − 1)·s (were every node short of s, they would ask for more).
 */
function leaveRoomForConfined(fitted: WorkloadDraft[], nodes: readonly SimulatedNodeSpec[]): WorkloadDraft[] {
  const eligible = fitted.map((draft) => new Set(eligibleNodes(draft, nodes).map((n) => n.name)));
  const confinements = new Map<string, SimulatedNodeSpec[]>();
  for (const names of eligible) confinements.set([...names].join(','), nodes.filter((n) => names.has(n.name)));
  for (const confined of confinements.values()) {
    const sharing = fitted.flatMap((_, i) => (confined.some((n) => eligible[i]!.has(n.name)) ? [i] : []));
    const room = (capacity: (n: SimulatedNodeSpec) => number, size: (d: WorkloadDraft) => number) =>
      confined.reduce((sum, n) => sum + capacity(n), 0) - (confined.length - 1) * Math.max(0, ...sharing.map((i) => size(fitted[i]!)));
    const cpu = (d: WorkloadDraft) => d.cpuMilli;
    const memory = (d: WorkloadDraft) => d.memoryMi * 2 ** 20;
    const roomCpu = room((n) => toMilli(n.cpu ?? '4'), cpu);
    const roomMemory = room((n) => toValue(n.memory ?? '16Gi'), memory);
    const asked = (size: (d: WorkloadDraft) => number) => sharing.reduce((sum, i) => sum + podsAtMost(fitted[i]!) * size(fitted[i]!), 0);
    // The workload with the most replicas loses one at a time (the later one on a tie), so trimming
    // keeps as many workloads as it can. It only lowers what every set of nodes is asked for: a set
    // that has room keeps it.
    while ((asked(cpu) > roomCpu || asked(memory) > roomMemory) && sharing.some((i) => fitted[i]!.replicas > 0)) {
      const largest = sharing.reduce((best, i) => (fitted[i]!.replicas >= fitted[best]!.replicas ? i : best));
      fitted[largest]!.replicas--;
    }
  }
  return fitted;
}

/** The most pods a workload has at once: its replicas plus a rolling update's surge. */
function podsAtMost(draft: WorkloadDraft): number {
  if (draft.replicas === 0 || draft.kind !== 'Deployment' || draft.strategy.type !== 'RollingUpdate') return draft.replicas;
  return draft.replicas + resolveBound(draft.strategy.maxSurge, draft.replicas, true);
}

const FAULT_ANNOTATIONS: Record<NonNullable<WorkloadDraft['containerFault']>, Record<string, string>> = {
  'crash-loop': { 'sim.orrery.dev/exit-after': '30s', 'sim.orrery.dev/exit-code': '1' },
  'readiness-fails': { 'sim.orrery.dev/readiness-fail-after': '40s' },
  'liveness-fails': { 'sim.orrery.dev/liveness-fail-after': '40s' },
};

/** A Deployment or ReplicaSet manifest named `w<index>`. */
export function workloadManifest(draft: WorkloadDraft, index: number, image = 'app:v1'): KubeObject {
  const name = `w${index}`;
  const labels = { app: name };
  const probes =
    draft.containerFault === 'readiness-fails'
      ? { readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5, failureThreshold: 3 } }
      : draft.containerFault === 'liveness-fails'
        ? { livenessProbe: { httpGet: { path: '/live', port: 8080 }, periodSeconds: 5, failureThreshold: 3 } }
        : {};
  const template = {
    metadata: { labels, ...(draft.containerFault ? { annotations: FAULT_ANNOTATIONS[draft.containerFault] } : {}) },
    spec: {
      containers: [{ name: 'app', image, resources: { requests: { cpu: `${draft.cpuMilli}m`, memory: `${draft.memoryMi}Mi` } }, ...probes }],
      ...(draft.nodeSelector ? { nodeSelector: { [draft.nodeSelector.key]: draft.nodeSelector.value } } : {}),
      ...(draft.toleratesDedicated ? { tolerations: [{ key: DEDICATED_TAINT.key, operator: 'Equal', value: DEDICATED_TAINT.value, effect: 'NoSchedule' }] } : {}),
      ...(draft.preferredZone
        ? {
            affinity: {
              nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 50, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [draft.preferredZone] }] } },
                ],
              },
            },
          }
        : {}),
    },
  };
  const spec: Record<string, unknown> = { replicas: draft.replicas, selector: { matchLabels: labels }, template, minReadySeconds: draft.minReadySeconds };
  if (draft.kind === 'Deployment') {
    spec.strategy =
      draft.strategy.type === 'Recreate'
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: draft.strategy.maxSurge, maxUnavailable: draft.strategy.maxUnavailable } };
  }
  return { apiVersion: 'apps/v1', kind: draft.kind, metadata: { name, namespace: 'default', labels }, spec };
}
