import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const deployment = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
});

const budget = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
});

const statusOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'PodDisruptionBudget', 'default', name)!.status;

describe('disruption controller (simulated cluster)', () => {
  it('computes disruptionsAllowed from minAvailable, a percentage, or maxUnavailable over the Deployment scale', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 2 });
    await cluster.apply([deployment(4), budget('min', { minAvailable: 3 }), budget('pct', { minAvailable: '50%' }), budget('max', { maxUnavailable: 1 })]);
    await cluster.run(30_000);
    expect(statusOf(cluster, 'min')).toMatchObject({ currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1, expectedPods: 4, observedGeneration: 1, disruptedPods: {} });
    expect(statusOf(cluster, 'pct')).toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 2, expectedPods: 4 });
    expect(statusOf(cluster, 'max')).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 1 });
    expect(statusOf(cluster, 'min').conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }]);
  });

  it('drops to zero while a pod is missing and recovers when it is replaced', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 2 });
    await cluster.apply([deployment(3), budget('max', { maxUnavailable: 1 })]);
    await cluster.run(30_000);
    expect(statusOf(cluster, 'max').disruptionsAllowed).toBe(1);
    const victim = listObjects(cluster.state, 'Pod', 'default')[0]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    expect(statusOf(cluster, 'max')).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(statusOf(cluster, 'max').conditions).toMatchObject([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }]);
    await cluster.run(30_000);
    expect(statusOf(cluster, 'max')).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
  });

  it('a budget made after a pod was last seen is resynced when that pod leaves it by a label change', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    const solo: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    await cluster.apply([solo]);
    await cluster.run(30_000);
    await cluster.apply([budget('min', { minAvailable: 1 })]);
    await cluster.run(5_000);
    expect(statusOf(cluster, 'min')).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 });
    const pod = getObject(cluster.state, 'Pod', 'default', 'solo')!;
    await cluster.act({ type: 'update', object: { ...pod, metadata: { ...pod.metadata, labels: { app: 'other' } } } });
    await cluster.run(5_000);
    expect(statusOf(cluster, 'min')).toMatchObject({ currentHealthy: 0, expectedPods: 0 });
  });

  it('a budget that covers no pods allows no disruptions', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 1 });
    await cluster.apply([budget('empty', { minAvailable: 0 })]);
    await cluster.run(5_000);
    expect(statusOf(cluster, 'empty')).toMatchObject({ expectedPods: 0, currentHealthy: 0, disruptionsAllowed: 0 });
  });
});

describe('budget-status-current invariant', () => {
  it('holds after a run and reports a budget whose status was left stale', async () => {
    const { budgetStatusCurrent } = await import('../../../property-tests/invariants/budget-status-current.ts');
    const { controllersWith } = await import('../../engine/default-controllers.ts');
    const { EMPTY } = await import('rxjs');
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([deployment(2), budget('one', { minAvailable: 1 })]);
    await cluster.run(30_000);
    expect(budgetStatusCurrent.start().atEnd!({ state: cluster.state, events: [], quietSince: cluster.state.time })).toBeUndefined();
    await cluster.close();
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2, controllers: controllersWith({ 'disruption-controller': { name: 'disruption-controller', reconcile: () => EMPTY } }) });
    await cluster.apply([deployment(2), budget('one', { minAvailable: 1 })]);
    await cluster.run(30_000);
    expect(budgetStatusCurrent.start().atEnd!({ state: cluster.state, events: [], quietSince: cluster.state.time })).toBe(
      'PodDisruptionBudget default/one: status.currentHealthy is undefined, its pods give 2',
    );
  });
});
