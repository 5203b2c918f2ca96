import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { KubeObject } from '../../../core/model/object.ts';
import { defaultControllers } from '../../../projections/engine/default-controllers.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';

let cluster: SimulatedCluster;
let app: FastifyInstance;

beforeEach(async () => {
  cluster = await createSimulatedCluster({ nodes: 2 });
  app = createApiServer({ cluster });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cluster.close();
});

describe('core/v1 Events projected from the log', () => {
  it('tells the story of a Deployment the way kubectl describe shows it', async () => {
    const labels = { app: 'web' };
    await cluster.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    ]);
    await cluster.run(30_000);
    const deployment = cluster.state.objects.get('Deployment')!.get('default/web')!;
    const forDeployment = (
      await app.inject(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDeployment,involvedObject.name%3Dweb,involvedObject.uid%3D${deployment.metadata.uid}`)
    ).json();
    expect(forDeployment.items.map((e: any) => `${e.type} ${e.reason} ${e.source.component}`)).toEqual(['Normal ScalingReplicaSet deployment-controller']);
    expect(forDeployment.items[0].message).toMatch(/^Scaled up replica set web-[a-z0-9]+ from 0 to 2$/);

    const all = (await app.inject('/api/v1/namespaces/default/events')).json().items as any[];
    const pod = [...cluster.state.objects.get('Pod')!.values()][0]!;
    const forPod = all.filter((e) => e.involvedObject.uid === pod.metadata.uid).map((e) => e.reason);
    expect(forPod).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    const scheduled = all.find((e) => e.involvedObject.uid === pod.metadata.uid && e.reason === 'Scheduled');
    expect(scheduled.message).toBe(`Successfully assigned default/${pod.metadata.name} to ${pod.spec.nodeName}`);
    const started = all.find((e) => e.involvedObject.uid === pod.metadata.uid && e.reason === 'Started');
    expect(started).toMatchObject({ source: { component: 'kubelet', host: pod.spec.nodeName }, involvedObject: { fieldPath: 'spec.containers{web}' } });
    const replicaSetEvents = all.filter((e) => e.involvedObject.kind === 'ReplicaSet').map((e) => e.reason);
    expect(replicaSetEvents).toEqual(['SuccessfulCreate', 'SuccessfulCreate']);
    // Each Event's resourceVersion is the position of the log event it stands for.
    expect(Number(scheduled.metadata.resourceVersion)).toBeLessThanOrEqual(cluster.state.position);
  });

  it('a pod the taint manager evicts is its eviction, not the ReplicaSet deleting it; a scale-down is', async () => {
    const labels = { app: 'web' };
    const deployment = (replicas: number): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    });
    await cluster.apply([deployment(1)]);
    await cluster.run(30_000);
    const node = cluster.state.objects.get('Node')!.get('node-1')!;
    await cluster.act({ type: 'update', actor: 'user:kubectl', object: { ...node, spec: { ...node.spec, taints: [{ key: 'example.com/drain', effect: 'NoExecute' }] } } });
    await cluster.run(5_000);
    const reasons = async () => ((await app.inject('/api/v1/namespaces/default/events')).json().items as any[]).map((e) => `${e.involvedObject.kind} ${e.reason}`);
    const eviction = ((await app.inject('/api/v1/namespaces/default/events')).json().items as any[]).find((e) => e.reason === 'TaintManagerEviction');
    expect(eviction).toMatchObject({ type: 'Normal', message: `Marking for deletion Pod default/${eviction.involvedObject.name}`, source: { component: 'taint-eviction-controller' } });
    expect(await reasons()).not.toContain('ReplicaSet SuccessfulDelete');
    const current = cluster.state.objects.get('Deployment')!.get('default/web')!;
    await cluster.act({ type: 'update', actor: 'user:kubectl', object: { ...current, spec: { ...current.spec, replicas: 0 } } });
    await cluster.run(5_000);
    expect(await reasons()).toContain('ReplicaSet SuccessfulDelete');
  });

  it('a namespace\'s Events go with it (listed no more, and DELETED to a watcher)', async () => {
    await cluster.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    ]);
    await cluster.run(5_000);
    const count = async (namespace: string) => (await app.inject(`/api/v1/namespaces/${namespace}/events`)).json().items.length;
    expect(await count('team')).toBeGreaterThan(0);
    const kept = await count('default');
    const list = (await app.inject('/api/v1/namespaces/team/events')).json();
    const watching = app.inject(`/api/v1/namespaces/team/events?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`);
    await cluster.act({ type: 'delete', ref: { kind: 'Namespace', name: 'team' } });
    await cluster.run(60_000);
    expect(await count('team')).toBe(0);
    expect(await count('default')).toBe(kept);
    const types = (await watching).body.trim().split('\n').map((line) => JSON.parse(line).type);
    // Every Event listed, and any written while the namespace emptied (its pod's Killing), is deleted.
    const added = types.filter((t: string) => t === 'ADDED').length;
    expect(types.filter((t: string) => t === 'DELETED')).toHaveLength(list.items.length + added);
  });

  it('announces every image pull: each retry of a missing image, and containers that waited for init containers', async () => {
    await cluster.apply([
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'missing', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx:does-not-exist' }] } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'staged', namespace: 'default' },
        spec: { initContainers: [{ name: 'setup', image: 'busybox:1.36' }], containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    ]);
    await cluster.run(60_000);
    const all = (await app.inject('/api/v1/namespaces/default/events')).json().items as any[];
    const story = (pod: string) => all.filter((e) => e.involvedObject.name === pod).map((e) => `${e.involvedObject.fieldPath ?? '-'} ${e.reason}`);
    // The kubelet's sequence for a missing image: pull, fail, back off, and pull again. Repeats of
    // an Event are counted on it, as the kubelet's event recorder aggregates them.
    expect(story('missing')).toEqual(['- Scheduled', 'spec.containers{app} Pulling', 'spec.containers{app} Failed', 'spec.containers{app} BackOff']);
    const count = (reason: string) => all.find((e) => e.involvedObject.name === 'missing' && e.reason === reason).count;
    const attempts = count('Failed');
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(count('Pulling')).toBe(attempts);
    expect(story('staged')).toEqual([
      '- Scheduled',
      ...['Pulling', 'Pulled', 'Created', 'Started'].map((reason) => `spec.initContainers{setup} ${reason}`),
      ...['Pulling', 'Pulled', 'Created', 'Started'].map((reason) => `spec.containers{app} ${reason}`),
    ]);
  });

  it('lists each container Event once, the same whether the kubelet wrote a pod\'s status in one update or one event per change', async () => {
    const pod = (name: string, annotations: Record<string, string>, spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', annotations },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    });
    const pods = [
      pod('web', { 'sim.orrery.dev/shutdown-delay': '2s' }, { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] }),
      pod('crash', { 'sim.orrery.dev/exit-after': '5s', 'sim.orrery.dev/exit-code': '1' }, {}),
      pod('once', { 'sim.orrery.dev/exit-after': '5s' }, { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox' }] }),
    ];
    const eventsWritten = async (mergeStatusWrites: boolean) => {
      const c = await createSimulatedCluster({ nodes: 1, controllers: defaultControllers({ kubelet: { mergeStatusWrites } }) });
      const server = createApiServer({ cluster: c });
      await server.ready();
      await c.apply(pods);
      await c.run(60_000);
      await c.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web' } });
      await c.run(10_000);
      const items = (await server.inject('/api/v1/namespaces/default/events')).json().items as any[];
      await server.close();
      await c.close();
      // uids come from log positions, which differ between the two forms.
      const text = (e: any) => `${e.involvedObject.name} ${e.involvedObject.fieldPath ?? '-'} ${e.type} ${e.reason}: ${e.message}`.replace(/\([0-9a-f-]{36}\)/, '(<uid>)');
      return items.filter((e) => e.involvedObject.kind === 'Pod').map(text);
    };
    const merged = await eventsWritten(true);
    expect(merged).toEqual(await eventsWritten(false));
    const count = (line: string) => merged.filter((e) => e === line).length;
    for (const container of ['app', 'side']) {
      for (const reason of ['Pulling', 'Pulled', 'Created', 'Started']) {
        expect(merged.filter((e) => e.startsWith(`web spec.containers{${container}} Normal ${reason}:`))).toHaveLength(1);
      }
      expect(count(`web spec.containers{${container}} Normal Killing: Stopping container ${container}`)).toBe(1);
    }
    expect(merged.filter((e) => e.startsWith('once ')).map((e) => e.split(':')[0])).toEqual([
      'once - Normal Scheduled',
      'once spec.initContainers{init} Normal Pulling',
      'once spec.initContainers{init} Normal Pulled',
      'once spec.initContainers{init} Normal Created',
      'once spec.initContainers{init} Normal Started',
      'once spec.containers{app} Normal Pulling',
      'once spec.containers{app} Normal Pulled',
      'once spec.containers{app} Normal Created',
      'once spec.containers{app} Normal Started',
    ]);
    expect(merged.some((e) => e === 'crash spec.containers{app} Warning BackOff: Back-off restarting failed container app in pod crash_default(<uid>)')).toBe(true);
  });
});

