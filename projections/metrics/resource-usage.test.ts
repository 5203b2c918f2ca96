import { describe, expect, it } from 'vitest';
import { type KubeObject, objectKey } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';
import { indexObject } from '../state/indexes.ts';
import { createClusterState } from '../state/reducer.ts';
import {
  CONTAINER_MEMORY_FLOOR_BYTES,
  CPU_LOAD_ANNOTATION,
  CPU_USAGE_ANNOTATION,
  MEMORY_USAGE_ANNOTATION,
  ResourceUsage,
  podCpuMetrics,
  podsOfTarget,
  splitByWeight,
} from './resource-usage.ts';

const Mi = 1024 * 1024;
const milli = (m: number) => m * 1_000_000; // millicores → nanocores

function put(state: ClusterState, object: KubeObject): KubeObject {
  const key = objectKey(object.metadata.namespace, object.metadata.name!);
  let objects = state.objects.get(object.kind);
  if (!objects) state.objects.set(object.kind, (objects = new Map()));
  objects.set(key, object);
  indexObject(state, object.kind, key, object);
  return object;
}

function node(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` }, spec: {}, status: { allocatable: { cpu: '4', memory: '16Gi' } } };
}

interface PodOptions {
  node?: string;
  phase?: string;
  ready?: boolean;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  owner?: KubeObject;
  containers?: Array<{ name: string; cpu?: string; memory?: string }>;
  deleting?: boolean;
}

function pod(name: string, options: PodOptions = {}): KubeObject {
  const containers = options.containers ?? [{ name: 'app' }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: options.labels ?? { app: 'web' },
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: options.owner.kind, name: options.owner.metadata.name!, uid: options.owner.metadata.uid!, controller: true }] } : {}),
      ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: options.node ?? 'node-1',
      containers: containers.map((c) => {
        const requests: Record<string, string> = {};
        if (c.cpu) requests.cpu = c.cpu;
        if (c.memory) requests.memory = c.memory;
        return { name: c.name, image: 'nginx', ...(c.cpu || c.memory ? { resources: { requests } } : {}) };
      }),
    },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  };
}

function workload(kind: string, name: string, annotations: Record<string, string> = {}, owner?: KubeObject): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${kind}-${name}`,
      annotations,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true }] } : {}),
    },
    spec: { selector: { matchLabels: { app: 'web' } } },
  };
}

function cluster(...objects: KubeObject[]): ClusterState {
  const state = createClusterState();
  put(state, node('node-1'));
  put(state, node('node-2'));
  for (const object of objects) put(state, object);
  return state;
}

