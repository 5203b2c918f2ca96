import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createInMemoryStore } from '../../../core/store/in-memory-store.ts';
import { type SimulatedCluster, createSimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';
import { type Sample, parseExposition, samplesOf, valueOf } from '../testing/prometheus-text.ts';
import { countingStore } from './counting-store.ts';

/**
 * /metrics over real HTTP (watches are long-lived streams): the counters a request leaves, by the
 * apiserver's verb and scope naming, the open watches, the cluster's size and the log's appends.
 */
const TOKEN = 'metrics-test-token';
let cluster: SimulatedCluster;
let app: FastifyInstance;
let url: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  const { store, counts } = countingStore(createInMemoryStore());
  cluster = await createSimulatedCluster({ store, controllers: [], nodes: 2 });
  app = createApiServer({ cluster, token: TOKEN, appendCounts: counts });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await cluster?.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response;
}

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, { headers: auth });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

const requests = (samples: Sample[], labels: Record<string, string>) => valueOf(samples, 'apiserver_request_total', { component: 'apiserver', ...labels });
const configmaps = { group: '', version: 'v1', resource: 'configmaps', subresource: '' };

describe('/metrics', () => {
  it('needs the bearer token like every path', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: auth })).status).toBe(200);
    // A resource request refused for its token is counted, with its code.
    expect((await fetch(`${url}/api/v1/namespaces/default/secrets`)).status).toBe(401);
    expect(requests(await scrape(), { group: '', version: 'v1', resource: 'secrets', subresource: '', verb: 'LIST', scope: 'namespace', dry_run: '', code: '401' })).toBe(1);
  });

  it("counts each resource request by kube-apiserver's verb, scope and code, with its duration", async () => {
    const configmap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', configmap('one'))).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', configmap('two'))).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', configmap('dry'))).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', configmap('one'))).status).toBe(409);
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', configmap('Not_A_Name'))).status).toBe(422);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/one')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/missing')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    expect((await call('GET', '/api/v1/configmaps')).status).toBe(200);
    expect((await call('PATCH', '/api/v1/namespaces/default/configmaps/one', { data: { b: '2' } }, 'application/merge-patch+json')).status).toBe(200);
    const applied = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: three}\ndata: {c: "3"}\n';
    expect((await call('PATCH', '/api/v1/namespaces/default/configmaps/three?fieldManager=test', applied, 'application/apply-patch+yaml')).status).toBe(201);
    expect((await call('DELETE', '/api/v1/namespaces/default/configmaps/two')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    expect((await call('GET', '/api/v1/nodes')).status).toBe(200);
    expect((await call('GET', '/api/v1/nodes/node-1/status')).status).toBe(200);
    expect((await call('PUT', '/api/v1/nodes/node-1')).status).toBe(400);

    const samples = await scrape();
    expect(requests(samples, { ...configmaps, verb: 'POST', dry_run: '', scope: 'resource', code: '201' })).toBe(2);
    expect(requests(samples, { ...configmaps, verb: 'POST', dry_run: 'All', scope: 'resource', code: '201' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'POST', dry_run: '', scope: 'resource', code: '409' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'POST', dry_run: '', scope: 'resource', code: '422' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'GET', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'GET', scope: 'resource', code: '404' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'LIST', scope: 'namespace', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'LIST', scope: 'cluster', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'PATCH', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'APPLY', scope: 'resource', code: '201' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'DELETE', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'DELETE', scope: 'namespace', code: '200' })).toBe(1);
    expect(requests(samples, { resource: 'nodes', subresource: '', verb: 'LIST', scope: 'cluster', code: '200' })).toBe(1);
    expect(requests(samples, { resource: 'nodes', subresource: 'status', verb: 'GET', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { resource: 'nodes', subresource: '', verb: 'PUT', scope: 'resource', code: '400' })).toBe(1);

    // The duration histogram has a series per label set (without the code), cumulative buckets ending at +Inf = count.
    const durations = { ...configmaps, verb: 'POST', dry_run: '', scope: 'resource', component: 'apiserver' };
    expect(valueOf(samples, 'apiserver_request_duration_seconds_count', durations)).toBe(4);
    expect(valueOf(samples, 'apiserver_request_duration_seconds_bucket', { ...durations, le: '+Inf' })).toBe(4);
    const buckets = samplesOf(samples, 'apiserver_request_duration_seconds_bucket', durations);
    expect(buckets.map((b) => b.labels.le)).toEqual(['0.005', '0.025', '0.05', '0.1', '0.2', '0.4', '0.6', '0.8', '1', '1.25', '1.5', '2', '3', '4', '5', '6', '8', '10', '15', '20', '30', '45', '60', '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(valueOf(samples, 'apiserver_request_duration_seconds_sum', durations)).toBeGreaterThan(0);
  });

  it('does not count /metrics, discovery or unknown resources as resource requests', async () => {
    const before = samplesOf(await scrape(), 'apiserver_request_total').length;
    expect((await call('GET', '/api/v1')).status).toBe(200);
    expect((await call('GET', '/api/v1/widgets')).status).toBe(404);
    expect((await call('GET', '/version')).status).toBe(200);
    const samples = await scrape();
    expect(samplesOf(samples, 'apiserver_request_total').length).toBe(before);
    expect(samplesOf(samples, 'apiserver_request_total', { resource: 'widgets' })).toEqual([]);
  });

  it('shows open watches as long-running requests and counts each WATCH when it ends', async () => {
    const watch = { ...configmaps, verb: 'WATCH', scope: 'namespace', component: 'apiserver' };
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=true`, { headers: auth, signal: controller.signal });
    expect(response.status).toBe(200);
    const open = await scrape();
    expect(valueOf(open, 'apiserver_longrunning_requests', watch)).toBe(1);
    expect(valueOf(open, 'apiserver_registered_watchers', { group: '', version: 'v1', kind: 'ConfigMap' })).toBe(1);
    expect(requests(open, { ...watch, code: '200' })).toBeUndefined();

    controller.abort();
    await response.body?.cancel().catch(() => undefined);
    let closed: Sample[] = [];
    for (let tries = 0; tries < 50; tries++) {
      closed = await scrape();
      if (valueOf(closed, 'apiserver_longrunning_requests', watch) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(valueOf(closed, 'apiserver_longrunning_requests', watch)).toBe(0);
    expect(valueOf(closed, 'apiserver_registered_watchers', { group: '', version: 'v1', kind: 'ConfigMap' })).toBe(0);
    expect(requests(closed, { ...watch, dry_run: '', code: '200' })).toBe(1);
    expect(valueOf(closed, 'apiserver_request_duration_seconds_count', { ...watch, dry_run: '' })).toBe(1);
  });

  it('counts a followed log as a long-running CONNECT, and a plain one as a CONNECT', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'talker' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } };
    expect((await call('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    const log = { component: 'apiserver', group: '', version: 'v1', resource: 'pods', subresource: 'log', verb: 'CONNECT', scope: 'resource' };
    expect((await call('GET', '/api/v1/namespaces/default/pods/talker/log')).status).toBe(200);
    const controller = new AbortController();
    const followed = await fetch(`${url}/api/v1/namespaces/default/pods/talker/log?follow=true`, { headers: auth, signal: controller.signal });
    expect(followed.status).toBe(200);
    const open = await scrape();
    expect(valueOf(open, 'apiserver_longrunning_requests', log)).toBe(1);
    expect(requests(open, { ...log, dry_run: '', code: '200' })).toBe(1);
    controller.abort();
    await followed.body?.cancel().catch(() => undefined);
    let closed: Sample[] = [];
    for (let tries = 0; tries < 50; tries++) {
      closed = await scrape();
      if (valueOf(closed, 'apiserver_longrunning_requests', log) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(valueOf(closed, 'apiserver_longrunning_requests', log)).toBe(0);
    expect(requests(closed, { ...log, dry_run: '', code: '200' })).toBe(2);
  });

  it("reports the log's head, the appends, the cluster's size and the process", async () => {
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'sized' } })).status).toBe(201);
    const samples = await scrape();
    const head = await cluster.store.head();
    expect(valueOf(samples, 'orrery_log_head_position')).toBe(head);
    expect(valueOf(samples, 'orrery_state_position')).toBe(cluster.state.position);
    expect(valueOf(samples, 'orrery_cluster_time_seconds')).toBe(cluster.state.time / 1000);
    // Every event of this log went through the counting store: the events by type add up to the head.
    const byType = samplesOf(samples, 'orrery_log_events_appended_total');
    expect(byType.reduce((sum, sample) => sum + sample.value, 0)).toBe(head);
    expect(valueOf(samples, 'orrery_log_events_appended_total', { type: 'NodeRegistered' })).toBe(2);
    expect(valueOf(samples, 'orrery_log_events_appended_total', { type: 'ObjectCreated' })).toBeGreaterThanOrEqual(4);
    expect(valueOf(samples, 'orrery_log_appends_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'orrery_log_appends_total')).toBeLessThanOrEqual(head);
    expect(valueOf(samples, 'apiserver_storage_objects', { resource: 'configmaps' })).toBe(cluster.state.objects.get('ConfigMap')?.size);
    expect(valueOf(samples, 'apiserver_storage_objects', { resource: 'nodes' })).toBe(2);
    expect(valueOf(samples, 'apiserver_storage_objects', { resource: 'deployments.apps' })).toBe(0);
    const nodes = samplesOf(samples, 'orrery_cluster_nodes');
    expect(nodes.map((s) => s.labels.ready).sort()).toEqual(['False', 'True', 'Unknown']);
    expect(nodes.reduce((sum, s) => sum + s.value, 0)).toBe(2);
    expect(samplesOf(samples, 'orrery_cluster_pods').map((s) => s.labels.phase)).toEqual(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(samplesOf(samples, 'nodejs_version_info')).toHaveLength(1);
  });

  it('is not served for the past (/at/<position>)', async () => {
    expect((await fetch(`${url}/at/1/metrics`, { headers: auth })).status).toBe(404);
  });
});
