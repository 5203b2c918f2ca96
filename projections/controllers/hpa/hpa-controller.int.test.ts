import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer } from '../../../api/server/create-api-server.ts';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject } from '../../state/queries.ts';
import { CPU_LOAD_ANNOTATION, CPU_USAGE_ANNOTATION, MEMORY_USAGE_ANNOTATION } from '../../metrics/resource-usage.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const deployment = (replicas: number, cpuRequest: string | null = '200m'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', ...(cpuRequest ? { resources: { requests: { cpu: cpuRequest } } } : {}) }] },
    },
  },
});

const hpa = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...spec,
  },
});

/** Pods that select a node label no node has: they stay Pending. */
const unschedulable = (object: KubeObject): KubeObject => {
  object.spec!.template.spec.nodeSelector = { disk: 'none-such' };
  return object;
};

const replicasOf = (c: SimulatedCluster): number => getObject(c.state, 'Deployment', 'default', 'web')!.spec!.replicas;
const statusOf = (c: SimulatedCluster): any => getObject(c.state, 'HorizontalPodAutoscaler', 'default', 'web')!.status;
const condition = (c: SimulatedCluster, type: string): any => statusOf(c).conditions.find((x: any) => x.type === type);

async function eventsOf(c: SimulatedCluster): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

async function setLoad(c: SimulatedCluster, cpu: string): Promise<void> {
  const object = structuredClone(getObject(c.state, 'Deployment', 'default', 'web')!);
  delete object.metadata.resourceVersion;
  object.metadata.annotations = { ...object.metadata.annotations, [CPU_LOAD_ANNOTATION]: cpu };
  await c.act({ type: 'update', actor: 'fault-injector', object });
}

