import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createStateHistory } from '../state-at.ts';
import { type ChangeBatch, createWatchHub } from './watch-hub.ts';
import { watchEventFor } from './watch-handler.ts';

const configMap = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels } });

let cluster: SimulatedCluster;
beforeEach(async () => {
  cluster = await createSimulatedCluster({ controllers: [], nodes: 1 });
});
afterEach(async () => {
  await cluster.close();
});

async function collect(hub: ReturnType<typeof createWatchHub>, from: number, until: number): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  const stop = await hub.follow(from, (batch) => batches.push(batch));
  await hub.reached(until);
  stop();
  return batches;
}

describe('watch hub', () => {
  it('delivers every change after a position exactly once, from the window or by replaying older history', async () => {
    const history = createStateHistory(cluster.store, () => cluster.state.position);
    const hub = createWatchHub(cluster.store, history, { retain: 3 });
    const start = cluster.state.position;
    for (let i = 0; i < 8; i++) await cluster.act({ type: 'create', object: configMap(`c${i}`) });
    await cluster.act({ type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'c0' } });
    const head = cluster.state.position;
    await hub.reached(head);

    // From before the retained window: rebuilt and replayed; from inside it: served from memory.
    for (const from of [start, head - 2]) {
      const batches = await collect(hub, from, head);
      expect(batches.map((b) => b.position)).toEqual(Array.from({ length: head - from }, (_, i) => from + 1 + i));
    }
    const all = (await collect(hub, start, head)).flatMap((b) => b.changes);
    expect(all.filter((c) => c.kind === 'ConfigMap' && !c.before).map((c) => c.key)).toEqual(Array.from({ length: 8 }, (_, i) => `default/c${i}`));
    const removal = all.find((c) => c.kind === 'ConfigMap' && !c.after)!;
    expect(removal.key).toBe('default/c0');
    expect(removal.before?.metadata.name).toBe('c0');
    hub.close();
  });

  it('calls a follower of one kind only for the batches that change that kind, replayed or live', async () => {
    const history = createStateHistory(cluster.store, () => cluster.state.position);
    const hub = createWatchHub(cluster.store, history, { retain: 2 });
    const start = cluster.state.position;
    const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' } });
    await cluster.act({ type: 'create', object: configMap('old') });
    for (let i = 0; i < 3; i++) await cluster.act({ type: 'create', object: secret(`s${i}`) });
    await hub.reached(cluster.state.position);
    const lastSecret = cluster.state.position;
    const configMaps: number[] = [];
    const secrets: number[] = [];
    const everything: number[] = [];
    // From before the window (rebuilt from the log), and from inside it.
    const stops = [await hub.follow(start, (b) => configMaps.push(b.position), 'ConfigMap'), await hub.follow(start, (b) => everything.push(b.position)), await hub.follow(cluster.state.position - 1, (b) => secrets.push(b.position), 'Secret')];
    const live = await cluster.act({ type: 'create', object: configMap('new') });
    const liveSecret = await cluster.act({ type: 'create', object: secret('s3') });
    await hub.reached(cluster.state.position);
    for (const stop of stops) stop();
    await cluster.act({ type: 'create', object: configMap('after-stop') });
    await hub.reached(cluster.state.position);
    const head = cluster.state.position;
    expect(configMaps).toEqual([start + 1, live.events[0]!.position]);
    expect(secrets).toEqual([lastSecret, liveSecret.events[0]!.position]);
    expect(everything).toEqual(Array.from({ length: head - 1 - start }, (_, i) => start + 1 + i));
    hub.close();
  });

  it('maps changes through a selector the way Kubernetes watches do', () => {
    const inside = configMap('x', { keep: 'yes' });
    const outside = configMap('x', { keep: 'no' });
    const filter = { labels: { requirements: [{ key: 'keep', operator: 'Equals' as const, values: ['yes'] }] } };
    expect(watchEventFor(undefined, inside, 5, filter)?.type).toBe('ADDED');
    expect(watchEventFor(outside, inside, 5, filter)?.type).toBe('ADDED');
    expect(watchEventFor(inside, inside, 5, filter)?.type).toBe('MODIFIED');
    expect(watchEventFor(inside, outside, 5, filter)).toMatchObject({ type: 'DELETED', object: outside });
    const removed = watchEventFor(inside, undefined, 9, filter)!;
    expect(removed.type).toBe('DELETED');
    expect(removed.object.metadata.resourceVersion).toBe('9');
    // Every watch sends the same DELETED object for one removal (so they share its serialised line).
    expect(watchEventFor(inside, undefined, 9, {})!.object).toBe(removed.object);
    expect(inside.metadata.resourceVersion).toBeUndefined();
    expect(watchEventFor(outside, undefined, 5, filter)).toBeUndefined();
  });
});
