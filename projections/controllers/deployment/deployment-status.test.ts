import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { type DeploymentCondition, REASONS, newCondition, setCondition } from './conditions.ts';
import { type DeploymentStatus, calculateStatus } from './deployment-status.ts';
import { type DeploymentSpec, deploymentSpec, maxUnavailable } from './deployment-spec.ts';
import { availableReplicas, readyReplicas, specReplicas, statusReplicas, sum } from './replica-sets.ts';

/** calculateStatus as first written (the whole status, then the zeros filtered out): the reference the one-pass version must match. */
function referenceStatus(allRSs: readonly KubeObject[], newRS: KubeObject | undefined, d: KubeObject, spec: DeploymentSpec, now: string): DeploymentStatus {
  const available = sum(allRSs, availableReplicas);
  const total = sum(allRSs, specReplicas);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(allRSs, statusReplicas),
    updatedReplicas: newRS ? statusReplicas(newRS) : 0,
    readyReplicas: sum(allRSs, readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  const previous = d.status as DeploymentStatus | undefined;
  if (previous?.conditions?.length) status.conditions = previous.conditions;
  if (previous?.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
  if (available >= spec.replicas - maxUnavailable(spec)) {
    setCondition(status, newCondition('Available', 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  const out: DeploymentStatus = {};
  for (const key of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (status[key]) out[key] = status[key];
  }
  if (status.conditions?.length) out.conditions = status.conditions;
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  return out;
}

const count = fc.option(fc.nat(6), { nil: undefined });
const replicaSet = fc.record({ replicas: count, statusReplicas: count, ready: count, available: count }).map(
  ({ replicas, statusReplicas: observed, ready, available }): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: replicas === undefined ? {} : { replicas },
    status: { replicas: observed, readyReplicas: ready, availableReplicas: available },
  }),
);
const condition = fc
  .record({
    type: fc.constantFrom('Available', 'Progressing', 'ReplicaFailure'),
    status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
    reason: fc.constantFrom(REASONS.minimumReplicasAvailable, REASONS.minimumReplicasUnavailable, REASONS.replicaSetUpdated),
  })
  .map(({ type, status, reason }): DeploymentCondition => newCondition(type, status, reason, 'earlier', '2024-01-01T00:00:00Z'));
const deployment = fc
  .record({
    generation: count,
    conditions: fc.option(fc.uniqueArray(condition, { maxLength: 3, selector: (c) => c.type }), { nil: undefined }),
    collisionCount: count,
    replicas: count,
    strategy: fc.constantFrom('RollingUpdate', 'Recreate'),
    maxSurge: fc.constantFrom(0, 1, '25%', '50%'),
    maxUnavailable: fc.constantFrom(0, 1, '25%', '100%'),
  })
  .map(
    ({ generation, conditions, collisionCount, replicas, strategy, maxSurge, maxUnavailable: unavailable }): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', ...(generation === undefined ? {} : { generation }) },
      spec: { replicas, strategy: { type: strategy, rollingUpdate: { maxSurge, maxUnavailable: unavailable } } },
      status: { ...(conditions ? { conditions } : {}), ...(collisionCount === undefined ? {} : { collisionCount }) },
    }),
  );

describe('calculateStatus', () => {
  it('gives the same status as the reference, field for field and in the same order', () => {
    fc.assert(
      fc.property(deployment, fc.array(replicaSet, { maxLength: 4 }), fc.nat(4), (d, allRSs, pick) => {
        const newRS = pick < allRSs.length ? allRSs[pick] : undefined;
        const spec = deploymentSpec(d);
        const now = '2024-01-02T00:00:00Z';
        expect(JSON.stringify(calculateStatus(allRSs, newRS, d, spec, now))).toBe(JSON.stringify(referenceStatus(allRSs, newRS, d, spec, now)));
      }),
      { seed: 43, numRuns: 500 },
    );
  });

  it('leaves out zero counts and keeps the previous conditions list when Available is unchanged', () => {
    const available = newCondition('Available', 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', '2024-01-01T00:00:00Z');
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation: 2 }, spec: { replicas: 0 }, status: { conditions: [available] } };
    const status = calculateStatus([], undefined, d, deploymentSpec(d), '2024-01-02T00:00:00Z');
    expect(status).toEqual({ observedGeneration: 2, conditions: [available] });
    expect(status.conditions).toBe(d.status.conditions);
  });
});