describe('splitByWeight', () => {
  it('splits in proportion to the weights, evenly when they are all zero, in whole parts that add up exactly', () => {
    expect(splitByWeight(400, [300, 100])).toEqual([300, 100]);
    expect(splitByWeight(1000, [0, 0, 0])).toEqual([333, 334, 333]);
    expect(splitByWeight(1000, [1, 1, 1]).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(splitByWeight(90, [200, 0, 100])).toEqual([60, 0, 30]);
    expect(splitByWeight(5, [])).toEqual([]);
  });
});

describe('ResourceUsage: pods', () => {
  it("splits a pod's own cpu usage among its containers in proportion to their cpu requests", () => {
    const p = pod('solo', { annotations: { [CPU_USAGE_ANNOTATION]: '400m' }, containers: [{ name: 'app', cpu: '300m' }, { name: 'log', cpu: '100m' }] });
    const usage = new ResourceUsage(cluster(p)).pod(p)!;
    expect(usage.map((c) => [c.name, c.cpuNanocores])).toEqual([
      ['app', milli(300)],
      ['log', milli(100)],
    ]);
  });

  it('splits cpu evenly among containers that request none', () => {
    const p = pod('solo', { annotations: { [CPU_USAGE_ANNOTATION]: '1' }, containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    const usage = new ResourceUsage(cluster(p)).pod(p)!;
    expect(usage.map((c) => c.cpuNanocores)).toEqual([333_333_333, 333_333_334, 333_333_333]);
  });

  it('uses each container’s memory request, else the floor, when the pod gives no memory usage', () => {
    const p = pod('solo', { containers: [{ name: 'app', memory: '96Mi' }, { name: 'log' }] });
    const usage = new ResourceUsage(cluster(p)).pod(p)!;
    expect(usage.map((c) => [c.name, c.memoryBytes])).toEqual([
      ['app', 96 * Mi],
      ['log', CONTAINER_MEMORY_FLOOR_BYTES],
    ]);
    expect(CONTAINER_MEMORY_FLOOR_BYTES).toBe(4 * Mi);
  });

  it("splits the pod's memory-usage annotation in proportion to memory requests, evenly when none request memory", () => {
    const weighted = pod('a', { annotations: { [MEMORY_USAGE_ANNOTATION]: '200Mi' }, containers: [{ name: 'app', memory: '96Mi' }, { name: 'log', memory: '32Mi' }] });
    const even = pod('b', { annotations: { [MEMORY_USAGE_ANNOTATION]: '200Mi' }, containers: [{ name: 'app' }, { name: 'log' }] });
    const usage = new ResourceUsage(cluster(weighted, even));
    expect(usage.pod(weighted)!.map((c) => c.memoryBytes)).toEqual([150 * Mi, 50 * Mi]);
    expect(usage.pod(even)!.map((c) => c.memoryBytes)).toEqual([100 * Mi, 100 * Mi]);
  });

  it("gives a pod without its own usage its share of the nearest owner's cpu-load (through its ReplicaSet to the Deployment)", () => {
    const deployment = workload('Deployment', 'web', { [CPU_LOAD_ANNOTATION]: '900m' });
    const rs = workload('ReplicaSet', 'web-1', {}, deployment);
    const pods = ['a', 'b', 'c'].map((n) => pod(`web-${n}`, { owner: rs }));
    const usage = new ResourceUsage(cluster(deployment, rs, ...pods));
    for (const p of pods) expect(usage.pod(p)!.map((c) => c.cpuNanocores)).toEqual([milli(300)]);
  });

  it('shares the load among Ready, not terminating pods without their own usage; the others take no share', () => {
    const deployment = workload('Deployment', 'web', { [CPU_LOAD_ANNOTATION]: '600m' });
    const rs = workload('ReplicaSet', 'web-1', {}, deployment);
    const ready = [pod('web-a', { owner: rs }), pod('web-b', { owner: rs })];
    const unready = pod('web-c', { owner: rs, ready: false });
    const deleting = pod('web-d', { owner: rs, deleting: true });
    const own = pod('web-e', { owner: rs, annotations: { [CPU_USAGE_ANNOTATION]: '50m' } });
    const usage = new ResourceUsage(cluster(deployment, rs, ...ready, unready, deleting, own));
    for (const p of ready) expect(usage.pod(p)![0]!.cpuNanocores).toBe(milli(300));
    expect(usage.pod(unready)![0]!.cpuNanocores).toBe(0);
    expect(usage.pod(deleting)![0]!.cpuNanocores).toBe(0);
    expect(usage.pod(own)![0]!.cpuNanocores).toBe(milli(50));
  });

  it('uses no cpu without a usage or a load, and an ownerReference whose uid does not match reads no load', () => {
    const idle = pod('idle');
    const deployment = workload('Deployment', 'web', { [CPU_LOAD_ANNOTATION]: '600m' });
    const stale = pod('stale', { owner: { ...deployment, metadata: { ...deployment.metadata, uid: 'another' } } });
    const usage = new ResourceUsage(cluster(idle, deployment, stale));
    expect(usage.pod(idle)).toEqual([{ name: 'app', cpuNanocores: 0, memoryBytes: CONTAINER_MEMORY_FLOOR_BYTES }]);
    expect(usage.pod(stale)![0]!.cpuNanocores).toBe(0);
  });

  it('agrees with the autoscaler: every pod the HPA has a metric for shows that cpu', () => {
    const deployment = workload('Deployment', 'web', { [CPU_LOAD_ANNOTATION]: '1' });
    const rs = workload('ReplicaSet', 'web-1', {}, deployment);
    const pods = [pod('web-a', { owner: rs }), pod('web-b', { owner: rs, ready: false }), pod('web-c', { owner: rs }), pod('web-d', { owner: rs, annotations: { [CPU_USAGE_ANNOTATION]: '20m' } })];
    const state = cluster(deployment, rs, ...pods);
    const hpa = podCpuMetrics(deployment, podsOfTarget(state, deployment));
    expect([...hpa.entries()]).toEqual([
      ['web-d', 20],
      ['web-a', 500],
      ['web-c', 500],
    ]);
    const usage = new ResourceUsage(state);
    for (const [name, m] of hpa) expect(usage.pod(pods.find((p) => p.metadata.name === name)!)![0]!.cpuNanocores).toBe(milli(m));
    // What the autoscaler reads (podUsageMilli) is what the metrics API reports: the unready pod too, at 0.
    expect(pods.map((p) => usage.podUsageMilli(p, 'cpu'))).toEqual([500, 0, 500, 20]);
    expect(pods.map((p) => usage.podUsageMilli(p, 'memory'))).toEqual(pods.map((p) => usage.pod(p)!.reduce((sum, c) => sum + c.memoryBytes, 0) * 1000));
  });

  it('has no metrics for a pod that is not Running, nor for one whose kubelet is stopped', () => {
    const running = pod('running');
    const others = ['Pending', 'Succeeded', 'Failed', 'Unknown'].map((phase) => pod(phase.toLowerCase(), { phase }));
    const unscraped = pod('unscraped', { node: 'node-2' });
    const state = cluster(running, ...others, unscraped);
    state.stoppedKubelets.add('node-2');
    const usage = new ResourceUsage(state);
    expect(usage.pod(running)).toBeDefined();
    expect(usage.podUsageMilli(running, 'cpu')).toBe(0);
    for (const p of others) expect(usage.pod(p), p.status!.phase).toBeUndefined();
    for (const p of others) expect(usage.podUsageMilli(p, 'cpu'), p.status!.phase).toBeUndefined();
    for (const p of others) expect(usage.podUsageMilli(p, 'memory'), p.status!.phase).toBeUndefined();
    expect(usage.pod(unscraped)).toBeUndefined();
    expect(usage.podUsageMilli(unscraped, 'cpu')).toBeUndefined();
    expect(usage.podUsageMilli(unscraped, 'memory')).toBeUndefined();
  });
});

describe('ResourceUsage: nodes', () => {
  it('sums the usage of the Running pods bound to the node, with no system overhead', () => {
    const a = pod('a', { annotations: { [CPU_USAGE_ANNOTATION]: '250m', [MEMORY_USAGE_ANNOTATION]: '200Mi' } });
    const b = pod('b', { annotations: { [CPU_USAGE_ANNOTATION]: '1500m' }, containers: [{ name: 'app', memory: '1Gi' }, { name: 'log' }] });
    const pending = pod('pending', { phase: 'Pending', annotations: { [CPU_USAGE_ANNOTATION]: '3' } });
    const elsewhere = pod('elsewhere', { node: 'node-2', annotations: { [CPU_USAGE_ANNOTATION]: '100m' } });
    const usage = new ResourceUsage(cluster(a, b, pending, elsewhere));
    expect(usage.node('node-1')).toEqual({ cpuNanocores: milli(1750), memoryBytes: 200 * Mi + 1024 * Mi + CONTAINER_MEMORY_FLOOR_BYTES });
    expect(usage.node('node-2')).toEqual({ cpuNanocores: milli(100), memoryBytes: CONTAINER_MEMORY_FLOOR_BYTES });
  });

  it('gives an idle node zero, and a missing node, one whose kubelet is stopped or one with no simulated kubelet no metrics', () => {
    const unsimulated = node('node-3');
    unsimulated.metadata.annotations = { 'sim.orrery.dev/kubelet': 'none' };
    const running = pod('running', { node: 'node-3' });
    const state = cluster(unsimulated, running);
    state.stoppedKubelets.add('node-2');
    const usage = new ResourceUsage(state);
    expect(usage.node('node-1')).toEqual({ cpuNanocores: 0, memoryBytes: 0 });
    expect(usage.node('node-2')).toBeUndefined();
    expect(usage.node('node-3')).toBeUndefined();
    expect(usage.pod(running)).toBeUndefined();
    expect(usage.node('node-4')).toBeUndefined();
  });
});
