import { describe, expect, it } from 'vitest';
import type { OrreryEvent } from '../../core/events.ts';
import { type ApiError, isApiError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { AppendResult, EventStore } from '../../core/store/event-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Command } from '../commands.ts';
import { getObject } from '../state/queries.ts';
import { createClusterState, rebuildState } from '../state/reducer.ts';
import { testResourceTypeForKind } from './test-resource-types.ts';
import { createCommandExecutor as createWritePath } from './command-executor.ts';

const T0 = Date.UTC(2026, 0, 1);

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
type Input = DistributiveOmit<Command, 'actor'> & { actor?: string };

async function given(...commands: Input[]) {
  const store = createInMemoryStore();
  const state = createClusterState();
  let clock = T0;
  const writePath = createWritePath({ store, state, now: () => clock, resourceTypeForKind: testResourceTypeForKind });
  const run = (command: Input) => writePath.execute({ actor: 'user:admin', ...command } as Command);
  await run({ type: 'record', event: { type: 'ClusterInitialized', data: { seed: 7, startTime: T0, mode: 'simulation' } } });
  for (const command of commands) await run(command);
  return {
    store,
    state,
    writePath,
    run,
    tick: (ms: number) => (clock += ms),
    get: (kind: string, name: string, namespace?: string) => getObject(state, kind, namespace, name),
    /** Runs the command expecting a rejection; asserts nothing was appended and returns the error. */
    async rejects(command: Input): Promise<ApiError> {
      const head = await store.head();
      const position = state.position;
      const error = await run(command).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isApiError(error)) throw new Error(`expected an ApiError, got ${String(error)}`);
      expect(await store.head()).toBe(head);
      expect(state.position).toBe(position);
      return error;
    },
  };
}

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, extra: Partial<KubeObject['metadata']> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...extra },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});
const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  status: { replicas: 99 },
});
const configMap = (name: string, data: Record<string, string> = {}, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...extra },
  data,
});
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: { conditions: [] } });
const podRef = (name: string, uid?: string) => ({ kind: 'Pod', namespace: 'default', name, ...(uid ? { uid } : {}) });
const decision = { evaluated: 1, feasible: 1, verdicts: [], chosen: 'n1' };

