import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { MetricError, rawResourceReplicas, resourceReplicas } from './replica-calculator.ts';

const pod = (name: string, options: { ready?: boolean; phase?: string; request?: string | null } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx', ...(options.request === null ? {} : { resources: { requests: { cpu: options.request ?? '100m' } } }) }] },
  status: { phase: options.phase ?? 'Running', conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
});

describe('resourceReplicas (GetResourceReplicas for a utilisation target)', () => {
  it('is ceil(ratio × ready pods) outside the tolerance and the current count inside it', () => {
    const pods = [pod('a'), pod('b')];
    expect(resourceReplicas(2, 50, 'cpu', pods, new Map([['a', 80], ['b', 70]]))).toEqual({ replicas: 3, utilization: 75, averageMilli: 75 });
    expect(resourceReplicas(2, 50, 'cpu', pods, new Map([['a', 54], ['b', 54]])).replicas).toBe(2);
    expect(resourceReplicas(2, 50, 'cpu', pods, new Map([['a', 10], ['b', 10]])).replicas).toBe(1);
  });

  it('on a scale-down, pods without a metric count as using their whole request', () => {
    // 20m + 20m alone is 20% (ratio 0.4); with the third pod at 100m it is 46%, inside the tolerance.
    const pods = [pod('a'), pod('b'), pod('c')];
    expect(resourceReplicas(3, 50, 'cpu', pods, new Map([['a', 20], ['b', 20]])).replicas).toBe(3);
  });

  it('on a scale-up, unready pods count as using nothing', () => {
    // Ready pods at 100% (ratio 2) would ask for 4 on their own; with the unready pod at 0: 66%, ceil(1.33 × 3) = 4.
    const pods = [pod('a'), pod('b'), pod('c', { ready: false })];
    expect(resourceReplicas(3, 50, 'cpu', pods, new Map([['a', 100], ['b', 100], ['c', 100]])).replicas).toBe(4);
    // …and when that flips the direction, the scale stays.
    expect(resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b', { ready: false }), pod('c', { ready: false })], new Map([['a', 60]])).replicas).toBe(3);
  });

  it('ignores pods being deleted or failed, and fails as Kubernetes words it', () => {
    const deleting = { ...pod('b'), metadata: { name: 'b', namespace: 'default', deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(resourceReplicas(2, 50, 'cpu', [pod('a'), deleting], new Map([['a', 100], ['b', 0]])).replicas).toBe(2);
    expect(() => resourceReplicas(1, 50, 'cpu', [pod('a')], new Map())).toThrow(new MetricError('unable to get metrics for resource cpu: no metrics returned from resource metrics API'));
    expect(() => resourceReplicas(1, 50, 'cpu', [pod('a', { request: null })], new Map([['a', 10]]))).toThrow('missing request for cpu in container app of Pod a');
    expect(() => resourceReplicas(1, 50, 'cpu', [pod('a', { phase: 'Pending' })], new Map([['a', 10]]))).toThrow('did not receive metrics for targeted pods (pods might be unready)');
  });
});

describe('rawResourceReplicas (GetRawResourceReplicas for an average-value target)', () => {
  it('is ceil(average ÷ target × ready pods), needs no requests, and counts a pod without a metric as using the target on a scale-down', () => {
    const noRequests = [pod('a', { request: null }), pod('b', { request: null })];
    // 300m and 100m: an average of 200m against 100m, ratio 2: ceil(2 × 2) = 4.
    expect(rawResourceReplicas(2, 100, 'cpu', noRequests, new Map([['a', 300], ['b', 100]]))).toEqual({ replicas: 4, utilization: 0, averageMilli: 200 });
    expect(rawResourceReplicas(2, 100, 'cpu', noRequests, new Map([['a', 105], ['b', 100]])).replicas).toBe(2);
    // 20m alone is a ratio of 0.2; with the pod without a metric at the target (100m), 60m: ceil(0.6 × 2) = 2, no change.
    expect(rawResourceReplicas(2, 100, 'cpu', noRequests, new Map([['a', 20]])).replicas).toBe(2);
    expect(rawResourceReplicas(3, 100, 'cpu', [...noRequests, pod('c', { request: null })], new Map([['a', 20], ['b', 20], ['c', 20]])).replicas).toBe(1);
  });

  it('reads memory like any resource, in milli-units, without the readiness rule cpu has', () => {
    const unready = [pod('a', { ready: false, request: null }), pod('b', { ready: false, request: null })];
    const mi = (n: number) => n * 1024 * 1024 * 1000;
    expect(rawResourceReplicas(2, mi(100), 'memory', unready, new Map([['a', mi(150)], ['b', mi(150)]])).replicas).toBe(3);
  });
});
