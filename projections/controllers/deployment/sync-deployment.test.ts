import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import { applyEvent, createClusterState } from '../../state/reducer.ts';
import { syncDeployment } from './sync-deployment.ts';

const T0 = Date.UTC(2026, 0, 1);
const meta = { actor: 'deployment-controller', causationId: 1 };

function stateWith(objects: KubeObject[]): ClusterState {
  const state = createClusterState();
  let position = 0;
  const event = (e: object) => ({ ...e, metadata: { actor: 'test', time: T0 }, stream: 's', streamRevision: 0, position: ++position }) as StoredEvent;
  applyEvent(state, event({ type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' } }));
  for (const object of objects) applyEvent(state, event({ type: 'ObjectCreated', data: { object } }));
  return state;
}

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:v1' }] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
};

const creates = (commands: Command[]) => commands.filter((c): c is Extract<Command, { type: 'create' }> => c.type === 'create');
const statusWrite = (commands: Command[]) => commands.find((c): c is Extract<Command, { type: 'update' }> => c.type === 'update' && c.subresource === 'status');

describe('syncDeployment', () => {
  it('creates the first ReplicaSet at full size and writes revision and status through the status subresource', () => {
    const { commands } = syncDeployment('default/web', { state: stateWith([deployment]), now: T0, meta });
    const [create] = creates(commands);
    const rs = create!.object;
    const hash = rs.metadata.labels!['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.replicas).toBe(4);
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
    // No main-resource update of the Deployment: that would bump its generation.
    expect(commands.filter((c) => c.type === 'update' && !c.subresource)).toEqual([]);
    const status = statusWrite(commands)!;
    expect(status.object.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(status.object.status.conditions).toEqual([
      { type: 'Progressing', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` },
      { type: 'Available', status: 'False', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    ]);
    expect(status.object.status.observedGeneration).toBe(1);
  });

  it('is idempotent: a second sync over the resulting state changes nothing', () => {
    const first = syncDeployment('default/web', { state: stateWith([deployment]), now: T0, meta });
    const rs = { ...creates(first.commands)[0]!.object, metadata: { ...creates(first.commands)[0]!.object.metadata, uid: 'rs-uid', creationTimestamp: '2026-01-01T00:00:00Z' } };
    const withStatus = { ...deployment, metadata: { ...deployment.metadata, annotations: statusWrite(first.commands)!.object.metadata.annotations }, status: statusWrite(first.commands)!.object.status };
    const second = syncDeployment('default/web', { state: stateWith([withStatus, rs]), now: T0 + 1000, meta });
    expect(second.commands).toEqual([]);
  });

  it('asks to be woken when the progress deadline would pass', () => {
    const result = syncDeployment('default/web', { state: stateWith([deployment]), now: T0, meta });
    expect(result.wakeAt).toBe(T0 + 600_000 + 1);
  });

  it('does nothing for a Deployment selecting everything but record the generation it saw', () => {
    const everything = { ...deployment, spec: { ...deployment.spec, selector: {} } };
    const { commands } = syncDeployment('default/web', { state: stateWith([everything]), now: T0, meta });
    expect(creates(commands)).toEqual([]);
    expect(statusWrite(commands)!.object.status).toEqual({ observedGeneration: 1 });
  });

  it('adopts an orphan ReplicaSet its selector matches, releases an owned one it no longer matches, and leaves the rest alone', () => {
    const rs = (name: string, labels: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}, namespace = 'default'): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace, uid: `${name}-uid`, labels, ...extra },
      spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'web:v0' }] } } },
    });
    const ownerRef = (name: string, uid: string) => [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true, blockOwnerDeletion: true }];
    const state = stateWith([
      deployment,
      rs('web-orphan', { app: 'web', tier: 'x' }),
      rs('web-elsewhere', { app: 'web' }, {}, 'other'),
      rs('web-other-owner', { app: 'web' }, { ownerReferences: ownerRef('api', 'api-uid') }),
      rs('web-relabelled', { app: 'old' }, { ownerReferences: ownerRef('web', 'd-uid') }),
      rs('unrelated', { app: 'db' }),
    ]);
    const { commands } = syncDeployment('default/web', { state, now: T0, meta });
    const updates = commands.filter((c): c is Extract<Command, { type: 'update' }> => c.type === 'update' && !c.subresource && c.object.kind === 'ReplicaSet');
    expect(updates.map((c) => c.object.metadata.name)).toEqual(['web-orphan', 'web-relabelled']);
    expect(updates[0]!.object.metadata.ownerReferences).toEqual(ownerRef('web', 'd-uid'));
    expect(updates[1]!.object.metadata.ownerReferences).toBeUndefined();
  });

  it("plans on copies: the state's Deployment and ReplicaSets are never changed in place, whatever the sync writes", () => {
    const ownerRef = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }];
    const replicaSet = (name: string, image: string, replicas: number, annotations: Record<string, string>): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: 'default', uid: `${name}-uid`, labels: { app: 'web', 'pod-template-hash': name }, annotations, ownerReferences: ownerRef, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': name } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'app', image }] } } },
      status: { replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
    });
    const deepFreeze = (value: unknown): void => {
      if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
      Object.freeze(value);
      for (const child of Object.values(value)) deepFreeze(child);
    };
    const cases: Array<{ replicas: number; minReadySeconds?: number; objects: KubeObject[] }> = [
      // A rollout under way: the new ReplicaSet (revision annotation behind, no desired-replicas) grows, the old one shrinks.
      { replicas: 4, objects: [replicaSet('web-old', 'web:v0', 4, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4' }), replicaSet('web-new', 'web:v1', 1, {})] },
      // A scaling event: the only ReplicaSet was sized for 2 replicas.
      { replicas: 4, objects: [replicaSet('web-new', 'web:v1', 2, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' })] },
      // The new ReplicaSet's annotations in line, only its minReadySeconds behind the Deployment's.
      { replicas: 4, minReadySeconds: 5, objects: [replicaSet('web-new', 'web:v1', 4, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' })] },
    ];
    for (const { replicas, minReadySeconds, objects } of cases) {
      const state = stateWith([{ ...deployment, spec: { ...deployment.spec, replicas, ...(minReadySeconds ? { minReadySeconds } : {}) } }, ...objects]);
      for (const kind of ['Deployment', 'ReplicaSet']) for (const object of state.objects.get(kind)!.values()) deepFreeze(object);
      const { commands } = syncDeployment('default/web', { state, now: T0, meta });
      expect(commands.filter((c) => c.type === 'update' && !c.subresource).length).toBeGreaterThan(0);
    }
  });
});
