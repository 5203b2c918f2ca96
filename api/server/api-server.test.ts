import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { createApiServer } from './create-api-server.ts';
import { AGGREGATED_DISCOVERY_V2 } from './discovery/aggregated-discovery.ts';
import { encodeKubernetesProtobuf } from './protobuf/k8s-protobuf.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let cluster: SimulatedCluster;
let app: FastifyInstance;

beforeEach(async () => {
  cluster = await createSimulatedCluster({ controllers: [], nodes: 2 });
  app = createApiServer({ cluster, bodyLimit: 64 * 1024 });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cluster.close();
});

const deployment = (name: string, labels: Record<string, string> = { app: name }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

async function create(path: string, body: unknown) {
  const response = await app.inject({ method: 'POST', url: path, payload: body as object });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('discovery', () => {
  it('serves /version, /api, /apis and group-version resource lists from the registry', async () => {
    expect((await app.inject('/version')).json().gitVersion).toBe('v1.32.0-orrery');
    expect((await app.inject('/api')).json().versions).toEqual(['v1']);
    const groups = (await app.inject('/apis')).json().groups.map((g: { name: string }) => g.name);
    expect(groups).toContain('apps');
    expect(groups).toContain('policy');
    const core = (await app.inject('/api/v1')).json();
    const names = core.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['pods', 'pods/status', 'pods/binding', 'pods/eviction', 'pods/log', 'namespaces', 'nodes']));
    expect(core.resources.find((r: { name: string }) => r.name === 'pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction' });
    const apps = (await app.inject('/apis/apps/v1')).json();
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments')).toMatchObject({ namespaced: true, shortNames: ['deploy'] });
  });

  it('answers aggregated discovery when the client asks for it', async () => {
    const response = await app.inject({ url: '/apis', headers: { accept: `${AGGREGATED_DISCOVERY_V2},application/json` } });
    expect(response.headers['content-type']).toBe(AGGREGATED_DISCOVERY_V2);
    const apps = response.json().items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    expect(deployments.scope).toBe('Namespaced');
    expect(deployments.subresources.map((s: { subresource: string }) => s.subresource)).toEqual(expect.arrayContaining(['scale', 'status']));
  });
});

