import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { rebuildState } from '../../projections/state/reducer.ts';
import { encodeRecording } from '../service/recording-file.ts';
import { ReplayService } from '../service/replay-service.ts';
import { recordWebRollout } from '../service/test-recording.ts';
import { replayRoutes } from './replay-routes.ts';

let recorded: StoredEvent[];
beforeAll(async () => {
  recorded = await recordWebRollout();
});

async function appWithLiveLog() {
  const store = createInMemoryStore();
  for (const event of recorded) await store.append(event.stream, [{ type: event.type, data: event.data, metadata: event.metadata } as never]);
  const app = Fastify();
  await app.register(replayRoutes, { prefix: '/replay', service: new ReplayService({ liveStore: store, snapshotInterval: 32 }) });
  return { app, store };
}

describe('replay HTTP API', () => {
  it('opens the live log, moves the cursor and inspects state', async () => {
    const { app } = await appWithLiveLog();
    const opened = await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'live' } } });
    expect(opened.statusCode).toBe(201);
    const session = opened.json();
    expect(session).toMatchObject({ id: expect.any(String), source: { type: 'live' }, head: recorded.length, startTime: '2026-01-01T00:00:00Z' });
    expect(session.cursor.position).toBe(recorded.length);

    const seek = await app.inject({ method: 'POST', url: `/replay/sessions/${session.id}/seek`, payload: { position: 30 } });
    expect(seek.json()).toMatchObject({ position: 30, event: { position: 30, type: recorded[29]!.type } });
    const back = await app.inject({ method: 'POST', url: `/replay/sessions/${session.id}/step`, payload: { count: -5 } });
    expect(back.json().position).toBe(25);

    const state = (await app.inject({ url: `/replay/sessions/${session.id}/state` })).json();
    expect(state.position).toBe(25);
    expect(state.nodes.map((n: { name: string }) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(state.counts.Namespace).toBe(4);

    const pods = (await app.inject({ url: `/replay/sessions/${session.id}/objects/pods?namespace=default&at=${recorded.length}` })).json();
    expect(pods.items).toHaveLength(2);
    const pod = pods.items[0];
    const one = await app.inject({ url: `/replay/sessions/${session.id}/objects/pods/default/${pod.metadata.name}?at=${recorded.length}` });
    expect(one.json().metadata.uid).toBe(pod.metadata.uid);
    const node = await app.inject({ url: `/replay/sessions/${session.id}/objects/nodes/_/node-1` });
    expect(node.json().kind).toBe('Node');
    const missing = await app.inject({ url: `/replay/sessions/${session.id}/objects/pods/default/nope` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });

    const history = (await app.inject({ url: `/replay/sessions/${session.id}/history/pods/default/${pod.metadata.name}` })).json();
    expect(history.items[0].summary).toContain('created');
    const explain = (await app.inject({ url: `/replay/sessions/${session.id}/explain/pod/default/${pod.metadata.name}` })).json();
    expect(explain.chosen).toBe(pod.spec.nodeName);
    const chain = (await app.inject({ url: `/replay/sessions/${session.id}/explain/event/${history.items[0].position}` })).json();
    expect(chain.chain[0].position).toBe(history.items[0].position);
  });

  it('runs to breakpoints, pages events, diffs, and answers bad requests with a Status', async () => {
    const { app } = await appWithLiveLog();
    const { id } = (await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'live' } } })).json();
    await app.inject({ method: 'POST', url: `/replay/sessions/${id}/seek`, payload: { position: 0 } });
    const run = (await app.inject({ method: 'POST', url: `/replay/sessions/${id}/run`, payload: { direction: 'forward', breakpoint: { type: 'node-condition', condition: 'Ready', status: 'True' } } })).json();
    expect(run).toMatchObject({ hit: true, reason: expect.stringMatching(/^node node-\d Ready=True$/) });

    const page = (await app.inject({ url: `/replay/sessions/${id}/events?from=10&limit=5&actor=kubelet` })).json();
    expect(page.items).toHaveLength(5);
    expect(page.items.every((i: { actor: string; position: number }) => i.actor.startsWith('kubelet/') && i.position >= 10)).toBe(true);
    const event = (await app.inject({ url: `/replay/sessions/${id}/events/1` })).json();
    expect(event.event.type).toBe('ClusterInitialized');
    const density = (await app.inject({ url: `/replay/sessions/${id}/density?buckets=4` })).json();
    expect(density.buckets).toHaveLength(4);
    const markers = (await app.inject({ url: `/replay/sessions/${id}/markers` })).json();
    expect(markers.items.filter((m: { kind: string }) => m.kind === 'user')).toHaveLength(3);
    const diff = (await app.inject({ url: `/replay/sessions/${id}/diff?from=0&to=9` })).json();
    // Bootstrap: four namespaces, the `kubernetes` Service, then three nodes with their Leases.
    expect(diff.added.map((r: { kind: string }) => r.kind).sort()).toEqual(['Lease', 'Lease', 'Lease', 'Namespace', 'Namespace', 'Namespace', 'Namespace', 'Node', 'Node', 'Node', 'Service']);

    const bad = await app.inject({ method: 'POST', url: `/replay/sessions/${id}/run`, payload: { direction: 'forward', breakpoint: { type: 'object', kind: 'Pod', labelSelector: '!!' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().reason).toBe('BadRequest');
    expect((await app.inject({ url: '/replay/sessions/zzz' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'file', path: '/nonexistent' } } })).statusCode).toBe(400);
  });

  it('reports where the server invariants fail, checking in the background between requests', async () => {
    const app = Fastify();
    const moreThanTwoPods = { name: 'at-most-2-pods', start: () => ({ onEvent: (_event: StoredEvent, state: { objects: Map<string, Map<string, unknown>> }) => ((state.objects.get('Pod')?.size ?? 0) > 2 ? 'more than 2 pods' : undefined) }) };
    await app.register(replayRoutes, { prefix: '/replay', service: new ReplayService({ invariants: [moreThanTwoPods] }) });
    const imported = await app.inject({ method: 'POST', url: '/replay/import', headers: { 'content-type': 'application/octet-stream' }, payload: encodeRecording(recorded, 'test') });
    const { id } = imported.json();
    let answer = (await app.inject({ url: `/replay/sessions/${id}/invariant-failures` })).json();
    for (let polls = 0; !answer.complete && polls < 1000; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      answer = (await app.inject({ url: `/replay/sessions/${id}/invariant-failures` })).json();
    }
    expect(answer).toMatchObject({ complete: true, checkedThrough: recorded.length, head: recorded.length });
    expect(answer.total).toBeGreaterThan(0);
    const first = answer.items[0];
    expect(first).toMatchObject({ invariant: 'at-most-2-pods', message: 'more than 2 pods' });
    expect(rebuildState(recorded.slice(0, first.position)).objects.get('Pod')!.size).toBe(3);
    expect(rebuildState(recorded.slice(0, first.position - 1)).objects.get('Pod')!.size).toBe(2);
  });

  it('exports, imports, verifies, forks and compares', async () => {
    const { app } = await appWithLiveLog();
    const { id } = (await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'live' } } })).json();
    const exported = await app.inject({ url: `/replay/sessions/${id}/export` });
    expect(exported.headers['content-type']).toBe('application/octet-stream');
    const imported = await app.inject({ method: 'POST', url: '/replay/import', headers: { 'content-type': 'application/octet-stream' }, payload: exported.rawPayload });
    expect(imported.statusCode).toBe(201);
    expect(imported.json()).toMatchObject({ source: { type: 'import' }, head: recorded.length });
    const garbage = await app.inject({ method: 'POST', url: '/replay/import', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('nope') });
    expect(garbage.statusCode).toBe(400);

    const verify = (await app.inject({ method: 'POST', url: `/replay/sessions/${imported.json().id}/verify` })).json();
    expect(verify).toEqual({ reproduces: true, events: recorded.length });

    const scaleDown = recorded.filter((e) => e.metadata.actor === 'user:admin').at(-1)!;
    const fork = await app.inject({ method: 'POST', url: `/replay/sessions/${id}/forks`, payload: { at: scaleDown.position - 1, edits: [{ op: 'remove', position: scaleDown.position }], runFor: '30s' } });
    expect(fork.statusCode).toBe(201);
    const branch = fork.json();
    expect(branch.source).toEqual({ type: 'fork', parent: id, forkedAt: scaleDown.position - 1 });
    const compare = (await app.inject({ url: `/replay/sessions/${id}/compare/${branch.id}` })).json();
    // Without the scale-down the branch keeps a third pod.
    expect(compare.diff.added.filter((r: { kind: string }) => r.kind === 'Pod')).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: `/replay/sessions/${branch.id}` })).json()).toEqual({ deleted: true });
    expect((await app.inject({ url: '/replay/sessions' })).json().items).toHaveLength(2);
  });

  it('live sessions see events appended after they were opened', async () => {
    const { app, store } = await appWithLiveLog();
    const { id } = (await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'live' } } })).json();
    await store.append('cluster', [{ type: 'ClockAdvanced', data: { time: recorded.at(-1)!.metadata.time + 1000 }, metadata: { actor: 'clock', time: recorded.at(-1)!.metadata.time + 1000 } }]);
    expect((await app.inject({ url: `/replay/sessions/${id}` })).json().head).toBe(recorded.length + 1);
  });
});