describe('write path: create', () => {
  it('assigns uid, creationTimestamp, generation 1 and resourceVersion = position, and stamps provenance', async () => {
    const { run, store } = await given();
    const result = await run({ type: 'create', object: pod('web'), actor: 'user:alice', causationId: 1, correlationId: 'c-1' });
    expect(result.object!.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1, resourceVersion: '2', creationTimestamp: '2026-01-01T00:00:00Z' });
    expect(result.object!.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.object!.status).toEqual({ phase: 'Pending' });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ type: 'ObjectCreated', stream: 'Pod/default/web', position: 2, metadata: { actor: 'user:alice', causationId: 1, correlationId: 'c-1', time: T0 } });
    expect(store.events()).toHaveLength(2);
  });

  it('draws the same uid and generated name for the same seed and position', async () => {
    const a = await given();
    const b = await given();
    const one = await a.run({ type: 'create', object: pod('', { generateName: 'web-' }) });
    const two = await b.run({ type: 'create', object: pod('', { generateName: 'web-' }) });
    expect(one.object!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(two.object!.metadata).toEqual(one.object!.metadata);
  });

  it('does not keep a reference to the caller\'s object', async () => {
    const { run, get } = await given();
    const input = pod('web');
    await run({ type: 'create', object: input });
    input.metadata.labels = { changed: 'yes' };
    expect(get('Pod', 'web', 'default')!.metadata.labels).toBeUndefined();
  });

  it('rejects a taken name with AlreadyExists', async () => {
    const { rejects } = await given({ type: 'create', object: deployment('web') });
    const error = await rejects({ type: 'create', object: deployment('web') });
    expect(error.toStatus()).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' });
  });

  it('rejects an invalid object with 422 and its causes', async () => {
    const { rejects } = await given();
    const error = await rejects({ type: 'create', object: pod('web', {}, { containers: [] }) });
    expect(error.code).toBe(422);
    expect(error.message).toBe('Pod "web" is invalid: spec.containers: Required value');
  });

  it('requires the namespace to exist, except the system ones', async () => {
    const { rejects, run } = await given();
    const error = await rejects({ type: 'create', object: pod('web', { namespace: 'team' }) });
    expect(error.toStatus()).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "team" not found' });
    await expect(run({ type: 'create', object: pod('web', { namespace: 'kube-system' }) })).resolves.toBeTruthy();
    await run({ type: 'create', object: namespace('team') });
    await expect(run({ type: 'create', object: pod('web', { namespace: 'team' }) })).resolves.toBeTruthy();
  });

  it('forbids new content in a terminating namespace', async () => {
    const { rejects } = await given({ type: 'create', object: namespace('team') }, { type: 'delete', ref: { kind: 'Namespace', name: 'team' } });
    const error = await rejects({ type: 'create', object: pod('web', { namespace: 'team' }) });
    expect(error.toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', message: 'pods "web" is forbidden: unable to create new content in namespace team because it is being terminated' });
  });

  it('rejects unknown kinds with 404', async () => {
    const { rejects } = await given();
    expect((await rejects({ type: 'create', object: { apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'g' } } })).code).toBe(404);
  });

  it('starts the server-owned status afresh: a Namespace is Active with the kubernetes finalizer, a Deployment\'s status is empty', async () => {
    const { run } = await given();
    expect((await run({ type: 'create', object: namespace('team') })).object).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect((await run({ type: 'create', object: deployment('web') })).object!.status).toEqual({});
  });

  it('dry run returns the would-be object and appends nothing', async () => {
    const { run, store, get } = await given();
    const result = await run({ type: 'create', object: pod('web'), dryRun: true });
    expect(result.events).toEqual([]);
    expect(result.object!.metadata.uid).toBeTruthy();
    expect(result.object!.metadata.resourceVersion).toBeUndefined();
    expect(await store.head()).toBe(1);
    expect(get('Pod', 'web', 'default')).toBeUndefined();
  });
});

