import { describe, expect, it } from 'vitest';
import type { StoredEvent, Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { type InMemoryStore, createInMemoryStore } from '../../../core/store/in-memory-store.ts';
import { createSimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject } from '../../state/queries.ts';
import { createKubeletController } from '../kubelet/kubelet-controller.ts';
import { createNodeLifecycleController } from './node-lifecycle-controller.ts';
import { createPodGcController } from './pod-gc-controller.ts';

const pod = (name: string, node: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }] },
});

async function cluster() {
  const store: InMemoryStore = createInMemoryStore();
  const sim = await createSimulatedCluster({ store, nodes: 2, controllers: [createKubeletController(), createNodeLifecycleController(), createPodGcController()] });
  const events = (filter: (e: StoredEvent) => boolean) => store.events().filter(filter);
  return { sim, events };
}

describe('pod GC', () => {
  it('force-deletes the pods of a deleted node after the 40 s quarantine, marking them Failed', async () => {
    const { sim, events } = await cluster();
    await sim.apply([pod('web', 'node-1'), pod('other', 'node-2')]);
    await sim.run(5_000);
    await sim.act({ type: 'delete', ref: { kind: 'Node', name: 'node-1' } });
    const deletedAt = sim.state.time;
    await sim.engine.runUntil(deletedAt + 39_999);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeDefined();
    await sim.engine.runUntil(deletedAt + 40_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeUndefined();
    expect(getObject(sim.state, 'Pod', 'default', 'other')).toBeDefined();
    const evicted = events((e) => e.type === 'PodEvicted');
    expect(evicted.map((e) => [(e as any).data.ref.name, (e as any).data.reason, (e as any).data.message, e.metadata.actor])).toEqual([
      ['web', 'DeletionByPodGC', 'PodGC: node no longer exists', 'pod-garbage-collector'],
    ]);
    expect(events((e) => e.type === 'PodPhaseChanged' && e.data.ref.name === 'web').at(-1)!.data).toMatchObject({ phase: 'Failed' });
    await sim.close();
  });

  it('releases pods stuck Terminating on a dead node once it is tainted out-of-service', async () => {
    const { sim } = await cluster();
    await sim.apply([pod('web', 'node-1')]);
    await sim.run(5_000);
    await sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-1', reason: 'power loss' } } });
    await sim.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web' } });
    await sim.run(120_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.metadata.deletionTimestamp).toBeDefined();
    const taints = (getObject(sim.state, 'Node', undefined, 'node-1')!.spec.taints as Taint[]) ?? [];
    await sim.act({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'node-1', taints: [...taints, { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } } });
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeUndefined();
    await sim.close();
  });
});
