import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import type { SimulatedNodeSpec } from '../../engine/simulated-node.ts';
import { createSchedulerController } from './scheduler-controller.ts';
import { replicaSetOwner, testPod } from './test-objects.ts';

async function clusterWith(nodes: SimulatedNodeSpec[], seed = 1): Promise<SimulatedCluster> {
  const cluster = await createSimulatedCluster({ seed, nodes, controllers: [createSchedulerController()] });
  for (const node of nodes) await markReady(cluster, node.name);
  return cluster;
}

async function markReady(cluster: SimulatedCluster, node: string): Promise<void> {
  await cluster.act({ type: 'record', actor: `kubelet/${node}`, event: { type: 'NodeConditionChanged', data: { node, condition: { type: 'Ready', status: 'True' } } } });
}

async function events(cluster: SimulatedCluster): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of cluster.store.readAll(0)) all.push(event);
  return all;
}

async function decisionsFor(cluster: SimulatedCluster, pod: string) {
  return (await events(cluster)).filter(
    (e) => (e.type === 'PodScheduled' || e.type === 'PodUnschedulable') && (e.data as { ref: { name: string } }).ref.name === pod,
  );
}

function pod(cluster: SimulatedCluster, name: string): KubeObject {
  return cluster.state.objects.get('Pod')!.get(`default/${name}`)!;
}

const node = (name: string, extra: Partial<SimulatedNodeSpec> = {}): SimulatedNodeSpec => ({ name, cpu: '2', memory: '4Gi', ...extra });

describe('scheduler controller: given a cluster, when pods arrive', () => {
  it('binds a pod and records why, caused by the pod creation and carrying its correlation id', async () => {
    const cluster = await clusterWith([node('node-1'), node('node-2')]);
    const created = await cluster.act({ type: 'create', correlationId: 'req-1', object: testPod('web', { cpu: '500m' }) });
    const [decision] = await decisionsFor(cluster, 'web');
    expect(decision!.type).toBe('PodScheduled');
    expect(decision!.metadata).toMatchObject({ actor: 'scheduler', causationId: created.events[0]!.position, correlationId: 'req-1' });
    const data = decision!.data as { nodeName: string; decision: { chosen: string; evaluated: number; feasible: number } };
    expect(data.decision).toMatchObject({ chosen: data.nodeName, evaluated: 2, feasible: 2 });
    expect(pod(cluster, 'web').spec.nodeName).toBe(data.nodeName);
    await cluster.close();
  });

  it('leaves a pod that fits nowhere Pending with the exact message, once', async () => {
    const cluster = await clusterWith([node('node-1'), node('node-2', { labels: {} })]);
    await cluster.act({ type: 'create', object: testPod('huge', { cpu: '8' }) });
    await cluster.act({ type: 'create', object: testPod('small', { cpu: '100m' }) });
    const huge = pod(cluster, 'huge');
    expect(huge.spec.nodeName).toBeUndefined();
    expect(huge.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }),
    );
    expect(await decisionsFor(cluster, 'huge')).toHaveLength(1);
    await cluster.close();
  });

  it('retries an unschedulable pod when a node that fits it is added', async () => {
    const cluster = await clusterWith([node('node-1')]);
    await cluster.act({ type: 'create', object: testPod('web', { cpu: '3' }) });
    expect(pod(cluster, 'web').spec.nodeName).toBeUndefined();
    await cluster.act({
      type: 'record',
      actor: 'kubelet/node-2',
      event: { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } } } },
    });
    // Registered but not Ready yet: tainted not-ready, so still no place and no new decision.
    expect(pod(cluster, 'web').spec.nodeName).toBeUndefined();
    expect(await decisionsFor(cluster, 'web')).toHaveLength(1);
    await markReady(cluster, 'node-2');
    expect(pod(cluster, 'web').spec.nodeName).toBe('node-2');
    const decisions = await decisionsFor(cluster, 'web');
    expect(decisions.map((d) => d.type)).toEqual(['PodUnschedulable', 'PodScheduled']);
    await cluster.close();
  });

  it('retries when a bound pod goes away and frees its node, not on unrelated changes', async () => {
    const cluster = await clusterWith([node('node-1')]);
    await cluster.act({ type: 'create', object: testPod('first', { cpu: '1500m' }) });
    await cluster.act({ type: 'create', object: testPod('second', { cpu: '1' }) });
    expect(pod(cluster, 'second').spec.nodeName).toBeUndefined();
    await cluster.act({ type: 'create', object: testPod('tiny', { cpu: '100m' }) });
    expect(await decisionsFor(cluster, 'second')).toHaveLength(1);
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'first' }, gracePeriodSeconds: 0 });
    expect(pod(cluster, 'second').spec.nodeName).toBe('node-1');
    await cluster.close();
  });

  it('accounts for its own decisions before they come back as events', async () => {
    const cluster = await clusterWith([node('node-1'), node('node-2')]);
    // Three pods in a row that each need a whole node's worth of cpu on a two-node cluster.
    for (const name of ['a', 'b', 'c']) await cluster.act({ type: 'create', object: testPod(name, { cpu: '2' }) });
    const placed = ['a', 'b', 'c'].map((name) => pod(cluster, name).spec.nodeName);
    expect(placed.filter(Boolean).sort()).toEqual(['node-1', 'node-2']);
    expect(pod(cluster, 'c').status.conditions).toContainEqual(expect.objectContaining({ message: '0/2 nodes are available: 2 Insufficient cpu.' }));
    await cluster.close();
  });

  it("spreads a ReplicaSet's pods one per node", async () => {
    const cluster = await clusterWith([node('node-1', { cpu: '8' }), node('node-2', { cpu: '8' }), node('node-3', { cpu: '8' })]);
    const owner = replicaSetOwner('web-7d9f');
    for (let i = 0; i < 3; i++) await cluster.act({ type: 'create', object: testPod(`web-${i}`, { owner, cpu: '100m' }) });
    const nodes = [0, 1, 2].map((i) => pod(cluster, `web-${i}`).spec.nodeName);
    expect(new Set(nodes).size).toBe(3);
    await cluster.close();
  });

  it('makes the same choices from the same seed', async () => {
    const run = async (seed: number) => {
      const cluster = await clusterWith([node('node-1'), node('node-2'), node('node-3'), node('node-4')], seed);
      for (let i = 0; i < 6; i++) await cluster.act({ type: 'create', object: testPod(`p-${i}`) });
      const placement = Array.from({ length: 6 }, (_, i) => pod(cluster, `p-${i}`).spec.nodeName as string);
      await cluster.close();
      return placement.join(',');
    };
    expect(await run(11)).toBe(await run(11));
    const placements = new Set(await Promise.all([1, 2, 3, 4, 5].map(run)));
    expect(placements.size).toBeGreaterThan(1);
  });
});

