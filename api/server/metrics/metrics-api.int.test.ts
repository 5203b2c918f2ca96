import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../../projections/state/queries.ts';
import { createApiServer } from '../create-api-server.ts';
import { AGGREGATED_DISCOVERY_V2 } from '../discovery/aggregated-discovery.ts';

/** metrics.k8s.io over a simulated cluster (virtual time, so every number and time stamp is known). */

const METRICS = '/apis/metrics.k8s.io/v1beta1';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let cluster: SimulatedCluster;
let app: FastifyInstance;

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', annotations: { 'sim.orrery.dev/cpu-load': '600m' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': 'node-1' },
        containers: [
          { name: 'app', image: 'nginx', resources: { requests: { cpu: '200m', memory: '64Mi' } } },
          { name: 'log', image: 'fluent-bit', resources: { requests: { cpu: '100m' } } },
        ],
      },
    },
  },
};

const solo: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'solo', namespace: 'tools', labels: { app: 'solo' }, annotations: { 'sim.orrery.dev/cpu-usage': '1', 'sim.orrery.dev/memory-usage': '1000Ki' } },
  spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, containers: [{ name: 'main', image: 'busybox' }] },
};

beforeEach(async () => {
  cluster = await createSimulatedCluster({ seed: 7, nodes: 2 });
  await cluster.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } }, deployment, solo]);
  await cluster.run(20_000);
  app = createApiServer({ cluster });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cluster.close();
});

const webPods = () => listObjects(cluster.state, 'Pod', 'default').filter((p) => p.metadata.labels?.app === 'web');

describe('metrics.k8s.io discovery', () => {
  it('lists the group with pods and nodes, get and list only, in the legacy documents and aggregated discovery', async () => {
    const group = (await app.inject('/apis')).json().groups.find((g: { name: string }) => g.name === 'metrics.k8s.io');
    expect(group).toEqual({ name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } });
    expect((await app.inject(METRICS)).json().resources).toEqual([
      { name: 'pods', singularName: 'podmetrics', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      { name: 'nodes', singularName: 'nodemetrics', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    ]);
    const aggregated = (await app.inject({ url: '/apis', headers: { accept: `${AGGREGATED_DISCOVERY_V2},application/json` } })).json();
    const metrics = aggregated.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'metrics.k8s.io');
    expect(metrics.versions.map((v: { version: string }) => v.version)).toEqual(['v1beta1']);
    expect(metrics.versions[0].resources.map((r: any) => [r.resource, r.responseKind.kind, r.scope, r.verbs.join(',')])).toEqual([
      ['pods', 'PodMetrics', 'Namespaced', 'get,list'],
      ['nodes', 'NodeMetrics', 'Cluster', 'get,list'],
    ]);
    // The core group is unchanged: `pods` and `nodes` still name the core kinds.
    expect((await app.inject('/api/v1/namespaces/default/pods')).json().kind).toBe('PodList');
  });
});