describe('write path: update', () => {
  it('rejects a stale resourceVersion with Kubernetes\' conflict message', async () => {
    const { run, rejects } = await given();
    const created = (await run({ type: 'create', object: deployment('web') })).object!;
    await run({ type: 'update', object: { ...created, spec: { ...created.spec, replicas: 2 } } });
    const error = await rejects({ type: 'update', object: { ...created, spec: { ...created.spec, replicas: 3 } } });
    expect(error.toStatus()).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('bumps generation on a spec change, not on a metadata change, and keeps server-owned metadata', async () => {
    const { run } = await given();
    const created = (await run({ type: 'create', object: deployment('web') })).object!;
    const scaled = (await run({ type: 'update', object: { ...created, spec: { ...created.spec, replicas: 3 } } })).object!;
    expect(scaled.metadata).toMatchObject({ generation: 2, uid: created.metadata.uid, creationTimestamp: created.metadata.creationTimestamp, resourceVersion: '3' });
    const labelled = (await run({ type: 'update', object: { ...scaled, metadata: { ...scaled.metadata, labels: { app: 'web', tier: 'front' }, uid: undefined, creationTimestamp: '1999-01-01T00:00:00Z' } } })).object!;
    expect(labelled.metadata).toMatchObject({ generation: 2, uid: created.metadata.uid, creationTimestamp: created.metadata.creationTimestamp, labels: { tier: 'front' } });
  });

  it('a no-op update appends nothing and returns the object', async () => {
    const { run, store } = await given();
    const created = (await run({ type: 'create', object: configMap('cfg', { a: '1' }) })).object!;
    const head = await store.head();
    const result = await run({ type: 'update', object: structuredClone(created) });
    expect(result.events).toEqual([]);
    expect(result.object).toEqual(created);
    expect(await store.head()).toBe(head);
  });

  it('the main resource ignores status; the status subresource ignores everything else', async () => {
    const { run } = await given();
    const created = (await run({ type: 'create', object: deployment('web') })).object!;
    const main = (await run({ type: 'update', object: { ...created, status: { replicas: 5 } } }));
    expect(main.events).toEqual([]);
    const status = await run({ type: 'update', subresource: 'status', object: { ...created, spec: { ...created.spec, replicas: 9 }, status: { replicas: 5 } } });
    expect(status.events.map((e) => e.type)).toEqual(['ObjectStatusReplaced']);
    expect(status.object).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 5 }, metadata: { generation: 1, resourceVersion: '3' } });
  });

  it('a status update checks the metadata it carries (a Deployment keeps its annotations) and not the spec it ignores', async () => {
    const { run, rejects } = await given();
    const created = (await run({ type: 'create', object: deployment('web') })).object!;
    const badAnnotation = await rejects({ type: 'update', subresource: 'status', object: { ...created, metadata: { ...created.metadata, annotations: { 'bad key!': 'x' } }, status: { replicas: 1 } } });
    expect(badAnnotation.code).toBe(422);
    expect(badAnnotation.message).toContain('metadata.annotations');
    const invalidSpecIgnored = await run({ type: 'update', subresource: 'status', object: { ...created, spec: { ...created.spec, replicas: -3 }, status: { replicas: 1 } } });
    expect(invalidSpecIgnored.object).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 1 } });
  });

  it('rejects changes to immutable fields and missing objects', async () => {
    const { run, rejects } = await given();
    const created = (await run({ type: 'create', object: deployment('web') })).object!;
    const immutable = await rejects({ type: 'update', object: { ...created, spec: { ...created.spec, selector: { matchLabels: { app: 'other' } } } } });
    expect(immutable.code).toBe(422);
    expect(immutable.message).toContain('spec.selector: Invalid value');
    const missing = await rejects({ type: 'update', object: deployment('nope') });
    expect(missing.toStatus()).toMatchObject({ code: 404, message: 'deployments.apps "nope" not found' });
  });

  it('a Node update that only cordons becomes NodeUnschedulableChanged', async () => {
    const { run } = await given({ type: 'record', event: { type: 'NodeRegistered', data: { node: node('n1') } } });
    const current = (await run({ type: 'record', event: { type: 'NodeHeartbeat', data: { nodes: ['n1'] } } })).object!;
    const result = await run({ type: 'update', object: { ...current, spec: { ...current.spec, unschedulable: true } } });
    expect(result.events.map((e) => e.type)).toEqual(['NodeUnschedulableChanged']);
    expect(result.object!.spec.unschedulable).toBe(true);
  });

  it('removing the last finalizer of an object being deleted removes it', async () => {
    const { run, get } = await given();
    await run({ type: 'create', object: configMap('cfg', {}, { finalizers: ['example.com/hold'] }) });
    const marked = (await run({ type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'cfg' } })).object!;
    expect(marked.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    const result = await run({ type: 'update', object: { ...marked, metadata: { ...marked.metadata, finalizers: [] } } });
    expect(result.events.map((e) => e.type)).toEqual(['ObjectReplaced', 'ObjectRemoved']);
    expect(get('ConfigMap', 'cfg', 'default')).toBeUndefined();
  });

  it('forbids adding finalizers to an object being deleted', async () => {
    const { run, rejects } = await given();
    await run({ type: 'create', object: configMap('cfg', {}, { finalizers: ['a'] }) });
    const marked = (await run({ type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'cfg' } })).object!;
    const error = await rejects({ type: 'update', object: { ...marked, metadata: { ...marked.metadata, finalizers: ['a', 'b'] } } });
    expect(error.message).toContain('no new finalizers can be added if the object is being deleted');
  });
});

