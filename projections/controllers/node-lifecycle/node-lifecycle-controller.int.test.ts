import { describe, expect, it } from 'vitest';
import type { StoredEvent, Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { type InMemoryStore, createInMemoryStore } from '../../../core/store/in-memory-store.ts';
import type { Controller } from '../../engine/controller.ts';
import { createSimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { createKubeletController } from '../kubelet/kubelet-controller.ts';
import { createReplicaSetController } from '../replicaset/replicaset-controller.ts';
import { createSchedulerController } from '../scheduler/scheduler-controller.ts';
import { createNodeLifecycleController } from './node-lifecycle-controller.ts';

function pod(name: string, node: string, tolerations?: unknown[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
  };
}

async function cluster(nodes: number, extra: Controller[] = []) {
  const store: InMemoryStore = createInMemoryStore();
  const sim = await createSimulatedCluster({ store, nodes, controllers: [...extra, createKubeletController(), createNodeLifecycleController()] });
  const events = (filter: (e: StoredEvent) => boolean) => store.events().filter(filter);
  const stopKubelet = (node: string) => sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node, reason: 'crash' } } });
  const startKubelet = (node: string) => sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStarted', data: { node } } });
  const taintsOf = (node: string) => ((getObject(sim.state, 'Node', undefined, node)!.spec?.taints as Taint[] | undefined) ?? []).map((t) => `${t.key}:${t.effect}`);
  return { sim, store, events, stopKubelet, startKubelet, taintsOf };
}

