import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const rc = (replicas: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'legacy', namespace: 'default' },
  spec: { replicas, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
});

const rcOf = (c: SimulatedCluster): any => getObject(c.state, 'ReplicationController', 'default', 'legacy');
const owned = (c: SimulatedCluster) => listObjects(c.state, 'Pod', 'default').filter((p) => controllerOf(p)?.uid === rcOf(c).metadata.uid && !p.metadata.deletionTimestamp);

describe('ReplicationController controller (simulated cluster)', () => {
  it('keeps spec.replicas pods from the template (selector defaulted from its labels), scales both ways, adopts orphans', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 2 });
    await cluster.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }]);
    await cluster.apply([rc(3)]);
    await cluster.run(20_000);
    expect(owned(cluster).map((p) => p.metadata.name)).toContain('orphan');
    expect(owned(cluster)).toHaveLength(3);
    expect(rcOf(cluster).status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const scaled = structuredClone(rcOf(cluster));
    scaled.spec.replicas = 1;
    delete scaled.status;
    await cluster.act({ type: 'update', object: scaled });
    await cluster.run(20_000);
    expect(owned(cluster)).toHaveLength(1);
    expect(rcOf(cluster).status).toMatchObject({ replicas: 1, readyReplicas: 1, observedGeneration: 2 });
    const victim = owned(cluster)[0]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    await cluster.run(20_000);
    expect(owned(cluster)).toHaveLength(1);
    expect(owned(cluster)[0]!.metadata.name).toMatch(/^legacy-[a-z0-9]{5}$/);
  });

  it('replication-controllers-converge holds after the run and reports an RC whose controller is missing', async () => {
    const { replicationControllersConverge } = await import('../../../property-tests/invariants/replication-controllers-converge.ts');
    const { controllersWith } = await import('../../engine/default-controllers.ts');
    const { EMPTY } = await import('rxjs');
    const end = (c: SimulatedCluster) => replicationControllersConverge.start().atEnd!({ state: c.state, events: [], quietSince: c.state.time });
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([rc(2)]);
    await cluster.run(20_000);
    expect(end(cluster)).toBeUndefined();
    await cluster.close();
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1, controllers: controllersWith({ 'replicationcontroller-controller': { name: 'replicationcontroller-controller', reconcile: () => EMPTY } }) });
    await cluster.apply([rc(2)]);
    await cluster.run(20_000);
    expect(end(cluster)).toBe('ReplicationController default/legacy: 0 active pods, status.replicas undefined, spec.replicas 2');
  });
});
