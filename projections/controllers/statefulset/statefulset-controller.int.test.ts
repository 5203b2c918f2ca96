import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { containerUpdatesOf } from '../../state/container-updates.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { rebuildState } from '../../state/reducer.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function statefulSet(name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
      ...spec,
    },
  };
}

const stsOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'StatefulSet', 'default', name);
const podNames = (c: SimulatedCluster, app: string) =>
  listObjects(c.state, 'Pod', 'default').filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();

async function events(c: SimulatedCluster): Promise<StoredEvent[]> {
  const all = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

const podCreates = (all: StoredEvent[]) => all.filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Pod').map((e) => (e as any).data.object.metadata.name as string);
const podDeletes = (all: StoredEvent[]) => all.filter((e) => e.type === 'ObjectDeletionRequested' && e.data.ref.kind === 'Pod').map((e) => (e as any).data.ref.name as string);

async function edit(c: SimulatedCluster, name: string, change: (sts: any) => void): Promise<void> {
  const sts = structuredClone(stsOf(c, name));
  delete sts.status;
  change(sts);
  await c.act({ type: 'update', object: sts });
}

describe('StatefulSet controller (simulated cluster)', () => {
  it('OrderedReady: creates web-0, web-1, web-2 in order, each once the previous is Running and Ready', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 3 });
    await cluster.apply([statefulSet('web', 3)]);
    await cluster.run(60_000);
    expect(podNames(cluster, 'web')).toEqual(['web-0', 'web-1', 'web-2']);
    const all = await events(cluster);
    expect(podCreates(all)).toEqual(['web-0', 'web-1', 'web-2']);
    // Each create comes after the previous pod's Ready.
    for (const [i, name] of ['web-1', 'web-2'].entries()) {
      const created = all.find((e) => e.type === 'ObjectCreated' && (e as any).data.object.metadata.name === name)!.position;
      const previousReady = all.find((e) => (e.type === 'ContainerStateChanged' || e.type === 'PodPhaseChanged') && e.data.ref.name === `web-${i}` && containerUpdatesOf(e).some((c) => c.ready));
      expect(previousReady, `web-${i} became ready`).toBeDefined();
      expect(created).toBeGreaterThan(previousReady!.position);
    }
    const pod: any = getObject(cluster.state, 'Pod', 'default', 'web-1');
    expect(pod.spec.hostname).toBe('web-1');
    expect(pod.spec.subdomain).toBe('web');
    expect(pod.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    const sts = stsOf(cluster, 'web');
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    expect(pod.metadata.labels['controller-revision-hash']).toBe(sts.status.updateRevision);
    expect(getObject(cluster.state, 'ControllerRevision', 'default', sts.status.updateRevision)?.revision).toBe(1);
    expect(rebuildState(all)).toEqual(cluster.state);
  });

  it('OrderedReady waits on an unready pod; Parallel creates them all at once', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 3 });
    const stuck = statefulSet('stuck', 3);
    (stuck.spec.template as any).spec.containers[0].image = 'missing:1';
    (stuck.spec.template as any).metadata.annotations = { 'sim.orrery.dev/image-pull': 'fail' };
    const parallel = statefulSet('par', 3, { podManagementPolicy: 'Parallel' });
    (parallel.spec.template as any).metadata.annotations = { 'sim.orrery.dev/image-pull': 'fail' };
    await cluster.apply([stuck, parallel]);
    await cluster.run(60_000);
    expect(podNames(cluster, 'stuck')).toEqual(['stuck-0']);
    expect(podNames(cluster, 'par')).toEqual(['par-0', 'par-1', 'par-2']);
  });

  it('scales down highest ordinal first, one at a time; a deleted pod comes back under the same name', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 3 });
    await cluster.apply([statefulSet('web', 4)]);
    await cluster.run(60_000);
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web-1' } });
    await cluster.run(60_000);
    expect(podNames(cluster, 'web')).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
    const before = (await events(cluster)).length;
    await edit(cluster, 'web', (sts) => (sts.spec.replicas = 1));
    await cluster.run(60_000);
    expect(podNames(cluster, 'web')).toEqual(['web-0']);
    const deletes = podDeletes((await events(cluster)).slice(before));
    expect(deletes).toEqual(['web-3', 'web-2', 'web-1']);
    expect(stsOf(cluster, 'web').status).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });

  it('volumeClaimTemplates: one claim per pod, mounted, surviving pod deletion and scale-down', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([
      statefulSet('db', 2, {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    ]);
    await cluster.run(60_000);
    const claims = () => listObjects(cluster!.state, 'PersistentVolumeClaim', 'default').map((c) => c.metadata.name).sort();
    expect(claims()).toEqual(['data-db-0', 'data-db-1']);
    const pod: any = getObject(cluster.state, 'Pod', 'default', 'db-1');
    expect(pod.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
    const claimUid = getObject(cluster.state, 'PersistentVolumeClaim', 'default', 'data-db-1')!.metadata.uid;
    await edit(cluster, 'db', (sts) => (sts.spec.replicas = 1));
    await cluster.run(60_000);
    expect(podNames(cluster, 'db')).toEqual(['db-0']);
    expect(claims()).toEqual(['data-db-0', 'data-db-1']);
    await edit(cluster, 'db', (sts) => (sts.spec.replicas = 2));
    await cluster.run(60_000);
    expect(podNames(cluster, 'db')).toEqual(['db-0', 'db-1']);
    expect(getObject(cluster.state, 'PersistentVolumeClaim', 'default', 'data-db-1')!.metadata.uid).toBe(claimUid);
  });

  it('RollingUpdate with a partition updates only the ordinals at or above it, highest first', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 3 });
    await cluster.apply([statefulSet('web', 4, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } })]);
    await cluster.run(60_000);
    const before = (await events(cluster)).length;
    await edit(cluster, 'web', (sts) => (sts.spec.template.spec.containers[0].image = 'db:2'));
    await cluster.run(120_000);
    const image = (name: string) => (getObject(cluster!.state, 'Pod', 'default', name) as any).spec.containers[0].image;
    expect(['web-0', 'web-1', 'web-2', 'web-3'].map(image)).toEqual(['db:1', 'db:1', 'db:2', 'db:2']);
    expect(podDeletes((await events(cluster)).slice(before))).toEqual(['web-3', 'web-2']);
    let sts = stsOf(cluster, 'web');
    expect(sts.status).toMatchObject({ updatedReplicas: 2, currentReplicas: 2, readyReplicas: 4 });
    expect(sts.status.currentRevision).not.toBe(sts.status.updateRevision);

    // A pod below the partition that is deleted comes back at the current revision.
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web-0' } });
    await cluster.run(60_000);
    expect(image('web-0')).toBe('db:1');

    await edit(cluster, 'web', (s) => (s.spec.updateStrategy.rollingUpdate.partition = 0));
    await cluster.run(120_000);
    expect(['web-0', 'web-1', 'web-2', 'web-3'].map(image)).toEqual(['db:2', 'db:2', 'db:2', 'db:2']);
    sts = stsOf(cluster, 'web');
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    expect(sts.status.updatedReplicas).toBe(4);
  });
});
