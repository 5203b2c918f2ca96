import { describe, expect, it } from 'vitest';
import { resolveFenceposts, scaledValue } from './fenceposts.ts';
import { deploymentSpec, maxSurge, maxUnavailable } from './deployment-spec.ts';

describe('maxSurge / maxUnavailable resolution', () => {
  it('rounds surge up and unavailability down', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveFenceposts('10%', '10%', 3)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('takes plain integers as they are', () => {
    expect(resolveFenceposts(3, 2, 10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
  });

  it('makes unavailability 1 when both resolve to 0', () => {
    expect(resolveFenceposts('0%', '20%', 4)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(resolveFenceposts(0, 0, 10)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('rejects strings that are not percentages with Kubernetes wording', () => {
    expect(() => scaledValue('abc', 10, true)).toThrow('invalid value for IntOrString: invalid type: string is not a percentage');
  });

  it('applies apps/v1 defaults and the strategy rules', () => {
    const spec = deploymentSpec({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 10 } });
    expect(spec).toMatchObject({ strategy: 'RollingUpdate', revisionHistoryLimit: 10, progressDeadlineSeconds: 600, minReadySeconds: 0, paused: false });
    expect([maxSurge(spec), maxUnavailable(spec)]).toEqual([3, 2]);
    const recreate = deploymentSpec({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 10, strategy: { type: 'Recreate' } } });
    expect([maxSurge(recreate), maxUnavailable(recreate)]).toEqual([0, 0]);
    const none = deploymentSpec({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 0 } });
    expect(maxUnavailable(none)).toBe(0);
  });

  it('treats MaxInt32 progressDeadlineSeconds and revisionHistoryLimit as unset', () => {
    const spec = deploymentSpec({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { progressDeadlineSeconds: 2147483647, revisionHistoryLimit: 2147483647 } });
    expect(spec.progressDeadlineSeconds).toBeUndefined();
    expect(spec.revisionHistoryLimit).toBeUndefined();
  });
});