describe('horizontal pod autoscaler (simulated cluster)', () => {
  it('scales out to ceil(current × utilisation / target) under load, through the target spec.replicas', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 3 });
    // minReplicas 3: idle pods report 0m, so with a lower floor the first syncs would scale in.
    await cluster.apply([deployment(3), hpa({ minReplicas: 3 })]);
    await cluster.run(30_000);
    expect(replicasOf(cluster)).toBe(3);
    expect(statusOf(cluster).currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '0', averageUtilization: 0 } } }]);
    // 3 pods × 200m requested, total demand 450m: 75% utilisation against 50% → ceil(3 × 1.5) = 5.
    await setLoad(cluster, '450m');
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(5);
    const status = statusOf(cluster);
    expect(status).toMatchObject({ currentReplicas: 3, desiredReplicas: 5 });
    expect(status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '150m', averageUtilization: 75 } } }]);
    expect(status.lastScaleTime).toBeDefined();
    expect(condition(cluster, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 5' });
    expect(condition(cluster, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' });
    const scaling = (await eventsOf(cluster)).filter((e) => e.type === 'ObjectReplaced' && e.data.object.kind === 'Deployment' && e.metadata.actor === 'horizontal-pod-autoscaler');
    expect(scaling).toHaveLength(1);
    // Five ready pods share the 450m: 45% each, a ratio of 0.9, inside the tolerance, so the scale holds.
    await cluster.run(60_000);
    expect(replicasOf(cluster)).toBe(5);
    expect(statusOf(cluster)).toMatchObject({ currentReplicas: 5, desiredReplicas: 5 });
    expect(condition(cluster, 'AbleToScale').reason).toBe('ReadyForNewScale');
  });

  it('stays put within the 10% tolerance', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 2 });
    await cluster.apply([deployment(2), hpa({ minReplicas: 2 })]);
    await cluster.run(30_000);
    await setLoad(cluster, '218m'); // 54% of the requests: ratio 1.08
    await cluster.run(60_000);
    expect(replicasOf(cluster)).toBe(2);
    expect(statusOf(cluster).currentMetrics[0].resource.current.averageUtilization).toBe(54);
  });

  it('waits out the 5-minute downscale stabilisation window before scaling in', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 3 });
    await cluster.apply([deployment(4), hpa()]);
    await setLoad(cluster, '400m'); // 4 × 100m = 50%: on target
    await cluster.run(60_000);
    expect(replicasOf(cluster)).toBe(4);
    const dropAt = cluster.state.time;
    await setLoad(cluster, '100m'); // 12% → 1 replica wanted
    await cluster.run(240_000);
    expect(replicasOf(cluster)).toBe(4);
    expect(condition(cluster, 'AbleToScale')).toMatchObject({ reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    await cluster.run(90_000);
    expect(replicasOf(cluster)).toBe(1);
    const scaledIn = (await eventsOf(cluster)).find((e) => e.type === 'ObjectReplaced' && e.data.object.kind === 'Deployment' && e.data.object.spec.replicas === 1)!;
    expect(scaledIn.metadata.time - dropAt).toBeGreaterThanOrEqual(300_000);
  });

  it('limits a scale-up to max(2 × current, 4) per sync and to maxReplicas', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 4 });
    await cluster.apply([deployment(1), hpa({ maxReplicas: 7 })]);
    await cluster.run(30_000);
    await setLoad(cluster, '2000m'); // 1000% → 20 replicas wanted
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(4);
    expect(condition(cluster, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    await cluster.run(60_000);
    expect(replicasOf(cluster)).toBe(7);
    expect(condition(cluster, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('with spec.behavior, follows its scale-up policy and a zero scale-down window', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 4 });
    const behavior = {
      scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 0 },
    };
    await cluster.apply([deployment(2), hpa({ behavior })]);
    await cluster.run(30_000);
    await setLoad(cluster, '1200m'); // 300% → 12 wanted; at most one pod a minute
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(3);
    await cluster.run(30_000);
    expect(replicasOf(cluster)).toBe(3);
    await cluster.run(45_000);
    expect(replicasOf(cluster)).toBe(4);
    await setLoad(cluster, '10m');
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(1);
  });

  it('brings a target outside min/max back inside without metrics', async () => {
    cluster = await createSimulatedCluster({ seed: 6, nodes: 2 });
    await cluster.apply([deployment(5, null), hpa({ minReplicas: 1, maxReplicas: 3 })]);
    await cluster.run(20_000);
    expect(replicasOf(cluster)).toBe(3);
  });

  it('reports why it cannot compute a count: no metrics, missing requests, missing target', async () => {
    cluster = await createSimulatedCluster({ seed: 7, nodes: 2 });
    // Pods no node can take stay Pending, and only Running pods have metrics.
    await cluster.apply([unschedulable(deployment(2)), hpa()]);
    await cluster.run(30_000);
    expect(condition(cluster, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    expect(statusOf(cluster).currentMetrics).toEqual([{ type: '' }]);
    expect(replicasOf(cluster)).toBe(2);
    await cluster.close();

    cluster = await createSimulatedCluster({ seed: 7, nodes: 2 });
    await cluster.apply([deployment(1, null), hpa()]);
    await setLoad(cluster, '500m');
    await cluster.run(30_000);
    expect(condition(cluster, 'ScalingActive').message).toMatch(/^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod web-/);
    await cluster.close();

    cluster = await createSimulatedCluster({ seed: 7, nodes: 1 });
    await cluster.apply([hpa()]);
    await cluster.run(20_000);
    expect(condition(cluster, 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: deployments.apps "web" not found` });
  });

  it('scales on memory utilisation, from what the metrics API reports of the pods\' working set', async () => {
    cluster = await createSimulatedCluster({ seed: 10, nodes: 2 });
    const object = deployment(2);
    object.spec!.template.spec.containers[0].resources = { requests: { cpu: '100m', memory: '64Mi' } };
    object.spec!.template.metadata.annotations = { [MEMORY_USAGE_ANNOTATION]: '48Mi' };
    const memory = hpa({ minReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 50 } } }] });
    await cluster.apply([object, memory]);
    // The first sync with Running pods (15 s): 48Mi of 64Mi is 75% against 50%, ceil(2 × 1.5) = 3.
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(3);
    expect(statusOf(cluster).currentMetrics[0]).toEqual({ type: 'Resource', resource: { name: 'memory', current: { averageValue: String(48 * 1024 * 1024), averageUtilization: 75 } } });
    expect(condition(cluster, 'ScalingActive').message).toBe('the HPA was able to successfully calculate a replica count from memory resource utilization (percentage of request)');
    // Each pod's working set is its own 48Mi, so more pods do not lower it: the next sync asks for ceil(3 × 1.5) = 5.
    await cluster.run(15_000);
    expect(replicasOf(cluster)).toBe(5);
  });

  it('scales on an average-value target, which needs no requests', async () => {
    cluster = await createSimulatedCluster({ seed: 11, nodes: 3 });
    const averageValue = hpa({ minReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } } }] });
    await cluster.apply([deployment(3, null), averageValue]);
    await cluster.run(30_000);
    await setLoad(cluster, '450m'); // 150m a pod against 100m: ceil(3 × 1.5) = 5
    await cluster.run(16_000);
    expect(replicasOf(cluster)).toBe(5);
    expect(statusOf(cluster).currentMetrics[0]).toEqual({ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '150m' } } });
    expect(condition(cluster, 'ScalingActive').message).toBe('the HPA was able to successfully calculate a replica count from cpu resource');
  });

  it('reads a pod-level cpu-usage annotation', async () => {
    cluster = await createSimulatedCluster({ seed: 8, nodes: 2 });
    const object = deployment(1);
    object.spec!.template.metadata.annotations = { [CPU_USAGE_ANNOTATION]: '300m' };
    await cluster.apply([object, hpa({ maxReplicas: 2 })]);
    await cluster.run(30_000);
    expect(replicasOf(cluster)).toBe(2);
    expect(statusOf(cluster).currentMetrics[0].resource.current.averageUtilization).toBe(150);
  });

  it('projects SuccessfulRescale and the failure Warnings as core/v1 Events, once per failure', async () => {
    cluster = await createSimulatedCluster({ seed: 9, nodes: 2 });
    await cluster.apply([unschedulable(deployment(2)), hpa({ minReplicas: 2 })]);
    await cluster.run(45_000);
    // The pods become schedulable (a rollout) and busy: 300m on two pods of 200m is 75%.
    const schedulable = structuredClone(getObject(cluster.state, 'Deployment', 'default', 'web')!);
    delete schedulable.metadata.resourceVersion;
    delete schedulable.spec!.template.spec.nodeSelector;
    await cluster.act({ type: 'update', actor: 'user:test', object: schedulable });
    await setLoad(cluster, '300m');
    await cluster.run(40_000);
    const app = createApiServer({ cluster });
    await app.ready();
    try {
      const items = (await app.inject('/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DHorizontalPodAutoscaler')).json().items as any[];
      expect(items.map((e) => `${e.type} ${e.reason} ${e.source.component}: ${e.message}`)).toEqual([
        'Warning FailedGetResourceMetric horizontal-pod-autoscaler: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
        'Normal SuccessfulRescale horizontal-pod-autoscaler: New size: 3; reason: cpu resource utilization (percentage of request) above target',
      ]);
    } finally {
      await app.close();
    }
  });
});
