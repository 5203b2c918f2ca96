import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import {
  MAX_REVISION_HISTORY_CHARS,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  newReplicaSetAnnotationsWouldChange,
  setNewReplicaSetAnnotations,
} from './annotations.ts';

const deployment = (annotations: Record<string, string> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations } });
const replicaSet = (annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', ...(annotations ? { annotations } : {}) } });

describe('SetNewReplicaSetAnnotations', () => {
  it('stamps a new ReplicaSet with the revision and the replicas annotations, copying the Deployment annotations but not its revision', () => {
    const rs = replicaSet();
    const d = deployment({ 'kubernetes.io/change-cause': 'kubectl set image', [REVISION_ANNOTATION]: '7', 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    expect(setNewReplicaSetAnnotations(d, rs, 3, false, 10, 13)).toBe(true);
    expect(rs.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image',
      [REVISION_ANNOTATION]: '3',
      'deployment.kubernetes.io/desired-replicas': '10',
      'deployment.kubernetes.io/max-replicas': '13',
    });
  });

  it('records the old revision in revision-history when a template comes back (rollback)', () => {
    const rs = replicaSet({ [REVISION_ANNOTATION]: '1' });
    setNewReplicaSetAnnotations(deployment(), rs, 3, true, 3, 4);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '3', [REVISION_HISTORY_ANNOTATION]: '1' });
    setNewReplicaSetAnnotations(deployment(), rs, 5, true, 3, 4);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '5', [REVISION_HISTORY_ANNOTATION]: '1,3' });
  });

  it('never lowers a revision and reports no change when nothing changed', () => {
    const rs = replicaSet({ [REVISION_ANNOTATION]: '4' });
    expect(setNewReplicaSetAnnotations(deployment(), rs, 2, true, 3, 4)).toBe(false);
    expect(rs.metadata.annotations?.[REVISION_ANNOTATION]).toBe('4');
  });

  it('drops the oldest history entries to stay within the length limit', () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(',');
    const rs = replicaSet({ [REVISION_ANNOTATION]: '5000', [REVISION_HISTORY_ANNOTATION]: long });
    setNewReplicaSetAnnotations(deployment(), rs, 5001, true, 1, 1);
    const history = rs.metadata.annotations![REVISION_HISTORY_ANNOTATION]!;
    expect(history.length).toBeLessThanOrEqual(MAX_REVISION_HISTORY_CHARS);
    expect(history.endsWith(',5000')).toBe(true);
    expect(history.startsWith('1000,')).toBe(false);
  });
});

describe('newReplicaSetAnnotationsWouldChange', () => {
  const key = fc.constantFrom('a', 'kubernetes.io/change-cause', REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, 'deployment.kubernetes.io/desired-replicas', 'kubectl.kubernetes.io/last-applied-configuration', 'deprecated.deployment.rollback.to');
  const value = fc.constantFrom('', '0', '1', '2', '3', '10', 'x', '1,2', '-1');
  const annotations = fc.dictionary(key, value, { maxKeys: 5 });

  it('is false exactly when setNewReplicaSetAnnotations (existing ReplicaSet) leaves the ReplicaSet as it was', () => {
    fc.assert(
      fc.property(annotations, fc.option(annotations, { nil: undefined }), fc.integer({ min: 0, max: 12 }), (dAnnotations, rsAnnotations, newRevision) => {
        const d = deployment(dAnnotations);
        const rs = replicaSet(rsAnnotations && { ...rsAnnotations });
        const before = JSON.stringify(rs);
        const hadAnnotations = rs.metadata.annotations !== undefined;
        const predicted = newReplicaSetAnnotationsWouldChange(d, rs, newRevision);
        expect(JSON.stringify(rs)).toBe(before);
        const reported = setNewReplicaSetAnnotations(d, rs, newRevision, true, 3, 4);
        const changed = JSON.stringify(rs) !== before || (rs.metadata.annotations !== undefined) !== hadAnnotations;
        expect(predicted).toBe(changed);
        if (reported) expect(predicted).toBe(true);
      }),
      { seed: 8, numRuns: 2000 },
    );
  });
});
