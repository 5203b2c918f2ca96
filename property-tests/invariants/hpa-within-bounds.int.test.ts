import { EMPTY } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { controllersWith } from '../../projections/engine/default-controllers.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { hpaWithinBounds } from './hpa-within-bounds.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const deployment = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', annotations: { 'sim.orrery.dev/cpu-load': '3000m' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
  },
});

const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
};

async function check(c: SimulatedCluster): Promise<string[]> {
  const checker = hpaWithinBounds.start();
  const problems: string[] = [];
  const events: StoredEvent[] = [];
  for await (const event of c.store.readAll(0)) {
    events.push(event);
    const problem = checker.onEvent!(event, c.state);
    if (problem) problems.push(problem);
  }
  const end = checker.atEnd!({ state: c.state, events, quietSince: 0 });
  if (end) problems.push(end);
  return problems;
}

describe('hpa-within-bounds invariant', () => {
  it('holds while the autoscaler drives a heavily loaded target to its maximum', async () => {
    cluster = await createSimulatedCluster({ seed: 11, nodes: 3 });
    await cluster.apply([deployment(1), hpa]);
    await cluster.run(120_000);
    expect(cluster.state.objects.get('Deployment')!.get('default/web')!.spec!.replicas).toBe(5);
    expect(await check(cluster)).toEqual([]);
  });

  it('reports a target the autoscaler never brought back inside its bounds', async () => {
    cluster = await createSimulatedCluster({ seed: 11, nodes: 3, controllers: controllersWith({ 'horizontal-pod-autoscaler': { name: 'horizontal-pod-autoscaler', reconcile: () => EMPTY } }) });
    await cluster.apply([deployment(1), hpa]);
    await cluster.run(120_000);
    expect(await check(cluster)).toEqual(['Deployment default/web ends with 1 replicas, outside [2, 5] of HorizontalPodAutoscaler default/web']);
  });
});
