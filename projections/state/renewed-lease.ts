import type { KubeObject } from '../../core/model/object.ts';
import { copyWith, copyWithField } from './copy-with.ts';

const LEASE_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'];
const METADATA_KEYS = ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences'];
const SPEC_KEYS = ['holderIdentity', 'leaseDurationSeconds', 'renewTime'];

function hasKeys(object: object | undefined, keys: readonly string[]): boolean {
  if (!object) return false;
  let i = 0;
  for (const key in object) if (key !== keys[i++]) return false;
  return i === keys.length;
}

/** Exactly the shape the reducer gives a node's Lease: the same keys, in the same order. */
function isPlainLease(lease: KubeObject): boolean {
  return hasKeys(lease, LEASE_KEYS) && hasKeys(lease.metadata, METADATA_KEYS) && hasKeys(lease.spec, SPEC_KEYS);
}

/**
 * A node's Lease renewed by a heartbeat: a new object with the new resourceVersion and renewTime.
 * Heartbeats are most of what a long simulation applies, so a Lease in the plain shape the
 * reducer creates is rebuilt field by field, about ten times faster than the generic copy
 * (measured ~190 ns against 1.3–1.7 µs); a Lease written with other fields is copied generically.
 */
export function renewedLease(lease: KubeObject, resourceVersion: string, renewTime: string): KubeObject {
  if (!isPlainLease(lease)) {
    return copyWith(lease, { metadata: copyWithField(lease.metadata, 'resourceVersion', resourceVersion), spec: copyWithField(lease.spec, 'renewTime', renewTime) });
  }
  const metadata = lease.metadata;
  const spec = lease.spec;
  const next: KubeObject = {
    apiVersion: lease.apiVersion,
    kind: lease.kind,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion,
      creationTimestamp: metadata.creationTimestamp,
      ownerReferences: metadata.ownerReferences,
    },
    spec: { holderIdentity: spec.holderIdentity, leaseDurationSeconds: spec.leaseDurationSeconds, renewTime },
  };
  return next;
}
