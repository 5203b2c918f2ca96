import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { rebuildState } from '../../state/reducer.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { slicesOf as slicesIn } from './endpointslice-controller.ts';

const slicesOf = (...args: Parameters<typeof slicesIn>): any[] => slicesIn(...args);

async function eventsOf(c: SimulatedCluster) {
  const events = [];
  for await (const event of c.store.readAll(0)) events.push(event);
  return events;
}

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function deployment(name: string, replicas: number, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { team: 'a' } }, spec: { selector: { app: name }, ports: [{ name: 'web', port: 80, targetPort: 'http' }], ...spec } };
}

const endpointsOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'Endpoints', 'default', name);
const runningPods = (c: SimulatedCluster, app: string) => listObjects(c.state, 'Pod', 'default').filter((p) => p.metadata.labels?.app === app && p.status?.podIP && !p.metadata.deletionTimestamp);

describe('Service controllers (simulated cluster)', () => {
  it('Endpoints and an EndpointSlice list the ready pods a Service selects, on the resolved target port', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 3 });
    await cluster.apply([deployment('web', 3), service('web')]);
    await cluster.run(30_000);
    const pods = runningPods(cluster, 'web');
    expect(pods).toHaveLength(3);
    const endpoints = endpointsOf(cluster, 'web')!;
    expect(endpoints.metadata.labels).toEqual({ team: 'a' });
    expect(endpoints.subsets).toHaveLength(1);
    expect(endpoints.subsets[0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(endpoints.subsets[0].addresses.map((a: { ip: string }) => a.ip).sort()).toEqual(pods.map((p) => p.status.podIP).sort());
    expect(endpoints.subsets[0].addresses[0].targetRef.kind).toBe('Pod');
    expect(endpoints.subsets[0].notReadyAddresses).toBeUndefined();

    const svc = getObject(cluster.state, 'Service', 'default', 'web')!;
    const slices = slicesOf(cluster.state, 'default', 'web');
    expect(slices).toHaveLength(1);
    expect(slices[0]!.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slices[0]!.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slices[0]!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', uid: svc.metadata.uid, controller: true });
    expect(slices[0]!.addressType).toBe('IPv4');
    expect(slices[0]!.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(slices[0]!.endpoints).toHaveLength(3);
    for (const endpoint of slices[0]!.endpoints) expect(endpoint.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(rebuildState(await eventsOf(cluster))).toEqual(cluster.state);
  });

  it('an unready pod moves to notReadyAddresses (slice: ready false) and back out when it is deleted', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([deployment('web', 2), service('web')]);
    await cluster.run(20_000);
    const sick: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sick', namespace: 'default', labels: { app: 'web' }, annotations: { 'sim.orrery.dev/readiness-fail-after': '5s' } },
      spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { port: 8080 }, periodSeconds: 1 } }] },
    };
    await cluster.apply([sick]);
    await cluster.run(60_000);
    const sickIp = getObject(cluster.state, 'Pod', 'default', 'sick')!.status.podIP;
    const endpoints = endpointsOf(cluster, 'web')!;
    expect(endpoints.subsets[0].addresses).toHaveLength(2);
    expect(endpoints.subsets[0].notReadyAddresses.map((a: { ip: string }) => a.ip)).toEqual([sickIp]);
    const slice = slicesOf(cluster.state, 'default', 'web')[0]!;
    expect(slice.endpoints.find((e: { addresses: string[] }) => e.addresses[0] === sickIp).conditions).toEqual({ ready: false, serving: false, terminating: false });

    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'sick' } });
    await cluster.run(60_000);
    expect(endpointsOf(cluster, 'web')!.subsets[0].notReadyAddresses).toBeUndefined();
    expect(slicesOf(cluster.state, 'default', 'web')[0]!.endpoints).toHaveLength(2);
  });

  it('a Service selecting nothing has Endpoints without subsets and one empty slice; both go with the Service', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 1 });
    await cluster.apply([service('nobody')]);
    await cluster.run(5_000);
    expect(endpointsOf(cluster, 'nobody')!.subsets).toBeUndefined();
    expect(slicesOf(cluster.state, 'default', 'nobody')[0]!.endpoints).toEqual([]);
    await cluster.act({ type: 'delete', ref: { kind: 'Service', namespace: 'default', name: 'nobody' } });
    await cluster.run(5_000);
    expect(endpointsOf(cluster, 'nobody')).toBeUndefined();
    expect(slicesOf(cluster.state, 'default', 'nobody')).toEqual([]);
  });

  it('Endpoints a user writes for a Service without a selector are left alone', async () => {
    cluster = await createSimulatedCluster({ seed: 6, nodes: 1 });
    const manual: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.168.1.5' }], ports: [{ port: 5432 }] }] };
    await cluster.apply([manual, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { ports: [{ port: 5432 }] } }]);
    await cluster.run(5_000);
    expect(endpointsOf(cluster, 'db')!.subsets[0].addresses).toEqual([{ ip: '192.168.1.5' }]);
  });

  it('a LoadBalancer Service gets an ingress IP from the pool; distinct Services get distinct IPs', async () => {
    cluster = await createSimulatedCluster({ seed: 7, nodes: 1 });
    await cluster.apply([service('a', { type: 'LoadBalancer' }), service('b', { type: 'LoadBalancer' })]);
    await cluster.run(5_000);
    const a: any = getObject(cluster.state, 'Service', 'default', 'a')!;
    const b: any = getObject(cluster.state, 'Service', 'default', 'b')!;
    expect(a.status.loadBalancer.ingress).toEqual([{ ip: '172.18.255.1', ipMode: 'VIP' }]);
    expect(b.status.loadBalancer.ingress).toEqual([{ ip: '172.18.255.2', ipMode: 'VIP' }]);
    const events = (await eventsOf(cluster)).filter((e) => e.type === 'ObjectStatusReplaced' && e.data.ref.kind === 'Service');
    expect(events.every((e) => e.metadata.actor === 'service-controller' && e.metadata.causationId !== undefined)).toBe(true);
  });
});