describe('CRUD', () => {
  it('creates, reads, lists with selectors and pages, replaces and deletes', async () => {
    for (const name of ['a', 'b', 'c']) await create('/apis/apps/v1/namespaces/default/deployments', deployment(name, { app: name, tier: name === 'c' ? 'db' : 'web' }));
    const got = (await app.inject('/apis/apps/v1/namespaces/default/deployments/b')).json();
    expect(got.metadata.uid).toBeTruthy();
    const web = (await app.inject('/apis/apps/v1/namespaces/default/deployments?labelSelector=tier%3Dweb')).json();
    expect(web.kind).toBe('DeploymentList');
    expect(web.items.map((d: any) => d.metadata.name)).toEqual(['a', 'b']);
    const byName = (await app.inject('/apis/apps/v1/deployments?fieldSelector=metadata.name%3Dc')).json();
    expect(byName.items.map((d: any) => d.metadata.name)).toEqual(['c']);

    const page1 = (await app.inject('/apis/apps/v1/namespaces/default/deployments?limit=2')).json();
    expect(page1.items.map((d: any) => d.metadata.name)).toEqual(['a', 'b']);
    expect(page1.metadata.remainingItemCount).toBe(1);
    // A write between pages does not show up in the later page: every page reads the first page's snapshot.
    await create('/apis/apps/v1/namespaces/default/deployments', deployment('bb'));
    const page2 = (await app.inject(`/apis/apps/v1/namespaces/default/deployments?limit=2&continue=${page1.metadata.continue}`)).json();
    expect(page2.items.map((d: any) => d.metadata.name)).toEqual(['c']);
    expect(page2.metadata.continue).toBeUndefined();
    expect(page2.metadata.resourceVersion).toBe(page1.metadata.resourceVersion);

    const stale = { ...got, spec: { ...got.spec, replicas: 5 } };
    const updated = await app.inject({ method: 'PUT', url: '/apis/apps/v1/namespaces/default/deployments/b', payload: stale });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().spec.replicas).toBe(5);
    const conflict = await app.inject({ method: 'PUT', url: '/apis/apps/v1/namespaces/default/deployments/b', payload: stale });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ kind: 'Status', reason: 'Conflict' });

    expect((await app.inject('/apis/apps/v1/namespaces/default/deployments')).json().items.map((d: any) => d.metadata.name)).toEqual(['a', 'b', 'bb', 'c']);
    const deleted = await app.inject({ method: 'DELETE', url: '/apis/apps/v1/namespaces/default/deployments/a' });
    expect(deleted.statusCode).toBe(200);
    const missing = await app.inject('/apis/apps/v1/namespaces/default/deployments/a');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "a" not found', details: { kind: 'deployments', group: 'apps', name: 'a' } });
  });

  it('accepts YAML and protobuf bodies, and protobuf DeleteOptions', async () => {
    const yaml = await app.inject({ method: 'POST', url: '/api/v1/namespaces', headers: { 'content-type': 'application/yaml' }, payload: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: from-yaml\n' });
    expect(yaml.statusCode).toBe(201);
    const proto = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      headers: { 'content-type': 'application/vnd.kubernetes.protobuf' },
      payload: encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-proto', labels: { team: 'x' } } }),
    });
    expect(proto.statusCode, proto.body).toBe(201);
    expect(proto.json().metadata.labels.team).toBe('x');
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } });
    const drop = await app.inject({
      method: 'DELETE',
      url: '/api/v1/namespaces/default/configmaps/cm',
      headers: { 'content-type': 'application/vnd.kubernetes.protobuf' },
      payload: encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'not-the-uid' } }),
    });
    expect(drop.statusCode).toBe(409);
    expect(drop.json().message).toContain('Precondition failed: UID in precondition: not-the-uid');
  });

  it('answers every error as a Kubernetes Status and appends nothing for rejected requests', async () => {
    const before = await cluster.store.head();
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/json' }, payload: '{"kind":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    const badYaml = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/yaml' }, payload: 'a: [b' });
    expect(badYaml.statusCode).toBe(400);
    const unsupported = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.json().reason).toBe('UnsupportedMediaType');
    const invalid = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().details.causes[0].field).toBe('metadata.name');
    const tooLarge = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(70 * 1024) } } });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().reason).toBe('RequestEntityTooLarge');
    const notAllowed = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/default/configmaps', payload: {} });
    expect(notAllowed.statusCode).toBe(405);
    const unknownPath = await app.inject('/apis/nope/v1/things');
    expect(unknownPath.statusCode).toBe(404);
    expect(unknownPath.json().kind).toBe('Status');
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'once' } });
    const duplicate = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'once' } } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().reason).toBe('AlreadyExists');
    expect(await cluster.store.head()).toBe(before + 1);
  });

  it('supports dryRun=All and fieldValidation=Strict without appending', async () => {
    const before = await cluster.store.head();
    const dry = await app.inject({ method: 'POST', url: '/apis/apps/v1/namespaces/default/deployments?dryRun=All', payload: deployment('dry') });
    expect(dry.statusCode).toBe(201);
    expect(dry.json().metadata.name).toBe('dry');
    const strict = await app.inject({ method: 'POST', url: '/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict', payload: { ...deployment('strict'), spec: { ...deployment('strict').spec, replicaz: 3 } } });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().message).toContain('unknown field "spec.replicaz"');
    expect(await cluster.store.head()).toBe(before);
    expect((await app.inject('/apis/apps/v1/namespaces/default/deployments/dry')).statusCode).toBe(404);
  });
});

