import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { applyEvent, createClusterState } from '../../state/reducer.ts';
import { EXPECTATIONS_TIMEOUT_MS, createExpectations } from './expectations.ts';
import { syncReplicaSet } from './sync-replicaset.ts';

const T0 = Date.UTC(2026, 0, 1);
const meta = { actor: 'replicaset-controller', causationId: 1 };

/** A state holding exactly these objects, built through the reducer as the log would build it. */
function stateWith(objects: KubeObject[], time = T0): ClusterState {
  const state = createClusterState();
  let position = 0;
  const event = (e: object) => ({ ...e, metadata: { actor: 'test', time }, stream: 's', streamRevision: 0, position: ++position }) as StoredEvent;
  applyEvent(state, event({ type: 'ClusterInitialized', data: { seed: 42, startTime: time, mode: 'simulation' } }));
  for (const object of objects) applyEvent(state, event({ type: 'ObjectCreated', data: { object } }));
  return state;
}

const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 1 },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
};

const creates = (commands: { type: string }[]) => commands.filter((c) => c.type === 'create');

describe('syncReplicaSet expectations', () => {
  it('does not create again while its creates are not yet visible', () => {
    const state = stateWith([rs]);
    const expectations = createExpectations();
    const first = syncReplicaSet('default/web', { state, now: T0, position: 2, meta, expectations });
    expect(creates(first.commands)).toHaveLength(3);
    const second = syncReplicaSet('default/web', { state, now: T0 + 1000, position: 3, meta, expectations });
    expect(creates(second.commands)).toHaveLength(0);
  });

  it('creates again once the pending creates expire (a rejected create cannot block it for ever)', () => {
    const state = stateWith([rs]);
    const expectations = createExpectations();
    syncReplicaSet('default/web', { state, now: T0, position: 2, meta, expectations });
    const later = syncReplicaSet('default/web', { state, now: T0 + EXPECTATIONS_TIMEOUT_MS + 1, position: 3, meta, expectations });
    expect(creates(later.commands)).toHaveLength(3);
  });

  it('draws deterministic, distinct pod names from the seed and the position', () => {
    const names = (position: number) =>
      creates(syncReplicaSet('default/web', { state: stateWith([rs]), now: T0, position, meta, expectations: createExpectations() }).commands).map(
        (c) => (c as unknown as { object: KubeObject }).object.metadata.name,
      );
    expect(names(2)).toEqual(names(2));
    expect(new Set(names(2)).size).toBe(3);
    expect(names(3)).not.toEqual(names(2));
  });

  it('deletes no pod twice while its deletion is in flight', () => {
    const pods = ['a', 'b', 'c', 'd'].map<KubeObject>((n) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${n}`, namespace: 'default', uid: `pod-${n}`, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    }));
    const state = stateWith([{ ...rs, spec: { ...rs.spec, replicas: 2 } }, ...pods]);
    const expectations = createExpectations();
    const first = syncReplicaSet('default/web', { state, now: T0, position: 9, meta, expectations });
    expect(first.commands.filter((c) => c.type === 'delete')).toHaveLength(2);
    const second = syncReplicaSet('default/web', { state, now: T0, position: 10, meta, expectations });
    expect(second.commands.filter((c) => c.type === 'delete')).toHaveLength(0);
  });
});
