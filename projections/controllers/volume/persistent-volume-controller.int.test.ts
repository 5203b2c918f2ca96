import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const pv = (name: string, storage: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, storageClassName: 'manual', ...extra },
});

const pvc = (name: string, storage: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...spec },
});

const standard = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path',
  ...extra,
});

const claim = (c: SimulatedCluster, name: string): any => getObject(c.state, 'PersistentVolumeClaim', 'default', name);
const volume = (c: SimulatedCluster, name: string): any => getObject(c.state, 'PersistentVolume', undefined, name);

describe('PersistentVolume controller (simulated cluster)', () => {
  it('binds a claim to the smallest matching volume; the others stay Available', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 1 });
    await cluster.apply([pv('big', '10Gi'), pv('small', '2Gi'), pv('tiny', '500Mi'), pvc('data', '1Gi', { storageClassName: 'manual' })]);
    await cluster.run(1_000);
    expect(claim(cluster, 'data').spec.volumeName).toBe('small');
    expect(claim(cluster, 'data').status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } });
    expect(claim(cluster, 'data').metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(volume(cluster, 'small').spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: claim(cluster, 'data').metadata.uid });
    expect(volume(cluster, 'small').status.phase).toBe('Bound');
    expect(volume(cluster, 'big').status.phase).toBe('Available');
    expect(volume(cluster, 'tiny').status.phase).toBe('Available');
  });

  it('a claim without a class gets the default StorageClass at admission and a provisioned volume; deleting it deletes the volume', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([standard(), pvc('cache', '5Gi')]);
    await cluster.run(1_000);
    const c = claim(cluster, 'cache');
    expect(c.spec.storageClassName).toBe('standard');
    expect(c.spec.volumeName).toBe(`pvc-${c.metadata.uid}`);
    expect(c.status.phase).toBe('Bound');
    const v = volume(cluster, c.spec.volumeName);
    expect(v.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe('rancher.io/local-path');
    expect(v.spec).toMatchObject({ capacity: { storage: '5Gi' }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard' });
    await cluster.act({ type: 'delete', ref: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'cache' } });
    await cluster.run(1_000);
    expect(volume(cluster, v.metadata.name)).toBeUndefined();
  });

  it('WaitForFirstConsumer provisions only once a pod using the claim is scheduled; Retain volumes are Released', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 1 });
    await cluster.apply([standard({ volumeBindingMode: 'WaitForFirstConsumer' }), pvc('late', '1Gi'), pv('kept', '1Gi'), pvc('mine', '1Gi', { storageClassName: 'manual' })]);
    await cluster.run(5_000);
    expect(claim(cluster, 'late').status.phase).toBe('Pending');
    await cluster.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late' } }] } }]);
    await cluster.run(5_000);
    expect(claim(cluster, 'late').status.phase).toBe('Bound');
    expect(volume(cluster, 'kept').status.phase).toBe('Bound');
    await cluster.act({ type: 'delete', ref: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'mine' } });
    await cluster.run(1_000);
    expect(volume(cluster, 'kept').status.phase).toBe('Released');
  });
});

describe('volume-bound-once invariant', () => {
  it('holds when two claims compete for one volume, and reports a hand-made double binding', async () => {
    const { volumeBoundOnce } = await import('../../../property-tests/invariants/volume-bound-once.ts');
    const { applyEvent, createClusterState } = await import('../../state/reducer.ts');
    const check = async (c: SimulatedCluster) => {
      const checker = volumeBoundOnce.start();
      const state = createClusterState();
      const found: string[] = [];
      for await (const event of c.store.readAll(0)) {
        applyEvent(state, event);
        const violation = checker.onEvent!(event, state);
        if (violation) found.push(violation);
      }
      return found;
    };
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([pv('only', '1Gi'), pvc('a', '1Gi', { storageClassName: 'manual' }), pvc('b', '1Gi', { storageClassName: 'manual' })]);
    await cluster.run(2_000);
    expect([claim(cluster, 'a').status.phase, claim(cluster, 'b').status.phase].sort()).toEqual(['Bound', 'Pending']);
    expect(await check(cluster)).toEqual([]);
    await cluster.close();
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1, controllers: [] });
    await cluster.apply([pvc('a', '1Gi', { storageClassName: 'manual', volumeName: 'only' }), pvc('b', '1Gi', { storageClassName: 'manual', volumeName: 'only' })]);
    expect(await check(cluster)).toEqual(['PersistentVolume only is bound to both default/a and default/b']);
  });
});