describe('write path: delete', () => {
  const cfgRef = { kind: 'ConfigMap', namespace: 'default', name: 'cfg' };

  it('removes an object without finalizers at once', async () => {
    const { run, get, rejects } = await given({ type: 'create', object: configMap('cfg') });
    const result = await run({ type: 'delete', ref: cfgRef });
    expect(result.events.map((e) => e.type)).toEqual(['ObjectRemoved']);
    expect(result.object!.metadata.name).toBe('cfg');
    expect(get('ConfigMap', 'cfg', 'default')).toBeUndefined();
    expect((await rejects({ type: 'delete', ref: cfgRef })).message).toBe('configmaps "cfg" not found');
  });

  it('checks uid and resourceVersion preconditions', async () => {
    const { rejects } = await given({ type: 'create', object: configMap('cfg') });
    const uid = await rejects({ type: 'delete', ref: cfgRef, preconditions: { uid: 'other' } });
    expect(uid.code).toBe(409);
    expect(uid.message).toMatch(/^Operation cannot be fulfilled on configmaps "cfg": Precondition failed: UID in precondition: other, UID in object meta: /);
    const rv = await rejects({ type: 'delete', ref: cfgRef, preconditions: { resourceVersion: '1' } });
    expect(rv.message).toBe('Operation cannot be fulfilled on configmaps "cfg": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: 2');
  });

  it('Foreground and Orphan mark the object with their finalizer', async () => {
    const { run } = await given({ type: 'create', object: configMap('cfg') }, { type: 'create', object: configMap('other') });
    expect((await run({ type: 'delete', ref: cfgRef, propagationPolicy: 'Foreground' })).object!.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect((await run({ type: 'delete', ref: { ...cfgRef, name: 'other' }, propagationPolicy: 'Orphan' })).object!.metadata.finalizers).toEqual(['orphan']);
  });

  it('a bound pod terminates gracefully; deleting it again changes nothing; grace 0 removes it', async () => {
    const { run, get, tick } = await given({ type: 'create', object: pod('web') });
    await run({ type: 'record', event: { type: 'PodScheduled', data: { ref: podRef('web'), nodeName: 'n1', decision } } });
    tick(1000);
    const marked = await run({ type: 'delete', ref: podRef('web') });
    expect(marked.events.map((e) => e.type)).toEqual(['ObjectDeletionRequested']);
    expect(marked.object!.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T00:00:31Z', deletionGracePeriodSeconds: 30 });
    const again = await run({ type: 'delete', ref: podRef('web') });
    expect(again.events).toEqual([]);
    expect(again.object).toEqual(marked.object);
    const forced = await run({ type: 'delete', ref: podRef('web'), gracePeriodSeconds: 0 });
    expect(forced.events.map((e) => e.type)).toEqual(['ObjectRemoved']);
    expect(get('Pod', 'web', 'default')).toBeUndefined();
  });

  it('an unbound pod is removed at once', async () => {
    const { run } = await given({ type: 'create', object: pod('web') });
    expect((await run({ type: 'delete', ref: podRef('web') })).events.map((e) => e.type)).toEqual(['ObjectRemoved']);
  });

  it('a namespace goes to Terminating and is removed once its kubernetes finalizer is gone', async () => {
    const { run, get } = await given({ type: 'create', object: namespace('team') });
    const terminating = (await run({ type: 'delete', ref: { kind: 'Namespace', name: 'team' } })).object!;
    expect(terminating.status.phase).toBe('Terminating');
    expect((await run({ type: 'delete', ref: { kind: 'Namespace', name: 'team' } })).events).toEqual([]);
    await run({ type: 'update', object: { ...terminating, spec: { finalizers: [] } } });
    expect(get('Namespace', 'team')).toBeUndefined();
  });

  it('dry run appends nothing', async () => {
    const { run, get } = await given({ type: 'create', object: configMap('cfg') });
    expect((await run({ type: 'delete', ref: cfgRef, dryRun: true })).events).toEqual([]);
    expect(get('ConfigMap', 'cfg', 'default')).toBeDefined();
  });
});

describe('write path: record', () => {
  it('binds a pod once; binding it again is the binding subresource\'s conflict', async () => {
    const { run, rejects } = await given({ type: 'create', object: pod('web') });
    const bound = await run({ type: 'record', event: { type: 'PodScheduled', data: { ref: podRef('web'), nodeName: 'n1', decision } } });
    expect(bound.object!.spec.nodeName).toBe('n1');
    expect(bound.events[0]!.stream).toBe('Pod/default/web');
    const error = await rejects({ type: 'record', event: { type: 'PodScheduled', data: { ref: podRef('web'), nodeName: 'n2', decision } } });
    expect(error.toStatus()).toMatchObject({ code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "n1"' });
  });

  it('rejects facts about missing objects, or about an earlier incarnation', async () => {
    const { run, rejects } = await given();
    expect((await rejects({ type: 'record', event: { type: 'PodPhaseChanged', data: { ref: podRef('web'), phase: 'Running' } } })).message).toBe('pods "web" not found');
    const first = (await run({ type: 'create', object: pod('web') })).object!;
    await run({ type: 'delete', ref: podRef('web') });
    await run({ type: 'create', object: pod('web') });
    const stale = await rejects({ type: 'record', event: { type: 'PodPhaseChanged', data: { ref: podRef('web', first.metadata.uid), phase: 'Running' } } });
    expect(stale.code).toBe(409);
    expect((await rejects({ type: 'record', event: { type: 'NodeHeartbeat', data: { nodes: ['ghost'] } } })).message).toBe('nodes "ghost" not found');
  });

  it('rejects container facts for containers the pod does not have', async () => {
    const { rejects } = await given({ type: 'create', object: pod('web') });
    const error = await rejects({
      type: 'record',
      event: { type: 'ContainerStateChanged', data: { ref: podRef('web'), container: 'nope', state: { running: { startedAt: 'x' } }, ready: true, started: true, restartCount: 0 } },
    });
    expect(error.code).toBe(400);
  });

  it('registers a node with its Lease; a second registration is AlreadyExists', async () => {
    const { run, get, rejects } = await given();
    const result = await run({ type: 'record', actor: 'kubelet/n1', event: { type: 'NodeRegistered', data: { node: node('n1') } } });
    expect(result.object!.metadata).toMatchObject({ name: 'n1', resourceVersion: '2', generation: 1 });
    expect(get('Lease', 'n1', 'kube-node-lease')!.spec.holderIdentity).toBe('n1');
    expect((await rejects({ type: 'record', event: { type: 'NodeRegistered', data: { node: node('n1') } } })).code).toBe(409);
  });

  it('taints or cordoning the node already has append nothing (a controller on a stale view rewrites them)', async () => {
    const { run, store } = await given({ type: 'record', event: { type: 'NodeRegistered', data: { node: node('n1') } } });
    const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const, timeAdded: '2026-01-01T00:00:00Z' }];
    expect((await run({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'n1', taints } } })).events).toHaveLength(1);
    const head = await store.head();
    const again = await run({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'n1', taints: [{ ...taints[0]! }] } } });
    expect(again.events).toEqual([]);
    expect(again.object!.spec.taints).toEqual(taints);
    expect((await run({ type: 'record', event: { type: 'NodeUnschedulableChanged', data: { node: 'n1', unschedulable: false } } })).events).toEqual([]);
    expect(await store.head()).toBe(head);
    const later = [{ ...taints[0]!, timeAdded: '2026-01-01T00:01:00Z' }];
    expect((await run({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'n1', taints: later } } })).events).toHaveLength(1);
    expect((await run({ type: 'record', event: { type: 'NodeUnschedulableChanged', data: { node: 'n1', unschedulable: true } } })).events).toHaveLength(1);
    expect((await run({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'n1', taints: [] } } })).events).toHaveLength(1);
    expect((await run({ type: 'record', event: { type: 'NodeTaintsChanged', data: { node: 'n1', taints: [] } } })).events).toEqual([]);
  });

  it('refuses to move the clock backwards and to write object events directly', async () => {
    const { rejects } = await given();
    expect((await rejects({ type: 'record', event: { type: 'ClockAdvanced', data: { time: T0 - 1 } } })).code).toBe(400);
    expect((await rejects({ type: 'record', event: { type: 'ObjectRemoved', data: { ref: podRef('x') } } })).code).toBe(400);
  });
});

