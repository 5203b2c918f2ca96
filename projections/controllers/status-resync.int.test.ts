import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../engine/simulated-cluster.ts';
import { getObject } from '../state/queries.ts';

// Kubernetes' workload controllers resync an object on every update, its status included, so a
// status someone else wrote (`kubectl patch --subresource=status`, a stale client) is put right
// by the next sync. Each controller skips only the status writes it made itself.

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } });
const selector = (app: string) => ({ matchLabels: { app } });

const workloads: Array<[string, KubeObject, Record<string, unknown>]> = [
  ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 2, selector: selector('d'), template: template('d') } }, { replicas: 99 }],
  ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'default' }, spec: { replicas: 2, selector: selector('r'), template: template('r') } }, { replicas: 99 }],
  [
    'StatefulSet',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'default' }, spec: { replicas: 2, serviceName: 's', selector: selector('s'), template: template('s') } },
    { replicas: 99 },
  ],
  ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'default' }, spec: { selector: selector('ds'), template: template('ds') } }, { numberReady: 99 }],
  ['ReplicationController', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default' }, spec: { replicas: 2, selector: { app: 'rc' }, template: template('rc') } }, { replicas: 99 }],
  // A Job still running (its pod's task takes an hour): a finished Job is not synced any more.
  [
    'Job',
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'j' }, annotations: { 'sim.orrery.dev/exit-after': '1h' } }, spec: { ...template('j').spec, restartPolicy: 'Never' } } },
    },
    { active: 7 },
  ],
  [
    'CronJob',
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'default' }, spec: { schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { ...template('cj'), spec: { ...template('cj').spec, restartPolicy: 'Never' } } } } } },
    { active: [{ apiVersion: 'batch/v1', kind: 'Job', namespace: 'default', name: 'no-such-job', uid: 'u-1' }] },
  ],
];

describe('a status written by someone else is put right', () => {
  it.each(workloads)('%s', async (kind, object, bogus) => {
    cluster = await createSimulatedCluster({ nodes: 2, seed: 3 });
    await cluster.apply([object]);
    await cluster.run(30_000);
    const settled = getObject(cluster.state, kind, 'default', object.metadata.name!)!;
    const written = await cluster.act({ type: 'update', subresource: 'status', actor: 'user:admin', object: { ...settled, status: { ...settled.status, ...bogus } } });
    expect(written.object!.status).toMatchObject(bogus);
    await cluster.run(1_000);
    expect(getObject(cluster.state, kind, 'default', object.metadata.name!)!.status ?? {}).toEqual(settled.status ?? {});
  });
});
