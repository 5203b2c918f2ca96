import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { listObjects } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const accounts = () => listObjects(cluster!.state, 'ServiceAccount').map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`);

describe('the ServiceAccount controller', () => {
  it('gives every namespace a default ServiceAccount, again when it is deleted, and none to a namespace being deleted', async () => {
    cluster = await createSimulatedCluster({ nodes: 1, seed: 2 });
    await cluster.run(1_000);
    expect(accounts()).toEqual(['default/default', 'kube-node-lease/default', 'kube-public/default', 'kube-system/default']);
    const created = listObjects(cluster.state, 'ServiceAccount', 'default')[0]!;

    await cluster.act({ type: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
    expect(accounts()).toContain('team/default');

    await cluster.act({ type: 'delete', ref: { kind: 'ServiceAccount', namespace: 'default', name: 'default' } });
    const again = listObjects(cluster.state, 'ServiceAccount', 'default')[0]!;
    expect(again.metadata.name).toBe('default');
    expect(again.metadata.uid).not.toBe(created.metadata.uid);

    await cluster.act({ type: 'delete', ref: { kind: 'Namespace', name: 'team' } });
    await cluster.run(60_000);
    expect(cluster.state.objects.get('Namespace')!.has('team')).toBe(false);
    expect(accounts()).not.toContain('team/default');
  });
});
