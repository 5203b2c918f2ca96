import { describe, expect, it } from 'vitest';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { getObject } from '../state/queries.ts';
import { createClusterState, rebuildState } from '../state/reducer.ts';
import { createWritePath } from './write-path.ts';

const T0 = Date.UTC(2026, 0, 1);

/** The write path over the real resource registry: the kinds' own defaulting and validation apply. */
describe('write path over the resource registry', () => {
  async function cluster() {
    const store = createInMemoryStore();
    const state = createClusterState();
    const writePath = createWritePath({ store, state });
    await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' } } });
    return { store, state, writePath };
  }

  it('stamps events with the state\'s virtual time by default', async () => {
    const { writePath } = await cluster();
    const result = await writePath.execute({ type: 'create', actor: 'user:admin', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
    expect(result.events[0]!.metadata.time).toBe(T0);
    expect(result.object!.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
  });

  it('a pod gets the kind\'s defaulting (qosClass) and a Pending status whatever the client sent', async () => {
    const { writePath } = await cluster();
    const { object } = await writePath.execute({
      type: 'create',
      actor: 'user:admin',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }] }, status: { phase: 'Running' } },
    });
    expect(object!.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('an invalid deployment is rejected with the registry\'s causes and nothing is appended', async () => {
    const { writePath, store } = await cluster();
    const error = await writePath
      .execute({ type: 'create', actor: 'user:admin', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'Web', namespace: 'default' }, spec: {} } })
      .catch((e: unknown) => e as { code: number; message: string });
    expect(error).toMatchObject({ code: 422 });
    expect((error as { message: string }).message).toMatch(/^Deployment\.apps "Web" is invalid: /);
    expect(await store.head()).toBe(1);
  });

  it('a node registered by its kubelet gets its Lease; the state equals a rebuild from the log', async () => {
    const { writePath, state, store } = await cluster();
    await writePath.execute({
      type: 'record',
      actor: 'kubelet/node-1',
      event: { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {}, status: { conditions: [] } } } },
    });
    expect(getObject(state, 'Lease', 'kube-node-lease', 'node-1')?.spec.holderIdentity).toBe('node-1');
    expect(rebuildState(store.events())).toEqual(state);
  });
});