describe('node lifecycle controller', () => {
  it('marks a silent node Unknown 40 s after its last heartbeat, taints it, and evicts its pods 300 s later, not before', async () => {
    const { sim, events, stopKubelet, taintsOf } = await cluster(2);
    await sim.apply([pod('web', 'node-1'), pod('other', 'node-2')]);
    await sim.run(25_000);
    await stopKubelet('node-1');
    const lastBeat = events((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes('node-1')).at(-1)!.metadata.time;
    await sim.run(60_000);

    const unknown = events((e) => e.type === 'NodeConditionChanged' && e.data.node === 'node-1' && e.data.condition.status === 'Unknown');
    const ready = unknown.find((e) => (e as any).data.condition.type === 'Ready')!;
    expect(ready.metadata.time - lastBeat).toBe(40_000);
    expect((ready as any).data.condition).toEqual({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(unknown.map((e) => (e as any).data.condition.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    expect(taintsOf('node-1')).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(taintsOf('node-2')).toEqual([]);
    const tainted = events((e) => e.type === 'NodeTaintsChanged' && e.data.node === 'node-1')[0]!;
    expect(tainted.metadata.time).toBe(ready.metadata.time);
    const podReady = (name: string) => getObject(sim.state, 'Pod', 'default', name)!.status.conditions.find((c: any) => c.type === 'Ready').status;
    expect(podReady('web')).toBe('False');
    expect(podReady('other')).toBe('True');

    // Default tolerations (DefaultTolerationSeconds admission) give the pod 300 s.
    await sim.engine.runUntil(tainted.metadata.time + 299_999);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.metadata.deletionTimestamp).toBeUndefined();
    await sim.engine.runUntil(tainted.metadata.time + 300_000);
    const evicted = events((e) => e.type === 'PodEvicted');
    expect(evicted.map((e) => [e.metadata.time - tainted.metadata.time, (e as any).data.ref.name, (e as any).data.reason, (e as any).data.message])).toEqual([
      [300_000, 'web', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint'],
    ]);
    // Why it was evicted: the taint that started the countdown, which followed from Ready=Unknown,
    // which the clock reaching last heartbeat + 40 s brought about (not the tick that ended it).
    const byPosition = new Map(events(() => true).map((e) => [e.position, e]));
    const chain: string[] = [];
    for (let at: number | undefined = evicted[0]!.position; at !== undefined; at = byPosition.get(at)!.metadata.causationId) {
      const link = byPosition.get(at)!;
      chain.push(link.type === 'NodeConditionChanged' ? `${link.type} ${(link as any).data.condition.type}` : `${link.type} ${link.metadata.time - tainted.metadata.time}`);
    }
    expect(chain).toEqual(['PodEvicted 300000', 'NodeTaintsChanged 0', 'NodeConditionChanged Ready', 'ClockAdvanced 0']);
    const deletion = events((e) => e.type === 'ObjectDeletionRequested' && e.stream === 'Pod/default/web')[0]!;
    expect(deletion.metadata.causationId).toBe(tainted.position);
    const web = getObject(sim.state, 'Pod', 'default', 'web')!;
    expect(web.metadata.deletionTimestamp).toBeDefined();
    expect(web.status.conditions.find((c: any) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    // The kubelet is down, so the pod stays Terminating, as in Kubernetes.
    await sim.run(120_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeDefined();
    expect(getObject(sim.state, 'Pod', 'default', 'other')!.metadata.deletionTimestamp).toBeUndefined();
    await sim.close();
  });

  it('clears the taints and cancels pending evictions when the kubelet comes back', async () => {
    const { sim, events, stopKubelet, startKubelet, taintsOf } = await cluster(1);
    await sim.apply([pod('web', 'node-1')]);
    await sim.run(5_000);
    await stopKubelet('node-1');
    await sim.run(120_000);
    expect(taintsOf('node-1')).toContain('node.kubernetes.io/unreachable:NoExecute');
    await startKubelet('node-1');
    await sim.run(1_000);
    const node = getObject(sim.state, 'Node', undefined, 'node-1')!;
    expect(node.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(taintsOf('node-1')).toEqual([]);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await sim.run(600_000);
    expect(events((e) => e.type === 'PodEvicted')).toEqual([]);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.phase).toBe('Running');
    // A second outage is noticed again.
    await stopKubelet('node-1');
    await sim.run(60_000);
    expect(taintsOf('node-1')).toContain('node.kubernetes.io/unreachable:NoExecute');
    await sim.close();
  });

  it('evicts by each pod\'s tolerations: untolerated at once, tolerationSeconds later, unlimited never', async () => {
    const { sim, events } = await cluster(1);
    await sim.apply([
      pod('plain', 'node-1'),
      pod('minute', 'node-1', [{ key: 'example.com/drain', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]),
      pod('forever', 'node-1', [{ key: 'example.com/drain', operator: 'Exists', effect: 'NoExecute' }]),
    ]);
    await sim.run(5_000);
    await sim.act({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'node-1', taints: [{ key: 'example.com/drain', effect: 'NoExecute' }] } } });
    const taintedAt = sim.state.time;
    await sim.run(600_000);
    expect(events((e) => e.type === 'PodEvicted').map((e) => [(e as any).data.ref.name, e.metadata.time - taintedAt])).toEqual([
      ['plain', 0],
      ['minute', 60_000],
    ]);
    // The kubelet is up, so the evicted pods are stopped and removed.
    expect(listObjects(sim.state, 'Pod').map((p) => p.metadata.name)).toEqual(['forever']);
    await sim.close();
  });

  it('evicts for taints written through the API (kubectl taint), and stops when they are taken off', async () => {
    const { sim, events } = await cluster(1);
    const tolerate = (seconds: number) => [{ key: 'example.com/drain', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }];
    await sim.apply([pod('plain', 'node-1'), pod('minute', 'node-1', tolerate(60)), pod('hour', 'node-1', tolerate(3600))]);
    await sim.run(5_000);
    const setTaints = (taints: Taint[]) => {
      const node = getObject(sim.state, 'Node', undefined, 'node-1')!;
      return sim.act({ type: 'update', actor: 'user:kubectl', object: { ...node, spec: { ...node.spec, taints } } });
    };
    const tainted = await setTaints([{ key: 'example.com/drain', effect: 'NoExecute' }]);
    expect(tainted.events.map((e) => e.type)).toEqual(['ObjectReplaced']);
    const taintedAt = sim.state.time;
    await sim.run(120_000);
    expect(events((e) => e.type === 'PodEvicted').map((e) => [(e as any).data.ref.name, e.metadata.time - taintedAt, e.metadata.causationId])).toEqual([
      ['plain', 0, tainted.events[0]!.position],
      ['minute', 60_000, tainted.events[0]!.position],
    ]);
    await setTaints([]);
    await sim.run(3_600_000);
    expect(events((e) => e.type === 'PodEvicted')).toHaveLength(2);
    expect(listObjects(sim.state, 'Pod').map((p) => p.metadata.name)).toEqual(['hour']);
    await sim.close();
  });

  it('evicts at once when an untolerated NoExecute taint joins a tolerated one', async () => {
    const { sim, events } = await cluster(1);
    await sim.apply([pod('web', 'node-1', [{ key: 'example.com/maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }])]);
    await sim.run(5_000);
    const taint = (taints: Taint[]) => sim.act({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'node-1', taints } } });
    await taint([{ key: 'example.com/maintenance', effect: 'NoExecute' }]);
    await sim.run(60_000);
    expect(events((e) => e.type === 'PodEvicted')).toEqual([]);
    await taint([{ key: 'example.com/maintenance', effect: 'NoExecute' }, { key: 'example.com/broken', effect: 'NoExecute' }]);
    const at = sim.state.time;
    await sim.run(1_000);
    expect(events((e) => e.type === 'PodEvicted').map((e) => e.metadata.time - at)).toEqual([0]);
    await sim.close();
  });

  it('taints a cordoned node unschedulable and untaints it on uncordon', async () => {
    const { sim, taintsOf } = await cluster(1);
    const cordon = async (unschedulable: boolean) => {
      const node = getObject(sim.state, 'Node', undefined, 'node-1')!;
      await sim.act({ type: 'update', object: { ...node, spec: { ...node.spec, unschedulable } } });
    };
    await cordon(true);
    expect(taintsOf('node-1')).toEqual(['node.kubernetes.io/unschedulable:NoSchedule']);
    expect(getObject(sim.state, 'Node', undefined, 'node-1')!.spec.taints[0].timeAdded).toBeUndefined();
    await cordon(false);
    expect(taintsOf('node-1')).toEqual([]);
    await sim.close();
  });

  it('killing a node\'s kubelet reschedules its pods elsewhere after the toleration, and not before', async () => {
    const { sim, events, stopKubelet } = await cluster(3, [createSchedulerController(), createReplicaSetController()]);
    await sim.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 6,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
        },
      },
    ]);
    await sim.run(20_000);
    const podsOn = (node: string) => listObjects(sim.state, 'Pod').filter((p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp);
    const victims = podsOn('node-1').map((p) => p.metadata.name);
    expect(victims.length).toBeGreaterThan(0);
    expect(listObjects(sim.state, 'Pod').every((p) => p.status.phase === 'Running')).toBe(true);
    await stopKubelet('node-1');
    await sim.run(60_000);
    const taintedAt = events((e) => e.type === 'NodeTaintsChanged' && e.data.node === 'node-1')[0]!.metadata.time;

    await sim.engine.runUntil(taintedAt + 299_999);
    expect(listObjects(sim.state, 'Pod').length).toBe(6);
    expect(podsOn('node-1').map((p) => p.metadata.name)).toEqual(victims);

    await sim.engine.runUntil(taintedAt + 310_000);
    const live = listObjects(sim.state, 'Pod').filter((p) => !p.metadata.deletionTimestamp);
    expect(live.length).toBe(6);
    expect(live.some((p) => p.spec.nodeName === 'node-1')).toBe(false);
    expect(live.every((p) => p.status.phase === 'Running')).toBe(true);
    // The evicted pods wait, Terminating, for their node to come back.
    const terminating = listObjects(sim.state, 'Pod').filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(terminating).toEqual(victims);
    await sim.close();
  });

  it('full stack: a Deployment\'s pods on a dead node are replaced after 300 s, and cleaned up when it returns', async () => {
    const store = createInMemoryStore();
    const sim = await createSimulatedCluster({ store, nodes: 3 });
    await sim.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 6,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
        },
      },
    ]);
    await sim.run(20_000);
    const victims = listObjects(sim.state, 'Pod').filter((p) => p.spec.nodeName === 'node-1').map((p) => p.metadata.name);
    expect(victims.length).toBeGreaterThan(0);
    await sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-1', reason: 'crash' } } });
    await sim.run(60_000);
    const taintedAt = store.events().find((e) => e.type === 'NodeTaintsChanged' && e.data.node === 'node-1' && e.data.taints.some((t) => t.effect === 'NoExecute'))!.metadata.time;
    await sim.engine.runUntil(taintedAt + 299_999);
    expect(listObjects(sim.state, 'Pod').length).toBe(6);
    await sim.engine.runUntil(taintedAt + 320_000);
    const live = listObjects(sim.state, 'Pod').filter((p) => !p.metadata.deletionTimestamp);
    expect(live.length).toBe(6);
    expect(live.every((p) => p.spec.nodeName !== 'node-1' && p.status.phase === 'Running')).toBe(true);
    expect(listObjects(sim.state, 'Pod').filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual(victims);

    await sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStarted', data: { node: 'node-1' } } });
    await sim.run(5_000);
    expect(listObjects(sim.state, 'Pod').map((p) => p.metadata.name).filter((n) => victims.includes(n))).toEqual([]);
    expect(listObjects(sim.state, 'Pod').length).toBe(6);
    expect(((getObject(sim.state, 'Node', undefined, 'node-1')!.spec.taints as Taint[] | undefined) ?? []).length).toBe(0);
    await sim.close();
  });
});
