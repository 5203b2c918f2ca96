import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { jobWithinParallelism } from './job-parallelism.ts';
import { violationsInLog } from './violations-in-log.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const job = (parallelism: number): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'default' },
  spec: { completions: 4, parallelism, template: { metadata: { annotations: { 'sim.orrery.dev/exit-after': '5s' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } } },
});

const violations = (c: SimulatedCluster) => violationsInLog(c.store, jobWithinParallelism);

describe('job-within-parallelism', () => {
  it('holds for the built-in Job controller', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 2 });
    await cluster.apply([job(3)]);
    await cluster.run(60_000);
    expect(await violations(cluster)).toEqual([]);
  });

  it('reports a pod created beyond parallelism', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 2, controllers: [] });
    const [created] = await cluster.apply([job(1)]);
    const pod = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: created!.metadata.uid!, controller: true }] },
      spec: { containers: [{ name: 'w', image: 'busybox' }] },
    });
    await cluster.apply([pod('work-a'), pod('work-b')]);
    expect(await violations(cluster)).toEqual(['Job default/work has 2 active pods, parallelism is 1']);
  });
});