describe('tables', () => {
  it('answers kubectl get with a meta.k8s.io Table of registry columns and partial object metadata', async () => {
    await create('/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    const table = (await app.inject({ url: '/apis/apps/v1/namespaces/default/deployments', headers: { accept: TABLE } })).json();
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(table.rows[0].cells[0]).toBe('web');
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } });
    const nodes = (await app.inject({ url: '/api/v1/nodes', headers: { accept: TABLE } })).json();
    expect(nodes.rows.map((r: { cells: unknown[] }) => r.cells[0])).toEqual(['node-1', 'node-2']);
  });
});

describe('patch and subresources', () => {
  it('applies merge and JSON patches and scales through the scale subresource', async () => {
    await create('/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    const merged = await app.inject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/default/deployments/web', headers: { 'content-type': 'application/merge-patch+json' }, payload: { metadata: { labels: { extra: 'yes' } } } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().metadata.labels).toEqual({ app: 'web', extra: 'yes' });
    const json = await app.inject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/default/deployments/web', headers: { 'content-type': 'application/json-patch+json' }, payload: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
    expect(json.json().spec.replicas).toBe(4);
    const scale = (await app.inject('/apis/apps/v1/namespaces/default/deployments/web/scale')).json();
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { selector: 'app=web' } });
    const scaled = await app.inject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/default/deployments/web/scale', headers: { 'content-type': 'application/merge-patch+json' }, payload: { spec: { replicas: 1 } } });
    expect(scaled.json().spec.replicas).toBe(1);
    expect((await app.inject('/apis/apps/v1/namespaces/default/deployments/web')).json().spec.replicas).toBe(1);
    const missing = await app.inject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/default/deployments/nope', headers: { 'content-type': 'application/merge-patch+json' }, payload: {} });
    expect(missing.statusCode).toBe(404);
  });

  it('server-side apply creates when absent, answers 409 on another manager\'s field, and takes it over with force', async () => {
    const url = (manager: string, force = false) => `/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=${manager}${force ? '&force=true' : ''}`;
    const apply = (manager: string, replicas: number, force = false) =>
      app.inject({ method: 'PATCH', url: url(manager, force), headers: { 'content-type': 'application/apply-patch+yaml' }, payload: JSON.stringify({ ...deployment('ssa'), spec: { ...deployment('ssa').spec, replicas } }) });
    const created = await apply('alice', 2);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().metadata.managedFields[0]).toMatchObject({ manager: 'alice', operation: 'Apply' });
    const conflict = await apply('bob', 3);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ reason: 'Conflict', details: { causes: [{ reason: 'FieldManagerConflict', field: '.spec.replicas' }] } });
    expect(conflict.json().message).toContain('conflict with "alice"');
    const forced = await apply('bob', 3, true);
    expect(forced.statusCode).toBe(200);
    expect(forced.json().spec.replicas).toBe(3);
  });

  it('binds pods and refuses an eviction that would violate a PodDisruptionBudget with 429', async () => {
    await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'postgres' }] } });
    const bound = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods/p/binding', payload: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-2' } } });
    expect(bound.statusCode, bound.body).toBe(201);
    expect((await app.inject('/api/v1/namespaces/default/pods/p')).json().spec.nodeName).toBe('node-2');
    // Make the pod Ready, as its kubelet would.
    await cluster.writePath.execute({ type: 'record', actor: 'kubelet/node-2', event: { type: 'PodPhaseChanged', data: { ref: { kind: 'Pod', namespace: 'default', name: 'p' }, phase: 'Running' } } });
    await cluster.writePath.execute({ type: 'record', actor: 'kubelet/node-2', event: { type: 'ContainerStateChanged', data: { ref: { kind: 'Pod', namespace: 'default', name: 'p' }, container: 'c', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, ready: true, started: true, restartCount: 0 } } });
    await create('/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } });
    const before = await cluster.store.head();
    const evict = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/pods/p/eviction', payload: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' } } });
    expect(evict.statusCode).toBe(429);
    expect(evict.json()).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(await cluster.store.head()).toBe(before);
  });
});

