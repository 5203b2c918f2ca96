import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { isPodReady, podReadySince, readyCondition } from './pod-availability.ts';

const condition = fc.record({
  type: fc.constantFrom('Ready', 'ContainersReady', 'PodScheduled', 'Initialized'),
  status: fc.constantFrom('True', 'False', 'Unknown'),
  lastTransitionTime: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z', 'not a time'),
});

function podWith(conditions: unknown[] | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, status: conditions === undefined ? { phase: 'Running' } : { phase: 'Running', conditions } };
}

describe('readyCondition', () => {
  it('is the first Ready condition, as find gives it (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.array(condition, { maxLength: 5 }), { nil: undefined }), (conditions) => {
        const pod = podWith(conditions);
        const found = conditions?.find((c) => c.type === 'Ready');
        expect(readyCondition(pod)).toBe(found);
        expect(isPodReady(pod)).toBe(found?.status === 'True');
      }),
      { seed: 52, numRuns: 500 },
    );
  });

  it('dates readiness from the first Ready condition only', () => {
    const pod = podWith([
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' },
      { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:09Z' },
    ]);
    expect(podReadySince(pod)).toBe(Date.UTC(2026, 0, 1, 0, 0, 5));
    expect(podReadySince(podWith(undefined))).toBeUndefined();
  });
});
