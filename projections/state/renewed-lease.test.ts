import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { renewedLease } from './renewed-lease.ts';

const plain = (): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'n1', namespace: 'kube-node-lease', uid: 'u1', resourceVersion: '3', creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'x' }] },
  spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' },
});

describe('renewedLease', () => {
  it('gives exactly what a generic copy with the two fields changed gives, key order included, and leaves the old lease alone', () => {
    for (const lease of [plain(), { ...plain(), metadata: { ...plain().metadata, labels: { team: 'a' } } }, { ...plain(), spec: { ...plain().spec, acquireTime: 'then' } }]) {
      const before = JSON.stringify(lease);
      const next = renewedLease(lease, '9', '2026-01-01T00:00:10.000000Z');
      const expected = { ...lease, metadata: { ...lease.metadata, resourceVersion: '9' }, spec: { ...lease.spec, renewTime: '2026-01-01T00:00:10.000000Z' } };
      expect(JSON.stringify(next)).toBe(JSON.stringify(expected));
      expect(JSON.stringify(lease)).toBe(before);
      expect(next).not.toBe(lease);
      // Renewing the renewed lease again (the usual path) stays exact.
      expect(JSON.stringify(renewedLease(next, '10', 't2'))).toBe(JSON.stringify({ ...expected, metadata: { ...expected.metadata, resourceVersion: '10' }, spec: { ...expected.spec, renewTime: 't2' } }));
    }
  });
});