describe('write path: ordering', () => {
  it('appends and applies synchronously: commands fired together see each other, in call order', async () => {
    const { writePath, store } = await given();
    const first = writePath.execute({ type: 'create', actor: 'a', object: namespace('team') });
    const second = writePath.execute({ type: 'create', actor: 'b', object: pod('web', { namespace: 'team' }) });
    const third = writePath.execute({ type: 'create', actor: 'c', object: pod('web', { namespace: 'team' }) });
    expect(writePath.state.position).toBe(3);
    await first;
    await second;
    await expect(third).rejects.toMatchObject({ code: 409 });
    expect(store.events().map((e) => e.metadata.actor)).toEqual(['user:admin', 'a', 'b']);
  });

  it('answers only once the append is durable', async () => {
    const inner = createInMemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store: EventStore = {
      ...inner,
      appendNow(stream, events, options) {
        const pipelined = inner.appendNow(stream, events, options);
        return { events: pipelined.events, durable: gate.then(() => pipelined.durable) };
      },
    };
    const state = createClusterState();
    const writePath = createWritePath({ store, state, resourceTypeForKind: testResourceTypeForKind });
    let answered = false;
    const pending = writePath.execute({ type: 'create', actor: 'a', object: namespace('team') }).then(() => (answered = true));
    expect(state.position).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(answered).toBe(false);
    release();
    await pending;
    expect(answered).toBe(true);
  });

  it('with a remote store (no appendNow) queues commands and applies after each append', async () => {
    const inner = createInMemoryStore();
    const appends: string[] = [];
    const store: EventStore = {
      ...inner,
      appendNow: undefined,
      async append(stream, events, options): Promise<AppendResult> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        appends.push(stream);
        return inner.append(stream, events, options);
      },
    };
    const state = createClusterState();
    const writePath = createWritePath({ store, state, resourceTypeForKind: testResourceTypeForKind });
    const results = await Promise.allSettled([
      writePath.execute({ type: 'create', actor: 'a', object: namespace('team') }),
      writePath.execute({ type: 'create', actor: 'a', object: pod('web', { namespace: 'team' }) }),
      writePath.execute({ type: 'create', actor: 'a', object: pod('web', { namespace: 'team' }) }),
      writePath.execute({ type: 'create', actor: 'a', object: configMap('cfg') }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(appends).toEqual(['Namespace/team', 'Pod/team/web', 'ConfigMap/default/cfg']);
    expect(state.position).toBe(3);
  });

  it('events of consecutive commands with the same provenance share one metadata object, and others get their own', async () => {
    const { writePath, store, tick } = await given();
    const create = (name: string, causationId: number, actor = 'replicaset-controller') => writePath.execute({ type: 'create', actor, causationId, object: configMap(name) });
    await create('a', 1);
    await create('b', 1);
    await create('c', 2);
    await create('d', 2, 'other');
    tick(1000);
    await create('e', 2, 'other');
    const [a, b, c, d, e] = store.events().slice(-5).map((event) => event.metadata);
    expect(a).toBe(b);
    expect(b).toEqual({ actor: 'replicaset-controller', time: T0, causationId: 1 });
    expect([c, d, e].map((m) => m === b)).toEqual([false, false, false]);
    expect([c, d, e]).toEqual([
      { actor: 'replicaset-controller', time: T0, causationId: 2 },
      { actor: 'other', time: T0, causationId: 2 },
      { actor: 'other', time: T0 + 1000, causationId: 2 },
    ]);
  });

  it('the state the write path keeps equals a rebuild from its log', async () => {
    const { run, state, store, tick } = await given({ type: 'record', event: { type: 'NodeRegistered', data: { node: node('n1') } } });
    await run({ type: 'create', object: deployment('web') });
    await run({ type: 'create', object: pod('web-1', { labels: { app: 'web' } }) });
    tick(500);
    const facts: OrreryEvent[] = [
      { type: 'PodScheduled', data: { ref: podRef('web-1'), nodeName: 'n1', decision } },
      { type: 'PodPhaseChanged', data: { ref: podRef('web-1'), phase: 'Running', podIP: '10.244.0.2', hostIP: '10.0.0.2' } },
      { type: 'NodeHeartbeat', data: { nodes: ['n1'] } },
    ];
    for (const event of facts) await run({ type: 'record', event });
    await run({ type: 'delete', ref: podRef('web-1') });
    expect(rebuildState(store.events())).toEqual(state);
  });
});
