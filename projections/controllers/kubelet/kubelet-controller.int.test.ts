import { describe, expect, it } from 'vitest';
import type { ContainerStatusUpdate, StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { type InMemoryStore, createInMemoryStore } from '../../../core/store/in-memory-store.ts';
import { DEFAULT_START_TIME, createSimulatedCluster } from '../../engine/simulated-cluster.ts';
import { containerUpdatesOf } from '../../state/container-updates.ts';
import { getObject } from '../../state/queries.ts';
import { createNodeLifecycleController } from '../node-lifecycle/node-lifecycle-controller.ts';
import { createKubeletController } from './kubelet-controller.ts';

const T0 = DEFAULT_START_TIME;

function pod(name: string, node: string | undefined, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

async function cluster(nodes = 2) {
  const store: InMemoryStore = createInMemoryStore();
  const sim = await createSimulatedCluster({ store, nodes, controllers: [createKubeletController()] });
  const events = (filter: (e: StoredEvent) => boolean) => store.events().filter(filter);
  /** Every container state change written, separate or in a pod status update, with the event that carries it. */
  const containerChanges = (filter: (update: ContainerStatusUpdate, e: StoredEvent) => boolean = () => true) =>
    store.events().flatMap((event) => containerUpdatesOf(event).filter((update) => filter(update, event)).map((update) => ({ event, update })));
  return { sim, store, events, containerChanges };
}

describe('simulated kubelet', () => {
  it('posts Ready once per node and renews every node\'s lease every 10 s, all nodes in one heartbeat event', async () => {
    const { sim, events } = await cluster(3);
    await sim.run(60_000);
    const ready = events((e) => e.type === 'NodeConditionChanged' && e.data.condition.type === 'Ready');
    expect(ready.map((e) => [e.metadata.actor, (e as any).data.condition.reason])).toEqual([
      ['kubelet/node-1', 'KubeletReady'],
      ['kubelet/node-2', 'KubeletReady'],
      ['kubelet/node-3', 'KubeletReady'],
    ]);
    // Registering stands for the first beat; from then on every node beats in the one shared event.
    const beats = events((e) => e.type === 'NodeHeartbeat');
    expect(beats.map((e) => e.metadata.time - T0)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    const shared = beats;
    for (const beat of shared) {
      expect(beat.metadata.actor).toBe('kubelet');
      expect((beat as any).data.nodes).toEqual(['node-1', 'node-2', 'node-3']);
    }
    for (const node of ['node-1', 'node-2', 'node-3']) {
      const lease = getObject(sim.state, 'Lease', 'kube-node-lease', node)!;
      expect(Date.parse(lease.spec.renewTime)).toBe(T0 + 60_000);
      expect(sim.state.heartbeats.get(node)).toBe(T0 + 60_000);
    }
    await sim.close();
  });

  it('spreads nodes over heartbeatSlots phases, one event per phase', async () => {
    const store: InMemoryStore = createInMemoryStore();
    const sim = await createSimulatedCluster({ store, nodes: 6, controllers: [createKubeletController({ heartbeatSlots: 100 })] });
    await sim.run(30_000);
    const later = store.events().filter((e) => e.type === 'NodeHeartbeat' && e.metadata.time > T0 + 10_000);
    const phaseOf = new Map<string, number>();
    for (const beat of later) {
      for (const node of (beat as any).data.nodes as string[]) {
        const phase = (beat.metadata.time - T0) % 10_000;
        expect(phaseOf.get(node) ?? phase).toBe(phase);
        phaseOf.set(node, phase);
      }
    }
    expect(phaseOf.size).toBe(6);
    expect(new Set(phaseOf.values()).size).toBeGreaterThan(1);
    expect(new Set(later.map((e) => e.metadata.time)).size).toBe(later.length);
    await sim.close();
  });

  it('runs a bound pod: Pending, then Running after the startup delay with a pod IP from the node\'s CIDR and the node\'s IP', async () => {
    const { sim } = await cluster(2);
    await sim.apply([pod('web', 'node-2', { 'sim.orrery.dev/startup-delay': '5s' })]);
    await sim.run(4_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.phase).toBe('Pending');
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    await sim.run(2_000);
    const web = getObject(sim.state, 'Pod', 'default', 'web')!;
    const node = getObject(sim.state, 'Node', undefined, 'node-2')!;
    expect(web.status.phase).toBe('Running');
    expect(web.status.containerStatuses[0]).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0 });
    expect(web.status.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(web.status.hostIP).toBe(node.status.addresses.find((a: any) => a.type === 'InternalIP').address);
    expect(web.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await sim.close();
  });

  it('gives pods on one node distinct IPs', async () => {
    const { sim } = await cluster(1);
    await sim.apply([pod('a', 'node-1'), pod('b', 'node-1'), pod('c', 'node-1')]);
    await sim.run(5_000);
    const ips = ['a', 'b', 'c'].map((name) => getObject(sim.state, 'Pod', 'default', name)!.status.podIP);
    expect(new Set(ips).size).toBe(3);
    await sim.close();
  });

  it('writes a starting pod\'s status in two updates, accepted and running, each one event with its container changes', async () => {
    const { sim, events } = await cluster(1);
    await sim.apply([pod('web', 'node-1', { 'sim.orrery.dev/startup-delay': '2s' }, { containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'busybox' }] })]);
    await sim.run(5_000);
    const writes = events((e) => (e.type === 'PodPhaseChanged' || e.type === 'ContainerStateChanged') && e.data.ref.name === 'web');
    expect(writes.map((e) => [e.type, e.metadata.time - writes[0]!.metadata.time])).toEqual([
      ['PodPhaseChanged', 0],
      ['PodPhaseChanged', 2_000],
    ]);
    const [accepted, running] = writes.map((e) => (e as StoredEvent & { type: 'PodPhaseChanged' }).data);
    expect(accepted).toMatchObject({ phase: 'Pending', hostIP: expect.any(String) });
    expect(accepted!.podIP).toBeUndefined();
    expect(accepted!.containers).toEqual([
      { container: 'app', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 },
      { container: 'side', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 },
    ]);
    expect(running).toMatchObject({ phase: 'Running', podIP: expect.any(String), hostIP: accepted!.hostIP });
    const startedAt = new Date(writes[1]!.metadata.time).toISOString().replace('.000', '');
    expect(running!.containers).toEqual([
      { container: 'app', state: { running: { startedAt } }, ready: true, started: true, restartCount: 0, reason: 'Started' },
      { container: 'side', state: { running: { startedAt } }, ready: true, started: true, restartCount: 0, reason: 'Started' },
    ]);
    const web = getObject(sim.state, 'Pod', 'default', 'web')!;
    expect(web.status.phase).toBe('Running');
    expect(web.metadata.resourceVersion).toBe(String(writes[1]!.position));
    expect(web.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: startedAt });
    await sim.close();
  });

  it('writes a finished pod\'s terminal phase with its container\'s exit, and the old one event per change when asked', async () => {
    const run = async (mergeStatusWrites: boolean) => {
      const store: InMemoryStore = createInMemoryStore();
      const sim = await createSimulatedCluster({ store, nodes: 1, controllers: [createKubeletController({ mergeStatusWrites })] });
      await sim.apply([pod('job', 'node-1', { 'sim.orrery.dev/exit-after': '5s' }, { restartPolicy: 'Never' })]);
      await sim.run(10_000);
      const writes = store.events().filter((e) => e.type === 'PodPhaseChanged' || e.type === 'ContainerStateChanged');
      const status = getObject(sim.state, 'Pod', 'default', 'job')!.status;
      await sim.close();
      return { writes, status };
    };
    const merged = await run(true);
    expect(merged.writes.map((e) => (e.type === 'PodPhaseChanged' ? e.data.phase : e.type))).toEqual(['Pending', 'Running', 'Succeeded']);
    const finished = merged.writes[2] as StoredEvent & { type: 'PodPhaseChanged' };
    expect(finished.data.containers).toEqual([
      expect.objectContaining({ container: 'app', state: { terminated: expect.objectContaining({ exitCode: 0, reason: 'Completed' }) }, ready: false }),
    ]);
    const separate = await run(false);
    expect(separate.writes.map((e) => (e.type === 'PodPhaseChanged' ? e.data.phase : e.type))).toEqual([
      'ContainerStateChanged',
      'Pending',
      'Running',
      'ContainerStateChanged',
      'ContainerStateChanged',
      'Succeeded',
    ]);
    expect(separate.writes.some((e) => e.type === 'PodPhaseChanged' && e.data.containers)).toBe(false);
    expect(merged.status).toEqual(separate.status);
  });

  it('finishes a graceful deletion: stops the containers, then removes the pod', async () => {
    const { sim, events, containerChanges } = await cluster(1);
    await sim.apply([pod('web', 'node-1', { 'sim.orrery.dev/shutdown-delay': '3s' })]);
    await sim.run(5_000);
    await sim.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web' } });
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.metadata.deletionTimestamp).toBeDefined();
    await sim.run(2_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeDefined();
    await sim.run(2_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeUndefined();
    const stop = containerChanges((c) => !!c.state.terminated).at(-1)!;
    expect(stop.update.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const removed = events((e) => e.type === 'ObjectRemoved' && e.data.ref.name === 'web').at(-1)!;
    expect(removed.metadata.actor).toBe('kubelet/node-1');
    expect(removed.metadata.time - stop.event.metadata.time).toBe(0);
    // Kubernetes ≥ 1.27: the pod reaches a terminal phase before it leaves the API.
    const terminal = events((e) => e.type === 'PodPhaseChanged' && e.data.ref.name === 'web').at(-1)!;
    expect((terminal as any).data.phase).toBe('Succeeded');
    expect(terminal.position).toBeLessThan(removed.position);
    await sim.close();
  });

  it('does nothing for a stopped kubelet, and resyncs when it starts again', async () => {
    const { sim, events } = await cluster(2);
    await sim.apply([pod('web', 'node-1', { 'sim.orrery.dev/exit-after': '30s' })]);
    await sim.run(5_000);
    await sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-1', reason: 'crash' } } });
    const stoppedAt = sim.state.time;
    await sim.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web' } });
    await sim.run(120_000);
    expect(events((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes('node-1') && e.metadata.time > stoppedAt)).toEqual([]);
    expect(events((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes('node-2') && e.metadata.time > stoppedAt).length).toBe(12);
    const stuck = getObject(sim.state, 'Pod', 'default', 'web')!;
    expect(stuck.metadata.deletionTimestamp).toBeDefined();
    expect(stuck.status.phase).toBe('Running');
    expect(stuck.status.containerStatuses[0].state.running).toBeDefined();

    await sim.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStarted', data: { node: 'node-1' } } });
    await sim.run(1_000);
    expect(getObject(sim.state, 'Pod', 'default', 'web')).toBeUndefined();
    expect(events((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes('node-1') && e.metadata.time > stoppedAt).length).toBeGreaterThan(0);
    await sim.close();
  });

  it('leaves nodes annotated sim.orrery.dev/kubelet: none alone', async () => {
    const { sim, events } = await cluster(1);
    await sim.apply([
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'real-1', annotations: { 'sim.orrery.dev/kubelet': 'none' } } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'api-made' } },
    ]);
    await sim.apply([pod('web', 'real-1')]);
    await sim.run(30_000);
    expect(events((e) => (e.type === 'NodeHeartbeat' ? e.data.nodes.includes('real-1') : e.type === 'NodeConditionChanged' && e.data.node === 'real-1'))).toEqual([]);
    expect(events((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes('api-made')).length).toBeGreaterThan(0);
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.phase).toBe('Pending');
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.containerStatuses).toBeUndefined();
    await sim.close();
  });

  it('restarts a crash-looping pod on the back-off schedule', async () => {
    const { sim, containerChanges } = await cluster(1);
    await sim.apply([pod('crash', 'node-1', { 'sim.orrery.dev/exit-after': '0s', 'sim.orrery.dev/exit-code': '1' })]);
    await sim.run(20 * 60_000);
    const starts = containerChanges((c) => !!c.state.terminated).map(({ update }) => Date.parse(update.state.terminated!.startedAt!));
    expect(starts.slice(1, 9).map((t, i) => (t - starts[i]!) / 1000)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    const crash = getObject(sim.state, 'Pod', 'default', 'crash')!;
    expect(crash.status.phase).toBe('Running');
    await sim.close();
  });

  it('flips the pod\'s Ready condition with the readiness probe, and restarts on liveness failure', async () => {
    const { sim } = await cluster(1);
    await sim.apply([
      pod('web', 'node-1', { 'sim.orrery.dev/readiness-fail-after': '30s', 'sim.orrery.dev/liveness-fail-after': '2m' }, {
        containers: [{ name: 'app', image: 'nginx', readinessProbe: { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5, failureThreshold: 1 }, livenessProbe: { httpGet: { path: '/live', port: 80 }, periodSeconds: 10, failureThreshold: 3 } }],
      }),
    ]);
    const readyCondition = () => getObject(sim.state, 'Pod', 'default', 'web')!.status.conditions.find((c: any) => c.type === 'Ready');
    await sim.run(10_000);
    expect(readyCondition()).toMatchObject({ status: 'True' });
    await sim.run(30_000);
    expect(readyCondition()).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    expect(getObject(sim.state, 'Pod', 'default', 'web')!.status.phase).toBe('Running');
    await sim.run(110_000);
    const app = getObject(sim.state, 'Pod', 'default', 'web')!.status.containerStatuses[0];
    expect(app.restartCount).toBe(1);
    expect(app.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(app.state.running).toBeDefined();
    await sim.close();
  });

  it('reports each container of a multi-container pod, init containers and sidecars included', async () => {
    const { sim } = await cluster(1);
    await sim.apply([
      pod('multi', 'node-1', { 'sim.orrery.dev/setup.exit-after': '3s', 'sim.orrery.dev/worker.exit-after': '20s', 'sim.orrery.dev/worker.exit-code': '1' }, {
        initContainers: [
          { name: 'setup', image: 'busybox' },
          { name: 'proxy', image: 'envoy', restartPolicy: 'Always' },
        ],
        containers: [
          { name: 'app', image: 'nginx' },
          { name: 'worker', image: 'worker' },
        ],
      }),
    ]);
    await sim.run(2_000);
    let multi = getObject(sim.state, 'Pod', 'default', 'multi')!;
    expect(multi.status.phase).toBe('Pending');
    expect(multi.status.conditions.find((c: any) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
    await sim.run(10_000);
    multi = getObject(sim.state, 'Pod', 'default', 'multi')!;
    expect(multi.status.phase).toBe('Running');
    expect(multi.status.initContainerStatuses.map((c: any) => [c.name, Object.keys(c.state)[0]])).toEqual([
      ['setup', 'terminated'],
      ['proxy', 'running'],
    ]);
    expect(multi.status.containerStatuses.map((c: any) => [c.name, Object.keys(c.state)[0], c.ready])).toEqual([
      ['app', 'running', true],
      ['worker', 'running', true],
    ]);
    await sim.run(20_000);
    multi = getObject(sim.state, 'Pod', 'default', 'multi')!;
    const worker = multi.status.containerStatuses.find((c: any) => c.name === 'worker');
    expect(worker.restartCount).toBe(1);
    expect(worker.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    await sim.close();
  });

  it('carries on after a restart on the same log: live kubelets resume, stopped ones stay stopped', async () => {
    const controllers = () => [createKubeletController(), createNodeLifecycleController()];
    const first = createInMemoryStore();
    const before = await createSimulatedCluster({ store: first, nodes: 2, controllers: controllers() });
    await before.apply([pod('crash', 'node-1', { 'sim.orrery.dev/exit-after': '5s', 'sim.orrery.dev/exit-code': '1' }), pod('idle', 'node-2')]);
    await before.run(30_000);
    await before.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-2', reason: 'crash' } } });
    await before.run(60_000);
    const restartsBefore = getObject(before.state, 'Pod', 'default', 'crash')!.status.containerStatuses[0].restartCount;
    const log = [...first.events()];
    await before.close();

    const second = createInMemoryStore(log);
    const after = await createSimulatedCluster({ store: second, controllers: controllers() });
    const resumedAt = after.state.time;
    // Controllers resync on their first input; a resumed engine has none until something happens.
    await after.act({ type: 'record', actor: 'clock', event: { type: 'ClockAdvanced', data: { time: resumedAt } } });
    await after.run(120_000);
    const beats = (node: string) => second.events().filter((e) => e.type === 'NodeHeartbeat' && e.data.nodes.includes(node) && e.metadata.time > resumedAt).length;
    expect(beats('node-1')).toBeGreaterThanOrEqual(12);
    expect(beats('node-2')).toBe(0);
    expect(getObject(after.state, 'Pod', 'default', 'crash')!.status.containerStatuses[0].restartCount).toBeGreaterThan(restartsBefore);
    expect(getObject(after.state, 'Node', undefined, 'node-1')!.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await after.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStarted', data: { node: 'node-2' } } });
    await after.run(1_000);
    expect(getObject(after.state, 'Node', undefined, 'node-2')!.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await after.close();
  });

  it('applies annotation changes to running containers at once, and restarts a container whose image changed', async () => {
    const { sim, containerChanges } = await cluster(1);
    await sim.apply([pod('web', 'node-1', {}, { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] })]);
    await sim.run(60_000);
    let web = getObject(sim.state, 'Pod', 'default', 'web')!;
    await sim.act({ type: 'update', object: { ...web, metadata: { ...web.metadata, annotations: { 'sim.orrery.dev/side.exit-after': '30s', 'sim.orrery.dev/side.exit-code': '3' } } } });
    await sim.run(1_000);
    const side = getObject(sim.state, 'Pod', 'default', 'web')!.status.containerStatuses.find((c: any) => c.name === 'side');
    expect(side.restartCount).toBe(1);
    expect(side.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });

    web = getObject(sim.state, 'Pod', 'default', 'web')!;
    const containers = web.spec.containers.map((c: any) => (c.name === 'app' ? { ...c, image: 'nginx:1.26' } : c));
    await sim.act({ type: 'update', object: { ...web, spec: { ...web.spec, containers } } });
    await sim.run(1_000);
    const app = getObject(sim.state, 'Pod', 'default', 'web')!.status.containerStatuses.find((c: any) => c.name === 'app');
    expect(app).toMatchObject({ restartCount: 1, image: 'docker.io/library/nginx:1.26', ready: true });
    expect(app.state.running).toBeDefined();
    expect(containerChanges((c) => c.container === 'app' && c.reason === 'Killing').length).toBe(1);
    await sim.close();
  });
});