describe('pod logs', () => {
  it('synthesizes lines from the container lifecycle, and follows until the pod goes away', async () => {
    await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'app:1' }] } });
    const ref = { kind: 'Pod', namespace: 'default', name: 'p' };
    const record = (state: object) =>
      cluster.writePath.execute({ type: 'record', actor: 'kubelet/node-1', event: { type: 'ContainerStateChanged', data: { ref, container: 'c', state, ready: false, started: false, restartCount: 0 } } });
    await record({ waiting: { reason: 'ContainerCreating' } });
    const plain = await app.inject('/api/v1/namespaces/default/pods/p/log');
    expect(plain.body).toBe('[orrery] container c waiting: ContainerCreating\n');
    const following = app.inject('/api/v1/namespaces/default/pods/p/log?follow=true');
    await new Promise((r) => setTimeout(r, 100));
    await record({ running: { startedAt: '2026-01-01T00:00:01Z' } });
    await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/pods/p' });
    expect((await following).body).toBe('[orrery] container c waiting: ContainerCreating\n[orrery] container c started (image app:1, restart 0)\n');
  });

  it('each instance of a container has its own log: the latest, and with previous=true the one before', async () => {
    await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'app:1' }] } });
    const ref = { kind: 'Pod', namespace: 'default', name: 'p' };
    const record = (state: object, restartCount: number) =>
      cluster.writePath.execute({ type: 'record', actor: 'kubelet/node-1', event: { type: 'ContainerStateChanged', data: { ref, container: 'c', state, ready: false, started: false, restartCount } } });
    await record({ running: { startedAt: '2026-01-01T00:00:01Z' } }, 0);
    const none = await app.inject('/api/v1/namespaces/default/pods/p/log?previous=true');
    expect([none.statusCode, none.json().message]).toEqual([400, 'previous terminated container "c" in pod "p" not found']);
    await record({ terminated: { exitCode: 3, reason: 'Error', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:05Z' } }, 0);
    await record({ running: { startedAt: '2026-01-01T00:00:06Z' } }, 1);
    expect((await app.inject('/api/v1/namespaces/default/pods/p/log')).body).toBe('[orrery] container c started (image app:1, restart 1)\n');
    expect((await app.inject('/api/v1/namespaces/default/pods/p/log?previous=true')).body).toBe(
      '[orrery] container c started (image app:1, restart 0)\n[orrery] container c exited with code 3 (Error)\n',
    );
  });

  it('reads the container changes a pod status update carries, in order, for the container asked for', async () => {
    await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'app:1' }, { name: 'd', image: 'side:1' }] } });
    const ref = { kind: 'Pod', namespace: 'default', name: 'p' };
    const update = (container: string, state: object) => ({ container, state, ready: false, started: false, restartCount: 0 });
    const record = (phase: 'Pending' | 'Running', containers: ReturnType<typeof update>[]) =>
      cluster.writePath.execute({ type: 'record', actor: 'kubelet/node-1', event: { type: 'PodPhaseChanged', data: { ref, phase, containers } } });
    await record('Pending', [update('c', { waiting: { reason: 'ContainerCreating' } }), update('d', { waiting: { reason: 'ContainerCreating' } })]);
    const following = app.inject('/api/v1/namespaces/default/pods/p/log?follow=true&container=d');
    await new Promise((r) => setTimeout(r, 100));
    await record('Running', [update('c', { running: { startedAt: '2026-01-01T00:00:01Z' } }), update('d', { running: { startedAt: '2026-01-01T00:00:01Z' } })]);
    expect((await app.inject('/api/v1/namespaces/default/pods/p/log?container=c')).body).toBe('[orrery] container c waiting: ContainerCreating\n[orrery] container c started (image app:1, restart 0)\n');
    await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/pods/p' });
    expect((await following).body).toBe('[orrery] container d waiting: ContainerCreating\n[orrery] container d started (image side:1, restart 0)\n');
    // A status update naming a container the pod does not have is refused whole.
    await create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'app:1' }] } });
    const head = await cluster.store.head();
    await expect(record('Running', [update('c', { running: { startedAt: '2026-01-01T00:00:02Z' } }), update('nope', { running: { startedAt: '2026-01-01T00:00:02Z' } })])).rejects.toMatchObject({
      message: 'container nope is not valid for pod p',
    });
    expect(await cluster.store.head()).toBe(head);
  });
});

