import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { type KubectlHarness, eventually, startKubectlHarness } from '../../../api/server/testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/** The real kubectl (v1.32, see KUBECTL in the harness) creating and reading a HorizontalPodAutoscaler against a real server. */
let harness: KubectlHarness;

beforeAll(async () => {
  harness = await startKubectlHarness('hpa');
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);

const object = (kind: string, name: string): KubeObject | undefined => harness.server.cluster.state.objects.get(kind)?.get(`default/${name}`);


const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 200m}}}]
`;

describe('kubectl autoscale', () => {
  it('autoscale deployment creates an HPA that scales the Deployment from its load; get hpa shows TARGETS and REPLICAS', async () => {
    await writeFile(join(harness.dir, 'web.yaml'), deployment);
    await ok(['apply', '-f', join(harness.dir, 'web.yaml')]);
    await eventually(() => object('Deployment', 'web')?.status?.readyReplicas === 2);
    // 600m over two pods requesting 200m: 150% against a 50% target → 6 replicas, capped at max(2 × 2, 4) = 4 this sync.
    await ok(['annotate', 'deployment', 'web', 'sim.orrery.dev/cpu-load=600m']);
    const created = await ok(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=10']);
    expect(created.trim()).toBe('horizontalpodautoscaler.autoscaling/web autoscaled');
    const hpa = object('HorizontalPodAutoscaler', 'web')!;
    // kubectl sends autoscaling/v1 (targetCPUUtilizationPercentage); it is stored as v2.
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    });
    await eventually(() => object('Deployment', 'web')?.spec?.replicas === 4);
    const scaled = harness.server.cluster.state.objects.get('Deployment')!.get('default/web')!;
    expect(scaled.spec!.replicas).toBe(4);
    const table = await ok(['get', 'hpa', 'web']);
    expect(table).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n/);
    expect(table).toMatch(/^web\s+Deployment\/web\s+cpu: 150%\/50%\s+1\s+10\s+2\s+/m);
    const described = await ok(['describe', 'hpa', 'web']);
    expect(described).toMatch(/AbleToScale\s+True\s+SucceededRescale\s+the HPA controller was able to update the target scale to 4/);
    expect(described).toMatch(/ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);
    expect(described).toMatch(/Normal\s+SuccessfulRescale\s+.*horizontal-pod-autoscaler\s+New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
    const v1 = JSON.parse(await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json']));
    expect(v1.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 4, currentCPUUtilizationPercentage: 150 });
  });
});
