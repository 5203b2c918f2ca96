import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { rebuildState } from '../../projections/state/reducer.ts';
import { getObject } from '../../projections/state/queries.ts';
import { writeRecordingFile } from './recording-file.ts';
import { ReplayService } from './replay-service.ts';
import { recordWebRollout } from './test-recording.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';

let recorded: StoredEvent[];
beforeAll(async () => {
  recorded = await recordWebRollout();
});

function open(options: ConstructorParameters<typeof ReplayService>[0] = {}) {
  const service = new ReplayService({ snapshotInterval: 16, ...options });
  return { service, session: service.openEvents(recorded, { type: 'events' }) };
}

describe('replay session', () => {
  it('states at every position equal a replay of the log up to it, however the cursor got there', () => {
    const { session } = open();
    const order = [recorded.length, 5, 100, 99, 17, 16, 15, recorded.length - 1, 0, 64, 63];
    for (const position of order) {
      session.seek({ position });
      const expected = rebuildState(recorded.slice(0, position));
      expect(session.stateAt().position).toBe(position);
      expect([...session.stateAt().objects].map(([k, m]) => [k, [...m]])).toEqual([...expected.objects].map(([k, m]) => [k, [...m]]));
    }
  });

  it('steps by events and back, and seeks by virtual time', () => {
    const { session } = open();
    session.seek({ position: 50 });
    expect(session.step(3).position).toBe(53);
    expect(session.step(-10).position).toBe(43);
    expect(session.step(-1000).position).toBe(0);
    const t = recorded[59]!.metadata.time;
    const cursor = session.seek({ time: new Date(t).toISOString() });
    expect(recorded[cursor.position - 1]!.metadata.time).toBe(t);
    expect(recorded[cursor.position]?.metadata.time ?? Infinity).toBeGreaterThan(t);
  });

  it('a reconcile step covers an event and everything it caused', () => {
    const { session } = open();
    const userCreate = recorded.find((e) => e.metadata.actor === 'user:admin')!;
    session.seek({ position: userCreate.position - 1 });
    const cursor = session.step(1, 'reconcile');
    const caused = new Set([userCreate.position]);
    for (const e of recorded) if (e.metadata.causationId !== undefined && caused.has(e.metadata.causationId)) caused.add(e.position);
    expect(cursor.position).toBe(Math.max(...caused));
    expect(session.step(-1, 'reconcile').position).toBe(userCreate.position - 1);
  });

  it('runs to breakpoints forward and back', () => {
    const { session } = open();
    session.seek({ position: 0 });
    const scheduled = session.run('forward', { type: 'event-type', eventType: 'PodScheduled' });
    expect(scheduled.hit).toBe(true);
    expect(recorded[scheduled.cursor.position - 1]!.type).toBe('PodScheduled');
    expect(recorded.slice(0, scheduled.cursor.position - 1).some((e) => e.type === 'PodScheduled')).toBe(false);

    const running = session.run('forward', { type: 'pod-phase', phase: 'Running' });
    expect(running.reason).toMatch(/is Running$/);

    session.seek({ position: recorded.length });
    const lastDeletion = session.run('back', { type: 'object', kind: 'Pod', labelSelector: 'app=web' });
    expect(lastDeletion.hit).toBe(true);
    const last = [...recorded].reverse().find((e) => e.stream.startsWith('Pod/default/web-'))!;
    expect(lastDeletion.cursor.position).toBe(last.position);

    session.seek({ position: 0 });
    expect(session.run('forward', { type: 'object', kind: 'Pod', labelSelector: 'app=nothing' }).hit).toBe(false);
    expect(session.position).toBe(recorded.length);
    expect(() => session.run('forward', { type: 'invariant', invariant: 'nope' })).toThrow(/unknown invariant/);
  });

  it('runs to the first event an injected invariant rejects', () => {
    const { session } = open({
      invariants: [{ name: 'at-most-3-pods', start: () => ({ onEvent: (_e, state) => ((state.objects.get('Pod')?.size ?? 0) > 3 ? 'more than 3 pods' : undefined) }) }],
    });
    session.seek({ position: 0 });
    const result = session.run('forward', { type: 'invariant', invariant: 'at-most-3-pods' });
    expect(result.hit).toBe(true);
    expect(rebuildState(recorded.slice(0, result.cursor.position)).objects.get('Pod')!.size).toBe(4);
    expect(rebuildState(recorded.slice(0, result.cursor.position - 1)).objects.get('Pod')!.size).toBe(3);
  });

  it('diffs two positions field by field and lists an object history', () => {
    const { session } = open();
    const rollout = recorded.filter((e) => e.metadata.actor === 'user:admin')[1]!;
    const diff = session.diff(rollout.position - 1, rollout.position);
    expect(diff.added).toEqual([]);
    const deploymentChange = diff.changed.find((c) => c.ref.kind === 'Deployment')!;
    expect(deploymentChange.fields).toContainEqual({ path: 'spec.template.spec.containers[0].image', before: 'nginx:1', after: 'nginx:2' });
    const wide = session.diff(0, recorded.length);
    expect(wide.added.filter((ref) => ref.kind === 'Pod')).toHaveLength(2);
    const history = session.history('deployments', 'default', 'web');
    expect(history[0]!.summary).toBe('deployment default/web created (image nginx:1)');
    expect(history.every((h) => h.stream === 'Deployment/default/web')).toBe(true);
    expect(history.length).toBe(recorded.filter((e) => e.stream === 'Deployment/default/web').length);
  });

  it('explains an event back to the user action and a pod by its scheduling table', () => {
    const { session } = open();
    const removal = recorded.find((e) => e.type === 'ObjectRemoved' && e.stream.startsWith('Pod/'))!;
    const { chain } = session.explainEvent(removal.position);
    expect(chain[0]!.position).toBe(removal.position);
    expect(chain.at(-1)!.kind).toMatch(/user|clock/);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.position).toBe(chain[i - 1]!.causationId);
    const pod = session.objects('pods', 'default')[0]!;
    const explanation = session.explainPod('default', pod.metadata.name!);
    expect(explanation.chosen).toBe(pod.spec.nodeName);
    expect(explanation.nodes).toHaveLength(3);
    expect(explanation.plugins).toContain('NodeResourcesFit');
  });

  it('pages events with filters', () => {
    const { session } = open();
    const page = session.events({ from: 1, limit: 10 });
    expect(page.items.map((i) => i.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page.next).toBe(11);
    const scheduled = session.events({ type: 'PodScheduled', limit: 2 });
    expect(scheduled.total).toBe(recorded.filter((e) => e.type === 'PodScheduled').length);
    expect(scheduled.items).toHaveLength(2);
    const byKubelet = session.events({ actor: 'kubelet', limit: 1000 });
    expect(byKubelet.items.every((i) => i.kind === 'kubelet')).toBe(true);
    const density = session.density(10);
    expect(density.buckets.reduce((n, b) => n + b.events, 0)).toBe(recorded.length);
    expect(session.markers().items.filter((m) => m.kind === 'user')).toHaveLength(3);
  });

  it('finds container state changes in the pod status updates that carry them, by breakpoint and by filter', () => {
    const { session } = open();
    const carried = recorded.filter((e) => e.type === 'PodPhaseChanged' && e.data.containers?.length);
    expect(carried.length).toBeGreaterThan(0);
    const changes = recorded.filter((e) => e.type === 'ContainerStateChanged' || (e.type === 'PodPhaseChanged' && e.data.containers?.length));
    expect(session.events({ type: 'ContainerStateChanged', limit: 10_000 }).items.map((i) => i.position)).toEqual(changes.map((e) => e.position));
    session.seek({ position: 0 });
    const first = session.run('forward', { type: 'event-type', eventType: 'ContainerStateChanged' });
    expect(first.cursor.position).toBe(changes[0]!.position);
    const running = carried.find((e) => e.type === 'PodPhaseChanged' && e.data.phase === 'Running')!;
    const summary = session.events({ from: running.position, limit: 1 }).items[0]!.summary;
    expect(summary).toMatch(/^pod default\/web-[a-z0-9-]+ Running; container web running, ready$/);
    expect(session.events({ type: 'PodPhaseChanged', limit: 10_000 }).total).toBe(recorded.filter((e) => e.type === 'PodPhaseChanged').length);
  });

  it('exports and imports a recording, and verifies it reproduces', async () => {
    const { service, session } = open();
    const copy = service.import(service.export(session));
    expect(copy.timeline.allEvents()).toEqual(recorded);
    const file = join(mkdtempSync(join(tmpdir(), 'orrery-rec-')), 'web.orrec');
    writeRecordingFile(file, recorded);
    const fromFile = await service.openPath(file);
    expect(fromFile.head).toBe(recorded.length);
    expect(await service.verify(fromFile)).toEqual({ reproduces: true, events: recorded.length });
    const tampered = service.openEvents(
      recorded.map((e) => (e.type === 'PodScheduled' && e.position === recorded.find((x) => x.type === 'PodScheduled')!.position ? { ...e, data: { ...e.data, nodeName: 'elsewhere' } } : e)) as StoredEvent[],
      { type: 'events' },
    );
    const verdict = await service.verify(tampered);
    expect(verdict.reproduces).toBe(false);
    if (!verdict.reproduces) expect(verdict.recorded!.summary).toContain('elsewhere');
  });

  it('forks with an edited input and compares with the original at matching times', async () => {
    const { service, session } = open();
    const scaleDown = recorded.filter((e) => e.metadata.actor === 'user:admin').at(-1)!;
    const object = (scaleDown.data as { object: any }).object;
    const branch = await service.fork(session, {
      at: scaleDown.position - 1,
      edits: [{ op: 'replace', position: scaleDown.position, event: { type: 'ObjectReplaced', data: { object: { ...object, spec: { ...object.spec, replicas: 4 } } } } }],
      runFor: '1m',
    });
    expect(branch.source).toMatchObject({ type: 'fork', parent: session.id, forkedAt: scaleDown.position - 1 });
    expect(getObject(branch.stateAt(branch.head), 'Deployment', 'default', 'web')!.spec.replicas).toBe(4);
    const comparison = service.compare(session, branch);
    expect(comparison.diff.added.filter((r) => r.kind === 'Pod')).toHaveLength(2);
    await expect(service.fork(session, { at: 10, edits: [{ op: 'remove', position: 30 }] })).rejects.toThrow(/derived by the controllers/);
  });
});

describe('replay session over custom resources', () => {
  it('resolves the kinds a recording\'s CustomResourceDefinitions serve, by plural, short name or Kind', async () => {
    const cluster = await createSimulatedCluster({ nodes: 1, seed: 3 });
    await cluster.apply([
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'crontabs.stable.example.com' },
        spec: {
          group: 'stable.example.com',
          scope: 'Namespaced',
          names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      },
    ]);
    await cluster.apply([{ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'nightly', namespace: 'default' }, spec: { cronSpec: '0 1 * * *' } }]);
    const events: StoredEvent[] = [];
    for await (const event of cluster.store.readAll(0)) events.push(event);
    await cluster.close();
    const session = new ReplayService().openEvents(events, { type: 'events' });
    expect(session.objects('ct', 'default').map((o) => o.metadata.name)).toEqual(['nightly']);
    expect(session.object('crontab', 'default', 'nightly').spec).toEqual({ cronSpec: '0 1 * * *' });
    expect(session.history('CronTab', 'default', 'nightly').map((e) => e.type)).toEqual(['ObjectCreated']);
    expect(session.events({ kind: 'crontabs' }).total).toBe(1);
    expect(() => session.objects('tabs')).toThrow('the server doesn\'t have a resource type "tabs"');
  });
});
