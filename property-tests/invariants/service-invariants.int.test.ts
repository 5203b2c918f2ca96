import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { type Controller } from '../../projections/engine/controller.ts';
import { controllersWith } from '../../projections/engine/default-controllers.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { createClusterState, applyEvent } from '../../projections/state/reducer.ts';
import { EMPTY } from 'rxjs';
import { endpointsFollowPods } from './endpoints-follow-pods.ts';
import type { Invariant } from './invariant.ts';
import { serviceAllocationsUnique } from './service-allocations-unique.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const manifests: KubeObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } },
];

/** Replays the run's log through a fresh state, feeding each invariant as the checker does. */
async function check(c: SimulatedCluster, invariant: Invariant): Promise<string[]> {
  const checker = invariant.start();
  const state = createClusterState();
  const events: StoredEvent[] = [];
  const violations: string[] = [];
  for await (const event of c.store.readAll(0)) {
    events.push(event);
    applyEvent(state, event);
    const violation = checker.onEvent?.(event, state);
    if (violation) violations.push(violation);
  }
  const end = checker.atEnd?.({ state, events, quietSince: state.time });
  if (end) violations.push(end);
  return violations;
}

const inert = (name: string): Controller => ({ name, reconcile: () => EMPTY });

describe('Service invariants', () => {
  it('hold on a run of the built-in controllers', async () => {
    cluster = await createSimulatedCluster({ seed: 9, nodes: 2 });
    await cluster.apply(manifests);
    await cluster.run(60_000);
    expect(await check(cluster, serviceAllocationsUnique)).toEqual([]);
    expect(await check(cluster, endpointsFollowPods)).toEqual([]);
  });

  it('endpoints-follow-pods catches a cluster whose Endpoints controller does nothing', async () => {
    cluster = await createSimulatedCluster({ seed: 9, nodes: 2, controllers: controllersWith({ 'endpoint-controller': inert('endpoint-controller') }) });
    await cluster.apply(manifests);
    await cluster.run(60_000);
    const violations = await check(cluster, endpointsFollowPods);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/^Service default\/web: ready pods at \[10\.244\.\d+\.\d+, .*\] but Endpoints list \[\]$/);
  });

  it('service-allocations-unique catches a ClusterIP handed out twice', () => {
    const checker = serviceAllocationsUnique.start();
    const state = createClusterState();
    const svc = (name: string, uid: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid }, spec: { clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] } });
    let position = 0;
    const created = (object: KubeObject): StoredEvent =>
      ({ type: 'ObjectCreated', data: { object }, position: ++position, stream: `Service/default/${object.metadata.name}`, streamRevision: 0, metadata: { actor: 'test', time: 0 } }) as unknown as StoredEvent;
    const first = created(svc('a', 'u1'));
    applyEvent(state, first);
    expect(checker.onEvent!(first, state)).toBeUndefined();
    const second = created(svc('b', 'u2'));
    applyEvent(state, second);
    expect(checker.onEvent!(second, state)).toBe('Service default/b got ClusterIP 10.96.0.10, already held by default/a');
  });
});
