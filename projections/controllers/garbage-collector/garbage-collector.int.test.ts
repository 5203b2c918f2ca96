import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { createKubeletController } from '../kubelet/kubelet-controller.ts';
import { createGarbageCollectorController } from './garbage-collector-controller.ts';
import { createNamespaceController } from './namespace-controller.ts';

async function cluster() {
  return createSimulatedCluster({ nodes: 1, controllers: [createKubeletController(), createGarbageCollectorController(), createNamespaceController()] });
}

type Cluster = Awaited<ReturnType<typeof cluster>>;

async function owner(sim: Cluster, kind = 'ReplicaSet', name = 'web', namespace = 'default'): Promise<KubeObject> {
  const [created] = await sim.apply([
    kind === 'ReplicaSet'
      ? {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name, namespace },
          spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
        }
      : { apiVersion: 'v1', kind, metadata: { name, namespace }, data: {} },
  ]);
  return created!;
}

function dependent(name: string, owners: KubeObject[], options: { node?: string; annotations?: Record<string, string>; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ownerReferences: owners.map((o, i) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid!, controller: i === 0, blockOwnerDeletion: true })),
    },
    spec: { ...(options.node ? { nodeName: options.node } : {}), containers: [{ name: 'app', image: 'nginx' }] },
  };
}

const podNames = (sim: Cluster, namespace = 'default') => listObjects(sim.state, 'Pod', namespace).map((p) => p.metadata.name);

describe('garbage collector', () => {
  it('Background: deletes the dependents of a deleted owner, keeping those another live owner still holds', async () => {
    const sim = await cluster();
    const rs = await owner(sim);
    const cm = await owner(sim, 'ConfigMap', 'shared');
    await sim.apply([dependent('a', [rs]), dependent('b', [rs]), dependent('shared', [rs, cm]), dependent('unrelated', [cm])]);
    await sim.act({ type: 'delete', ref: { kind: 'ReplicaSet', namespace: 'default', name: 'web' } });
    expect(getObject(sim.state, 'ReplicaSet', 'default', 'web')).toBeUndefined();
    expect(podNames(sim)).toEqual(['shared', 'unrelated']);
    expect(getObject(sim.state, 'Pod', 'default', 'shared')!.metadata.ownerReferences!.map((o) => o.name)).toEqual(['shared']);
    await sim.close();
  });

  it('Background cascades through generations', async () => {
    const sim = await cluster();
    const root = await owner(sim, 'ConfigMap', 'root');
    const [middle] = await sim.apply([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'middle', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'root', uid: root.metadata.uid! }] } }]);
    await sim.apply([dependent('leaf', [middle!])]);
    await sim.act({ type: 'delete', ref: { kind: 'ConfigMap', namespace: 'default', name: 'root' } });
    expect(getObject(sim.state, 'ConfigMap', 'default', 'middle')).toBeUndefined();
    expect(podNames(sim)).toEqual([]);
    await sim.close();
  });

  it('Foreground: the owner stays, marked, until its blocking dependents are gone', async () => {
    const sim = await cluster();
    const rs = await owner(sim);
    await sim.apply([dependent('a', [rs], { node: 'node-1', annotations: { 'sim.orrery.dev/shutdown-delay': '5s' } }), dependent('b', [rs])]);
    await sim.run(3_000);
    await sim.act({ type: 'delete', ref: { kind: 'ReplicaSet', namespace: 'default', name: 'web' }, propagationPolicy: 'Foreground' });
    const marked = getObject(sim.state, 'ReplicaSet', 'default', 'web')!;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(podNames(sim)).toEqual(['a']);
    expect(getObject(sim.state, 'Pod', 'default', 'a')!.metadata.deletionTimestamp).toBeDefined();
    await sim.run(4_000);
    expect(getObject(sim.state, 'ReplicaSet', 'default', 'web')).toBeDefined();
    await sim.run(2_000);
    expect(podNames(sim)).toEqual([]);
    expect(getObject(sim.state, 'ReplicaSet', 'default', 'web')).toBeUndefined();
    await sim.close();
  });

  it('Orphan: the dependents lose their owner reference and stay; the owner goes', async () => {
    const sim = await cluster();
    const rs = await owner(sim);
    await sim.apply([dependent('a', [rs]), dependent('b', [rs])]);
    await sim.act({ type: 'delete', ref: { kind: 'ReplicaSet', namespace: 'default', name: 'web' }, propagationPolicy: 'Orphan' });
    expect(getObject(sim.state, 'ReplicaSet', 'default', 'web')).toBeUndefined();
    expect(podNames(sim)).toEqual(['a', 'b']);
    expect(listObjects(sim.state, 'Pod', 'default').map((p) => p.metadata.ownerReferences)).toEqual([undefined, undefined]);
    await sim.close();
  });
});

