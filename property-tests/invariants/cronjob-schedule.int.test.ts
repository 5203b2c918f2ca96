import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { cronJobRunsOnSchedule } from './cronjob-schedule.ts';
import { violationsInLog } from './violations-in-log.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const cronJob: KubeObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'default' },
  spec: { schedule: '*/3 * * * *', timeZone: 'Europe/Paris', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } } } } },
};

const violations = (c: SimulatedCluster) => violationsInLog(c.store, cronJobRunsOnSchedule);

describe('cronjob-runs-on-schedule', () => {
  it('holds for the built-in CronJob controller', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([cronJob]);
    await cluster.run(20 * 60_000);
    expect(await violations(cluster)).toEqual([]);
  });

  it('reports a Job stamped with a time the schedule does not produce', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1, controllers: [] });
    const [created] = await cluster.apply([cronJob]);
    await cluster.run(10 * 60_000);
    await cluster.apply([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'tick-odd',
          namespace: 'default',
          annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-01T00:04:00Z' },
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: created!.metadata.uid!, controller: true }],
        },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } } },
      },
    ]);
    expect(await violations(cluster)).toEqual(['CronJob default/tick created tick-odd for 2026-01-01T00:04:00Z, which its schedule "*/3 * * * *" does not produce']);
  });
});
