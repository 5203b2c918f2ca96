import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import type { SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { workloadCluster } from '../deployment/testing/workload-cluster.ts';
import { controllerOf } from './controller-ref.ts';
import { isPodActive } from './pod-availability.ts';
import { replicaSetStatusMismatches } from '../deployment/testing/replay-check.ts';
import { refOf } from '../../../core/model/object.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      ...extra,
    },
  };
}

function barePod(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
}

const rsOf = (c: SimulatedCluster, name: string) => getObject(c.state, 'ReplicaSet', 'default', name)!;
const activeOwned = (c: SimulatedCluster, rs: KubeObject) => listObjects(c.state, 'Pod', 'default').filter((p) => isPodActive(p) && controllerOf(p)?.uid === rs.metadata.uid);

async function scale(c: SimulatedCluster, name: string, replicas: number): Promise<void> {
  const rs = structuredClone(rsOf(c, name));
  rs.spec.replicas = replicas;
  await c.act({ type: 'update', object: rs });
}

describe('ReplicaSet controller (simulated cluster)', () => {
  it('creates pods from the template with generated names, owner references and status', async () => {
    cluster = await workloadCluster();
    await cluster.apply([replicaSet('web', 3)]);
    await cluster.run(10_000);
    const rs = rsOf(cluster, 'web');
    const pods = activeOwned(cluster, rs);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata.generateName).toBe('web-');
      expect(pod.metadata.labels).toEqual({ app: 'web', tier: 'web' });
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    expect(rs.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  });

  it('creates each missing pod exactly once (no double creates while creates are in flight)', async () => {
    cluster = await workloadCluster();
    await cluster.apply([replicaSet('web', 5)]);
    await cluster.run(10_000);
    const creates = [];
    for await (const event of cluster.store.readAll(0)) if (event.type === 'ObjectCreated' && event.data.object.kind === 'Pod') creates.push(event);
    expect(creates).toHaveLength(5);
    expect(creates.every((e) => e.metadata.actor === 'replicaset-controller')).toBe(true);
  });

  it('replaces a deleted pod with a new one (new name, same owner)', async () => {
    cluster = await workloadCluster();
    await cluster.apply([replicaSet('web', 3)]);
    await cluster.run(10_000);
    const rs = rsOf(cluster, 'web');
    const victim = activeOwned(cluster, rs)[0]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    await cluster.run(10_000);
    const pods = activeOwned(cluster, rs);
    expect(pods).toHaveLength(3);
    expect(pods.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    expect(rsOf(cluster, 'web').status.availableReplicas).toBe(3);
  });

  it('does not count terminating pods', async () => {
    cluster = await workloadCluster({ stopMs: 60_000 });
    await cluster.apply([replicaSet('web', 2)]);
    await cluster.run(10_000);
    const victim = activeOwned(cluster, rsOf(cluster, 'web'))[0]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    await cluster.run(1000);
    // The victim is still terminating, yet a replacement exists and status counts only active pods.
    expect(getObject(cluster.state, 'Pod', 'default', victim.metadata.name!)?.metadata.deletionTimestamp).toBeDefined();
    expect(activeOwned(cluster, rsOf(cluster, 'web'))).toHaveLength(2);
    expect(rsOf(cluster, 'web').status.replicas).toBe(2);
  });

  it('adopts matching orphans instead of creating, and releases pods whose labels stop matching', async () => {
    cluster = await workloadCluster();
    await cluster.apply([barePod('stray', { app: 'web' })]);
    await cluster.apply([replicaSet('web', 2)]);
    await cluster.run(10_000);
    const rs = rsOf(cluster, 'web');
    const stray = getObject(cluster.state, 'Pod', 'default', 'stray')!;
    expect(controllerOf(stray)?.uid).toBe(rs.metadata.uid);
    expect(activeOwned(cluster, rs)).toHaveLength(2);

    const relabelled = structuredClone(stray);
    relabelled.metadata.labels = { app: 'other' };
    await cluster.act({ type: 'update', object: relabelled });
    await cluster.run(10_000);
    expect(getObject(cluster.state, 'Pod', 'default', 'stray')!.metadata.ownerReferences).toBeUndefined();
    expect(activeOwned(cluster, rs)).toHaveLength(2);
    expect(activeOwned(cluster, rs).map((p) => p.metadata.name)).not.toContain('stray');
  });

  it('scales down not-ready pods before ready ones, unscheduled before scheduled', async () => {
    // Pods whose name sorts first never become ready: the fake kubelet decides by pod.
    const neverReady = new Set<string>();
    cluster = await workloadCluster({ ready: (pod) => !neverReady.has(pod.metadata.name!) });
    await cluster.apply([replicaSet('web', 3)]);
    await cluster.run(10_000);
    await scale(cluster, 'web', 5);
    const added = activeOwned(cluster, rsOf(cluster, 'web')).filter((p) => !p.status?.containerStatuses);
    for (const pod of added) neverReady.add(pod.metadata.name!);
    await cluster.run(10_000);
    expect(rsOf(cluster, 'web').status).toMatchObject({ replicas: 5, readyReplicas: 3 });
    await scale(cluster, 'web', 3);
    await cluster.run(10_000);
    const survivors = activeOwned(cluster, rsOf(cluster, 'web')).map((p) => p.metadata.name);
    expect(survivors).toHaveLength(3);
    for (const name of neverReady) expect(survivors).not.toContain(name);
  });

  it('delays availableReplicas by minReadySeconds without any other event', async () => {
    cluster = await workloadCluster({ startMs: 1000 });
    await cluster.apply([replicaSet('web', 2, { minReadySeconds: 30 })]);
    await cluster.run(5_000);
    expect(rsOf(cluster, 'web').status).toMatchObject({ readyReplicas: 2 });
    expect(rsOf(cluster, 'web').status.availableReplicas).toBeUndefined();
    await cluster.run(20_000);
    expect(rsOf(cluster, 'web').status.availableReplicas).toBeUndefined();
    await cluster.run(10_000);
    expect(rsOf(cluster, 'web').status.availableReplicas).toBe(2);
  });

  it('records observedGeneration only through status writes, and writes status only when it changes', async () => {
    cluster = await workloadCluster();
    await cluster.apply([replicaSet('web', 1)]);
    await cluster.run(10_000);
    await scale(cluster, 'web', 2);
    await cluster.run(10_000);
    expect(rsOf(cluster, 'web').status.observedGeneration).toBe(2);
    const statusWrites: unknown[] = [];
    for await (const event of cluster.store.readAll(0)) if (event.type === 'ObjectStatusReplaced' && event.data.ref.kind === 'ReplicaSet') statusWrites.push(event.data.status);
    for (let i = 1; i < statusWrites.length; i++) expect(statusWrites[i]).not.toEqual(statusWrites[i - 1]);
  });

  it('keeps readyReplicas right as settled pods flap between ready and unready', async () => {
    cluster = await workloadCluster();
    await cluster.apply([replicaSet('web', 4)]);
    await cluster.run(10_000);
    const pods = activeOwned(cluster, rsOf(cluster, 'web'));
    const flips: Array<[number, boolean]> = [[0, false], [1, false], [0, true], [2, false], [1, true], [1, false], [3, false], [2, true]];
    for (const [index, ready] of flips) {
      const pod = pods[index]!;
      await cluster.act({
        type: 'record',
        actor: `kubelet/${pod.spec.nodeName}`,
        event: { type: 'ContainerStateChanged', data: { ref: refOf(pod), container: 'app', state: { running: { startedAt: '2026-01-01T00:00:01Z' } }, ready, started: true, restartCount: 0 } },
      });
      await cluster.run(1000);
      expect(replicaSetStatusMismatches(cluster.state)).toEqual([]);
    }
    expect(rsOf(cluster, 'web').status).toMatchObject({ replicas: 4, readyReplicas: 2, availableReplicas: 2 });
  });
});
