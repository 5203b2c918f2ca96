import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { simulatedNodeObject } from '../../engine/simulated-node.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { rebuildState } from '../../state/reducer.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function daemonSet(name: string, podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...podSpec } },
      ...spec,
    },
  };
}

const dsOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'DaemonSet', 'kube-system', name);
const daemonPods = (c: SimulatedCluster, name: string) =>
  listObjects(c.state, 'Pod', 'kube-system').filter((p) => controllerOf(p)?.uid === dsOf(c, name).metadata.uid && !p.metadata.deletionTimestamp);
const nodesOf = (pods: KubeObject[]) => pods.map((p) => p.spec?.nodeName).sort();

async function events(c: SimulatedCluster) {
  const all = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

describe('DaemonSet controller (simulated cluster)', () => {
  it('runs one pod per node, pinned by node affinity, with the default tolerations; status counts them', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 3 });
    await cluster.apply([daemonSet('agent')]);
    await cluster.run(30_000);
    const pods = daemonPods(cluster, 'agent');
    expect(nodesOf(pods)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
      expect(pod.metadata.labels).toMatchObject({ app: 'agent', 'pod-template-generation': '1' });
      expect(pod.metadata.labels!['controller-revision-hash']).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
      expect(pod.spec!.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec!.nodeName] }] },
      ]);
      expect(pod.spec!.tolerations.map((t: { key: string }) => t.key)).toContain('node.kubernetes.io/unschedulable');
      expect(isPodReady(pod)).toBe(true);
    }
    expect(dsOf(cluster, 'agent').status).toEqual({
      currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3,
    });
    const creates = (await events(cluster)).filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Pod');
    expect(creates.every((e) => e.metadata.actor === 'daemonset-controller' && typeof e.metadata.causationId === 'number')).toBe(true);
    expect(rebuildState(await events(cluster))).toEqual(cluster.state);
  });

  it('honours the node selector and taints; a cordoned node still runs its daemon pod', async () => {
    cluster = await createSimulatedCluster({
      seed: 2,
      nodes: [
        { name: 'gpu-1', labels: { gpu: 'true' } },
        { name: 'gpu-2', labels: { gpu: 'true' }, taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] },
        { name: 'cpu-1' },
      ],
    });
    await cluster.act({ type: 'update', object: { ...structuredClone(getObject(cluster.state, 'Node', undefined, 'gpu-1')!), spec: { unschedulable: true } } });
    await cluster.apply([daemonSet('gpu-agent', { nodeSelector: { gpu: 'true' } }), daemonSet('ml-agent', { nodeSelector: { gpu: 'true' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }] })]);
    await cluster.run(30_000);
    expect(nodesOf(daemonPods(cluster, 'gpu-agent'))).toEqual(['gpu-1']);
    expect(nodesOf(daemonPods(cluster, 'ml-agent'))).toEqual(['gpu-1', 'gpu-2']);
    expect(dsOf(cluster, 'gpu-agent').status.desiredNumberScheduled).toBe(1);
  });

  it('follows nodes as they join and leave', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 2 });
    await cluster.apply([daemonSet('agent')]);
    await cluster.run(20_000);
    await cluster.act({ type: 'record', actor: 'kubelet/node-9', event: { type: 'NodeRegistered', data: { node: simulatedNodeObject({ name: 'node-9' }, 9) } } });
    await cluster.run(30_000);
    expect(nodesOf(daemonPods(cluster, 'agent'))).toEqual(['node-1', 'node-2', 'node-9']);
    expect(dsOf(cluster, 'agent').status.numberReady).toBe(3);
    await cluster.act({ type: 'delete', ref: { kind: 'Node', name: 'node-2' } });
    await cluster.run(60_000);
    expect(nodesOf(daemonPods(cluster, 'agent'))).toEqual(['node-1', 'node-9']);
    expect(dsOf(cluster, 'agent').status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 });
  });

  it('a node whose labels stop matching loses its pod; a deleted pod is replaced on the same node', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: [{ name: 'a', labels: { role: 'edge' } }, { name: 'b', labels: { role: 'edge' } }] });
    await cluster.apply([daemonSet('edge', { nodeSelector: { role: 'edge' } })]);
    await cluster.run(20_000);
    const victim = daemonPods(cluster, 'edge').find((p) => p.spec?.nodeName === 'a')!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'kube-system', name: victim.metadata.name! } });
    await cluster.run(20_000);
    const replacement = daemonPods(cluster, 'edge').find((p) => p.spec?.nodeName === 'a')!;
    expect(replacement.metadata.name).not.toBe(victim.metadata.name);
    const node = structuredClone(getObject(cluster.state, 'Node', undefined, 'b')!);
    node.metadata.labels = { ...node.metadata.labels, role: 'core' };
    await cluster.act({ type: 'update', object: node });
    await cluster.run(30_000);
    expect(nodesOf(daemonPods(cluster, 'edge'))).toEqual(['a']);
  });

  it('a template change rolls the pods over one node at a time (maxUnavailable 1)', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 4 });
    await cluster.apply([daemonSet('agent')]);
    await cluster.run(20_000);
    const ds = structuredClone(dsOf(cluster, 'agent'));
    delete ds.status;
    ds.spec.template.spec.containers[0].image = 'agent:2';
    await cluster.act({ type: 'update', object: ds });
    // Track, after every event, how many eligible nodes lack an available daemon pod.
    let worst = 0;
    const start = cluster.state.position;
    await cluster.run(120_000);
    const replay = await events(cluster);
    const { createClusterState, applyEvent } = await import('../../state/reducer.ts');
    const state = createClusterState();
    for (const event of replay) {
      applyEvent(state, event);
      if (event.position <= start) continue;
      const uid = getObject(state, 'DaemonSet', 'kube-system', 'agent')!.metadata.uid;
      const ready = new Set(listObjects(state, 'Pod', 'kube-system').filter((p) => controllerOf(p)?.uid === uid && !p.metadata.deletionTimestamp && isPodReady(p)).map((p) => p.spec?.nodeName));
      worst = Math.max(worst, 4 - ready.size);
    }
    expect(worst).toBe(1);
    const pods = daemonPods(cluster, 'agent');
    expect(pods.map((p) => p.spec!.containers[0].image)).toEqual(['agent:2', 'agent:2', 'agent:2', 'agent:2']);
    expect(dsOf(cluster, 'agent').status).toMatchObject({ updatedNumberScheduled: 4, numberAvailable: 4, observedGeneration: 2 });
  });

  it('adopts an orphan pod its selector matches; lacking the revision hash, the rolling update then replaces it', async () => {
    cluster = await createSimulatedCluster({ seed: 6, nodes: 2 });
    await cluster.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'kube-system', labels: { app: 'agent' } }, spec: { nodeName: 'node-1', containers: [{ name: 'agent', image: 'agent:1' }] } }]);
    await cluster.run(5_000);
    await cluster.apply([daemonSet('agent')]);
    await cluster.run(20_000);
    const pods = daemonPods(cluster, 'agent');
    expect(nodesOf(pods)).toEqual(['node-1', 'node-2']);
    const all = await events(cluster);
    const adoption = all.find((e) => e.type === 'ObjectReplaced' && e.data.object.metadata.name === 'stray')!;
    expect(adoption.metadata.actor).toBe('daemonset-controller');
    expect((adoption as any).data.object.metadata.ownerReferences).toMatchObject([{ kind: 'DaemonSet', name: 'agent', controller: true }]);
    // Only node-2 got a pod at first: node-1 had the adopted one.
    const firstCreates = all.filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Pod' && e.position < adoption.position + 3);
    expect(firstCreates.map((e: any) => e.data.object.spec.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]).filter(Boolean)).toEqual(['node-2']);
  });
});