describe('namespace controller', () => {
  it('deletes a Terminating namespace\'s contents and keeps it Terminating until they are gone', async () => {
    const sim = await cluster();
    await sim.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }]);
    await sim.apply([
      dependent('slow', [], { namespace: 'team', node: 'node-1', annotations: { 'sim.orrery.dev/shutdown-delay': '10s' } }),
      dependent('fast', [], { namespace: 'team', node: 'node-1' }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team' }, data: { a: '1' } },
    ]);
    await sim.apply([dependent('keep', [], { namespace: 'default' })]);
    await sim.run(3_000);
    await sim.act({ type: 'delete', ref: { kind: 'Namespace', name: 'team' } });
    await sim.run(1_000);
    const terminating = getObject(sim.state, 'Namespace', undefined, 'team')!;
    expect(terminating.status.phase).toBe('Terminating');
    expect(getObject(sim.state, 'ConfigMap', 'team', 'settings')).toBeUndefined();
    expect(podNames(sim, 'team')).toEqual(['slow']);
    const remaining = terminating.status.conditions.find((c: any) => c.type === 'NamespaceContentRemaining');
    expect(remaining).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain' });
    expect(remaining.message).toMatch(/^Some resources are remaining: pods has \d resource instances$/);
    await expect(sim.act({ type: 'create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'team' } } })).rejects.toThrow(/being terminated/);

    await sim.run(10_000);
    expect(podNames(sim, 'team')).toEqual([]);
    expect(getObject(sim.state, 'Namespace', undefined, 'team')).toBeUndefined();
    expect(podNames(sim, 'default')).toEqual(['keep']);
    await sim.close();
  });

  it('full stack: deleting a Deployment in foreground takes its ReplicaSet and pods first', async () => {
    const sim = await createSimulatedCluster({ nodes: 2 });
    await sim.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' }, annotations: { 'sim.orrery.dev/shutdown-delay': '5s' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
        },
      },
    ]);
    await sim.run(10_000);
    expect(listObjects(sim.state, 'Pod').length).toBe(3);
    await sim.act({ type: 'delete', ref: { kind: 'Deployment', namespace: 'default', name: 'web' }, propagationPolicy: 'Foreground' });
    await sim.run(2_000);
    expect(getObject(sim.state, 'Deployment', 'default', 'web')!.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(listObjects(sim.state, 'ReplicaSet').length).toBe(1);
    expect(listObjects(sim.state, 'Pod').every((p) => p.metadata.deletionTimestamp)).toBe(true);
    await sim.run(5_000);
    expect(listObjects(sim.state, 'Pod')).toEqual([]);
    expect(listObjects(sim.state, 'ReplicaSet')).toEqual([]);
    expect(getObject(sim.state, 'Deployment', 'default', 'web')).toBeUndefined();
    await sim.close();
  });

  it('full stack: deleting a Deployment in background removes it at once and its pods after', async () => {
    const sim = await createSimulatedCluster({ nodes: 2 });
    await sim.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
      },
    ]);
    await sim.run(10_000);
    await sim.act({ type: 'delete', ref: { kind: 'Deployment', namespace: 'default', name: 'web' } });
    expect(getObject(sim.state, 'Deployment', 'default', 'web')).toBeUndefined();
    expect(listObjects(sim.state, 'ReplicaSet')).toEqual([]);
    await sim.run(2_000);
    expect(listObjects(sim.state, 'Pod')).toEqual([]);
    await sim.close();
  });
});
