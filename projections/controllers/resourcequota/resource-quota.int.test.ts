import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const quota = (hard: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'default' }, spec: { hard } });

const pod = (name: string, resources: Record<string, unknown> = { requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx', resources }] },
});

const rejection = (c: SimulatedCluster, object: KubeObject) => c.apply([object]).then(() => undefined, (e: { code: number; message: string }) => e);

describe('ResourceQuota (admission and controller)', () => {
  it('counts usage in status and refuses a pod that would exceed the quota, with the apiserver\'s wording', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 2 });
    await cluster.apply([quota({ pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' })]);
    await cluster.apply([pod('a'), pod('b')]);
    await cluster.run(5_000);
    expect(getObject(cluster.state, 'ResourceQuota', 'default', 'compute')!.status).toEqual({
      hard: { pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' },
      used: { 'limits.memory': '512Mi', pods: '2', 'requests.cpu': '1' },
    });
    const refused = await rejection(cluster, pod('c'));
    expect(refused?.code).toBe(403);
    expect(refused?.message).toBe('pods "c" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=500m, used: pods=2,requests.cpu=1, limited: pods=2,requests.cpu=1');
    expect(listObjects(cluster.state, 'Pod', 'default')).toHaveLength(2);
  });

  it('a pod without the requests a quota tracks is refused; room freed by a deletion is reusable', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([quota({ 'requests.memory': '300Mi', 'limits.cpu': '2' })]);
    const bare = await rejection(cluster, pod('bare', {}));
    expect(bare?.message).toBe('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.memory for: app');
    await cluster.apply([pod('a'), pod('b')]);
    expect((await rejection(cluster, pod('c')))?.message).toBe('pods "c" is forbidden: exceeded quota: compute, requested: limits.cpu=1,requests.memory=128Mi, used: limits.cpu=2,requests.memory=256Mi, limited: limits.cpu=2,requests.memory=300Mi');
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'a' }, gracePeriodSeconds: 0 });
    await cluster.run(5_000);
    expect(await rejection(cluster, pod('c'))).toBeUndefined();
  });

  it('counts other kinds: services, NodePorts and object counts', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 1 });
    await cluster.apply([quota({ services: '5', 'services.nodeports': '1', 'count/configmaps': '1' })]);
    const svc = (name: string, type: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type, selector: { app: name }, ports: [{ port: 80 }] } });
    await cluster.apply([svc('one', 'NodePort'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' }, data: {} }]);
    expect((await rejection(cluster, svc('two', 'NodePort')))?.message).toBe('services "two" is forbidden: exceeded quota: compute, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1');
    expect((await rejection(cluster, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2', namespace: 'default' }, data: {} }))?.message).toContain('exceeded quota: compute, requested: count/configmaps=1');
    expect(await rejection(cluster, svc('three', 'ClusterIP'))).toBeUndefined();
  });
});

describe('quota-respected invariant', () => {
  it('holds when a Deployment outgrows its quota (the extra pods are refused), and reports a create that slipped past', async () => {
    const { quotaRespected } = await import('../../../property-tests/invariants/quota-respected.ts');
    const { applyEvent, createClusterState } = await import('../../state/reducer.ts');
    const check = async (c: SimulatedCluster, events: Iterable<any> | AsyncIterable<any>) => {
      const checker = quotaRespected.start();
      const state = createClusterState();
      const found: string[] = [];
      for await (const event of events) {
        applyEvent(state, event);
        const violation = checker.onEvent!(event, state);
        if (violation) found.push(violation);
      }
      return found;
    };
    cluster = await createSimulatedCluster({ seed: 5, nodes: 2 });
    await cluster.apply([
      quota({ pods: '3' }),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } },
    ]);
    await cluster.run(30_000);
    expect(listObjects(cluster.state, 'Pod', 'default')).toHaveLength(3);
    expect(await check(cluster, cluster.store.readAll(0))).toEqual([]);
    // A log in which a fourth pod was created anyway.
    const events: any[] = [];
    for await (const event of cluster.store.readAll(0)) events.push(event);
    const created = events.filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Pod');
    const extra = structuredClone(created[0]);
    extra.data.object.metadata = { ...extra.data.object.metadata, name: 'sneaky', uid: 'sneaky-uid' };
    extra.position = events.length + 1;
    expect(await check(cluster, [...events, extra])).toEqual(['Pod default/sneaky took pods past quota compute (3)']);
  });
});