describe('scheduler controller: pods deleted and created again under the same name', () => {
  it('schedules the new pod even though the old one was waiting', async () => {
    const cluster = await clusterWith([node('node-1')]);
    await cluster.act({ type: 'create', object: testPod('web', { cpu: '3' }) });
    expect(pod(cluster, 'web').spec.nodeName).toBeUndefined();
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web' }, gracePeriodSeconds: 0 });
    const again = testPod('web', { cpu: '1' });
    delete again.metadata.uid;
    await cluster.act({ type: 'create', object: again });
    expect(pod(cluster, 'web').spec.nodeName).toBe('node-1');
    await cluster.close();
  });
});

describe('scheduler controller: pod anti-affinity', () => {
  it('runs one replica per node and places the one left over when a node joins', async () => {
    const cluster = await clusterWith([node('node-1'), node('node-2')]);
    const spec = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } };
    for (const name of ['web-a', 'web-b', 'web-c']) await cluster.act({ type: 'create', object: testPod(name, { labels: { app: 'web' }, spec }) });
    const placed = ['web-a', 'web-b', 'web-c'].map((name) => pod(cluster, name).spec.nodeName);
    expect(placed.slice(0, 2).sort()).toEqual(['node-1', 'node-2']);
    expect(pod(cluster, 'web-c').status.conditions).toContainEqual(
      expect.objectContaining({ message: "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules." }),
    );
    await cluster.act({
      type: 'record',
      actor: 'kubelet/node-3',
      event: { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-3', labels: { 'kubernetes.io/hostname': 'node-3' } }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } } } },
    });
    await markReady(cluster, 'node-3');
    expect(pod(cluster, 'web-c').spec.nodeName).toBe('node-3');
    await cluster.close();
  });
});
