import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { containersStartWithConfig } from './containers-start-with-config.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { volumes: [{ name: 'config', configMap: { name: 'settings' } }], containers: [{ name: 'app', image: 'nginx' }] },
};

async function violations(c: SimulatedCluster): Promise<string[]> {
  const checker = containersStartWithConfig.start();
  const found: string[] = [];
  for await (const event of c.store.readAll(0)) {
    const problem = checker.onEvent!(event, c.state);
    if (problem) found.push(problem);
  }
  return found;
}

describe('containers-start-with-config invariant', () => {
  it('holds while a pod waits for its ConfigMap and then starts', async () => {
    cluster = await createSimulatedCluster({ seed: 21, nodes: 1 });
    await cluster.apply([pod]);
    await cluster.run(30_000);
    expect(await violations(cluster)).toEqual([]);
    await cluster.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { a: 'b' } } as KubeObject]);
    await cluster.run(15_000);
    expect(cluster.state.objects.get('Pod')!.get('default/web')!.status?.phase).toBe('Running');
    expect(await violations(cluster)).toEqual([]);
  });

  it('reports a container started while its ConfigMap is missing', async () => {
    cluster = await createSimulatedCluster({ seed: 22, nodes: 1 });
    await cluster.apply([pod]);
    await cluster.run(5_000);
    const started = {
      type: 'ContainerStateChanged',
      data: { ref: { kind: 'Pod', namespace: 'default', name: 'web' }, container: 'app', state: { running: { startedAt: '2026-01-01T00:00:05Z' } }, ready: true, started: true, restartCount: 0, reason: 'Started' },
      metadata: { actor: 'kubelet/node-1', time: cluster.state.time },
      stream: 'pod-default-web',
      streamRevision: 9,
      position: 999,
    } as unknown as StoredEvent;
    expect(containersStartWithConfig.start().onEvent!(started, cluster.state)).toBe(
      'container app of Pod default/web started although MountVolume.SetUp failed for volume "config" : configmap "settings" not found',
    );
  });
});