describe('metrics.k8s.io objects', () => {
  it('serves a PodMetrics as metrics-server shapes it, computed from the state at its virtual time', async () => {
    const pod = webPods()[0]!;
    const response = await app.inject(`${METRICS}/namespaces/default/pods/${pod.metadata.name}`);
    expect(response.statusCode).toBe(200);
    const time = toRfc3339(cluster.state.time);
    // 600m shared by two Ready pods, split 2:1 by the cpu requests; memory from the request, else the 4Mi floor.
    expect(response.json()).toEqual({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: pod.metadata.name, namespace: 'default', creationTimestamp: time, labels: pod.metadata.labels },
      timestamp: time,
      window: '30s',
      containers: [
        { name: 'app', usage: { cpu: '200m', memory: '64Mi' } },
        { name: 'log', usage: { cpu: '100m', memory: '4Mi' } },
      ],
    });
  });

  it('lists per namespace and across namespaces, with label and field selectors, and a Table of cpu, memory and window', async () => {
    const names = webPods().map((p) => p.metadata.name);
    const inDefault = (await app.inject(`${METRICS}/namespaces/default/pods`)).json();
    expect(inDefault.kind).toBe('PodMetricsList');
    expect(inDefault.items.map((i: KubeObject) => i.metadata.name)).toEqual(names);
    const everywhere = (await app.inject(`${METRICS}/pods`)).json();
    expect(everywhere.items.map((i: KubeObject) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([...names.map((n) => `default/${n}`), 'tools/solo']);
    expect((await app.inject(`${METRICS}/pods?labelSelector=app%3Dsolo`)).json().items.map((i: any) => [i.metadata.name, i.containers])).toEqual([
      ['solo', [{ name: 'main', usage: { cpu: '1', memory: '1000Ki' } }]],
    ]);
    expect((await app.inject(`${METRICS}/pods?fieldSelector=metadata.namespace%3Dtools`)).json().items).toHaveLength(1);
    const table = (await app.inject({ url: `${METRICS}/namespaces/tools/pods`, headers: { accept: TABLE } })).json();
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'cpu', 'memory', 'Window']);
    expect(table.rows.map((r: { cells: unknown[] }) => r.cells)).toEqual([['solo', '1', '1000Ki', '30s']]);
  });

  it('serves NodeMetrics as the sum over the node’s Running pods, with no overhead', async () => {
    const nodes = (await app.inject(`${METRICS}/nodes`)).json();
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items.map((n: any) => [n.metadata.name, n.usage, n.window, n.timestamp])).toEqual([
      ['node-1', { cpu: '600m', memory: '136Mi' }, '30s', toRfc3339(cluster.state.time)],
      ['node-2', { cpu: '1', memory: '1000Ki' }, '30s', toRfc3339(cluster.state.time)],
    ]);
    expect((await app.inject(`${METRICS}/nodes/node-1`)).json().metadata.labels['kubernetes.io/hostname']).toBe('node-1');
  });

  it('answers NotFound as metrics-server words it: the pod or node lister’s for a missing one, its own for one without metrics', async () => {
    const missing = await app.inject(`${METRICS}/namespaces/default/pods/missing`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ reason: 'NotFound', message: 'pods "missing" not found', details: { name: 'missing', kind: 'pods' } });
    await cluster.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-2', reason: 'crash' } } });
    const unscraped = await app.inject(`${METRICS}/namespaces/tools/pods/solo`);
    expect(unscraped.json()).toMatchObject({ code: 404, message: 'podmetrics.metrics.k8s.io "tools/solo" not found', details: { name: 'tools/solo', group: 'metrics.k8s.io', kind: 'podmetrics' } });
    expect((await app.inject(`${METRICS}/nodes/node-2`)).json()).toMatchObject({ code: 404, message: 'nodemetrics.metrics.k8s.io "node-2" not found' });
    expect((await app.inject(`${METRICS}/nodes/node-9`)).json()).toMatchObject({ code: 404, message: 'node "node-9" not found' });
    expect((await app.inject(`${METRICS}/nodes`)).json().items.map((n: KubeObject) => n.metadata.name)).toEqual(['node-1']);
    expect((await app.inject(`${METRICS}/pods`)).json().items.map((n: KubeObject) => n.metadata.namespace)).toEqual(['default', 'default']);
  });

  it('refuses writes and watches (405) and appends nothing for any read', async () => {
    const before = cluster.state.position;
    const pod = webPods()[0]!.metadata.name;
    const item = `${METRICS}/namespaces/default/pods/${pod}`;
    const body = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: pod, namespace: 'default' } };
    const refused = [
      await app.inject({ method: 'POST', url: `${METRICS}/namespaces/default/pods`, payload: body }),
      await app.inject({ method: 'PUT', url: item, payload: body }),
      await app.inject({ method: 'PATCH', url: item, payload: {}, headers: { 'content-type': 'application/merge-patch+json' } }),
      await app.inject({ method: 'DELETE', url: item }),
      await app.inject({ method: 'DELETE', url: `${METRICS}/nodes` }),
      await app.inject(`${METRICS}/pods?watch=true`),
      await app.inject(`${METRICS}/nodes/node-1?watch=1`),
    ];
    expect(refused.map((r) => [r.statusCode, r.json().reason])).toEqual(refused.map(() => [405, 'MethodNotAllowed']));
    for (const url of [item, `${METRICS}/pods`, `${METRICS}/nodes`, `${METRICS}/nodes/node-1`, `${METRICS}/namespaces/default/pods/missing`]) await app.inject(url);
    expect(cluster.state.position).toBe(before);
    // Nor can anything else store one: the write path refuses the kind.
    await expect(cluster.act({ type: 'create', object: body as KubeObject })).rejects.toMatchObject({ code: 405, message: 'PodMetrics is computed when read, never stored' });
  });

  it('reads the past: an exact resourceVersion, and /at/<position>, compute the metrics of the state then', async () => {
    const then = cluster.state.position;
    const web = structuredClone(getObject(cluster.state, 'Deployment', 'default', 'web')!);
    delete web.metadata.resourceVersion;
    web.metadata.annotations!['sim.orrery.dev/cpu-load'] = '1200m';
    await cluster.act({ type: 'update', object: web });
    const cpu = (list: any) => list.items.map((i: any) => i.containers.map((c: any) => c.usage.cpu));
    expect(cpu((await app.inject(`${METRICS}/namespaces/default/pods`)).json())).toEqual([['400m', '200m'], ['400m', '200m']]);
    expect(cpu((await app.inject(`${METRICS}/namespaces/default/pods?resourceVersion=${then}&resourceVersionMatch=Exact`)).json())).toEqual([['200m', '100m'], ['200m', '100m']]);
    expect((await app.inject(`/at/${then}${METRICS}/nodes/node-1`)).json().usage).toEqual({ cpu: '600m', memory: '136Mi' });
  });
});