describe('watch and exact reads', () => {
  it('streams changes strictly after a resourceVersion, with DELETED on removal', async () => {
    const first = await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' }, data: { v: '1' } });
    const from = first.metadata.resourceVersion;
    await app.inject({ method: 'PATCH', url: '/api/v1/namespaces/default/configmaps/one', headers: { 'content-type': 'application/merge-patch+json' }, payload: { data: { v: '2' } } });
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } });
    await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/configmaps/one' });
    await create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated' } });
    const watch = await app.inject(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=1`);
    const events = watch.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED one', 'ADDED two', 'DELETED one']);
    expect(events[0].object.data.v).toBe('2');
  });

  it('streams creates that share one group commit as one line each, in log order', async () => {
    const from = cluster.state.position;
    const watching = app.inject(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=1`);
    const names = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    const created = await Promise.all(names.map((name) => create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })));
    const lines = (await watching).body.split('\n');
    expect(lines.pop()).toBe('');
    const events = lines.map((line) => JSON.parse(line));
    const byVersion = created.map((c) => [c.metadata.name, c.metadata.resourceVersion]).sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(events.map((e) => [e.object.metadata.name, e.object.metadata.resourceVersion])).toEqual(byVersion);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['ADDED']));
  });

  it('streams Table watch events as kubectl get -w reads them: columns once, then rows, the same for every such watch', async () => {
    const from = cluster.state.position;
    const watch = () => app.inject({ url: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=1`, headers: { accept: TABLE } });
    const watches = [watch(), watch()];
    for (const name of ['t1', 't2', 't3']) await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    const bodies = (await Promise.all(watches)).map((response) => response.body);
    expect(bodies[1]).toBe(bodies[0]);
    const events = bodies[0]!.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => [e.type, e.object.kind, e.object.rows[0].cells[0], e.object.rows[0].object.metadata.name])).toEqual([
      ['ADDED', 'Table', 't1', 't1'],
      ['ADDED', 'Table', 't2', 't2'],
      ['ADDED', 'Table', 't3', 't3'],
    ]);
    expect(events.map((e) => e.object.columnDefinitions.length > 0)).toEqual([true, false, false]);
    expect(events[2].object.metadata.resourceVersion).toBe(events[2].object.rows[0].object.metadata.resourceVersion);
  });

  it('sends the current objects as ADDED when no resourceVersion is given, filtered by selectors', async () => {
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { keep: 'yes' } } });
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } });
    const watch = await app.inject('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=keep%3Dyes&timeoutSeconds=1');
    const events = watch.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED x']);
  });

  it('reads lists and objects exactly as they were at an old resourceVersion', async () => {
    const created = await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'past' }, data: { v: 'old' } });
    const rv = created.metadata.resourceVersion;
    await app.inject({ method: 'PATCH', url: '/api/v1/namespaces/default/configmaps/past', headers: { 'content-type': 'application/merge-patch+json' }, payload: { data: { v: 'new' } } });
    await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' } });
    const list = (await app.inject(`/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`)).json();
    expect(list.metadata.resourceVersion).toBe(rv);
    expect(list.items.map((c: any) => [c.metadata.name, c.data.v])).toEqual([['past', 'old']]);
    const got = (await app.inject(`/api/v1/namespaces/default/configmaps/past?resourceVersion=${rv}&resourceVersionMatch=Exact`)).json();
    expect(got.data.v).toBe('old');
    expect((await app.inject('/api/v1/namespaces/default/configmaps/past')).json().data.v).toBe('new');
  });
});

describe('security', () => {
  it('requires the bearer token when one is configured', async () => {
    const secured = createApiServer({ cluster, token: 's3cret' });
    await secured.ready();
    expect((await secured.inject('/api')).statusCode).toBe(401);
    expect((await secured.inject({ url: '/api', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200);
    await secured.close();
  });
});
