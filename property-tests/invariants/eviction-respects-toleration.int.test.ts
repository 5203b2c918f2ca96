import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { getObject } from '../../projections/state/queries.ts';
import { evictionRespectsToleration } from './eviction-respects-toleration.ts';
import { violationsInLog } from './violations-in-log.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const pod = (name: string, tolerationSeconds?: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'app', image: 'nginx' }],
    ...(tolerationSeconds !== undefined ? { tolerations: [{ key: 'example.com/drain', operator: 'Exists', effect: 'NoExecute', tolerationSeconds }] } : {}),
  },
});

const violations = (c: SimulatedCluster) => violationsInLog(c.store, evictionRespectsToleration);

describe('eviction-respects-toleration', () => {
  it('knows taints written through the API (kubectl taint), not only the controller\'s own', async () => {
    cluster = await createSimulatedCluster({ nodes: 1, seed: 2 });
    await cluster.apply([pod('plain'), pod('minute', 60)]);
    await cluster.run(5_000);
    const node = getObject(cluster.state, 'Node', undefined, 'node-1')!;
    await cluster.act({ type: 'update', actor: 'user:kubectl', object: { ...node, spec: { ...node.spec, taints: [{ key: 'example.com/drain', effect: 'NoExecute' }] } } });
    await cluster.run(120_000);
    const evicted: string[] = [];
    for await (const event of cluster.store.readAll(0)) if (event.type === 'PodEvicted') evicted.push(event.data.ref.name);
    expect(evicted).toEqual(['plain', 'minute']);
    expect(await violations(cluster)).toEqual([]);
  });
});
