import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createApiServer } from '../../../api/server/create-api-server.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  await cluster?.close();
  app = undefined;
  cluster = undefined;
});

const pod = (name: string, spec: Record<string, unknown>, container: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx', ...container }], ...spec },
});

const configMap = (name: string, data: Record<string, string> = { mode: 'fast' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data } as KubeObject);
const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data: { password: 'aHVudGVyMg==' } } as KubeObject);

const podOf = (c: SimulatedCluster, name: string): KubeObject => getObject(c.state, 'Pod', 'default', name)!;
const waitingOf = (c: SimulatedCluster, name: string): any => podOf(c, name).status?.containerStatuses?.[0]?.state?.waiting;

async function eventsOf(c: SimulatedCluster): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

async function kubeEventsFor(c: SimulatedCluster, podName: string): Promise<string[]> {
  app ??= createApiServer({ cluster: c });
  await app.ready();
  const items = (await app.inject(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${podName}`)).json().items as any[];
  return items.map((e) => `${e.type} ${e.reason} ${e.message}`);
}

describe('kubelet: pods referencing ConfigMaps and Secrets', () => {
  it('a missing ConfigMap volume keeps the pod in ContainerCreating with one FailedMount Event, until the ConfigMap exists', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 1 });
    await cluster.apply([pod('web', { volumes: [{ name: 'config', configMap: { name: 'settings' } }] })]);
    await cluster.run(60_000);
    expect(podOf(cluster, 'web').status?.phase).toBe('Pending');
    expect(waitingOf(cluster, 'web')).toEqual({ reason: 'ContainerCreating' });
    const failedMounts = (await eventsOf(cluster)).filter((e) => e.type === 'ContainerStateChanged' && e.data.reason === 'FailedMount');
    expect(failedMounts).toHaveLength(1);
    expect(await kubeEventsFor(cluster, 'web')).toContain('Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "settings" not found');

    await cluster.apply([configMap('settings')]);
    await cluster.run(15_000);
    expect(podOf(cluster, 'web').status?.phase).toBe('Running');
  });

  it('a missing Secret in envFrom is a CreateContainerConfigError with the Failed Event', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([pod('api', {}, { envFrom: [{ secretRef: { name: 'creds' } }] })]);
    await cluster.run(30_000);
    expect(podOf(cluster, 'api').status?.phase).toBe('Pending');
    expect(waitingOf(cluster, 'api')).toEqual({ reason: 'CreateContainerConfigError', message: 'secret "creds" not found' });
    expect(await kubeEventsFor(cluster, 'api')).toContain('Warning Failed Error: secret "creds" not found');
    await cluster.apply([secret('creds')]);
    await cluster.run(15_000);
    expect(podOf(cluster, 'api').status?.phase).toBe('Running');
  });

  it('env valueFrom: a missing ConfigMap, then a missing key, as the kubelet words them', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 1 });
    const env = [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }];
    await cluster.apply([pod('worker', {}, { env })]);
    await cluster.run(20_000);
    expect(waitingOf(cluster, 'worker')).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' });
    await cluster.apply([configMap('settings', { other: 'x' })]);
    await cluster.run(15_000);
    expect(waitingOf(cluster, 'worker')).toEqual({ reason: 'CreateContainerConfigError', message: "couldn't find key mode in ConfigMap default/settings" });
  });

  it('optional references to missing objects do not hold the pod', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([
      pod(
        'tolerant',
        { volumes: [{ name: 'config', configMap: { name: 'absent', optional: true } }, { name: 'tls', secret: { secretName: 'absent', optional: true } }] },
        { envFrom: [{ configMapRef: { name: 'absent', optional: true } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'x', optional: true } } }] },
      ),
    ]);
    await cluster.run(20_000);
    expect(podOf(cluster, 'tolerant').status?.phase).toBe('Running');
  });
});
