import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import { horizontalPodAutoscalerType } from './autoscaling.ts';

const v2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
    ],
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } }],
    conditions: [{ type: 'AbleToScale', status: 'True' }],
  },
};

describe('HorizontalPodAutoscaler v1 ⇄ v2', () => {
  it('shows the CPU target and utilization in v1 fields', () => {
    const v1 = horizontalPodAutoscalerType.convert!(v2, 'v1');
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: v2.spec.scaleTargetRef, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 60 });
    expect(v1.status).toEqual({ currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 75 });
    expect(JSON.parse(v1.metadata.annotations!['autoscaling.alpha.kubernetes.io/metrics']!)).toEqual([v2.spec.metrics[1]]);
  });

  it('round-trips v2 → v1 → v2 without losing metrics, conditions or annotations', () => {
    const back = horizontalPodAutoscalerType.convert!(horizontalPodAutoscalerType.convert!(v2, 'v1'), 'v2');
    expect(back.spec).toEqual(v2.spec);
    expect(back.status.conditions).toEqual(v2.status.conditions);
    expect(back.metadata).toEqual(v2.metadata);
  });

  it('turns a v1 CPU target into a v2 Resource metric', () => {
    const v1: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'default' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } };
    expect(horizontalPodAutoscalerType.convert!(v1, 'v2').spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    expect(horizontalPodAutoscalerType.convert!(v1, 'v1')).toBe(v1);
  });
});
