import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { getObject } from '../../state/queries.ts';

/**
 * Kubernetes' ControllerExpectations (pkg/controller/controller_utils.go), keyed by pod instead of
 * counted: what a controller has asked for and not yet seen. While a ReplicaSet has pods in
 * flight it is not scaled again, so a sync that runs before its own creates or deletes show up in
 * the state cannot double them. A record expires after five minutes of virtual time, as in
 * Kubernetes, so a create the write path rejected cannot block the ReplicaSet for ever.
 */

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Pending {
  /** `ns/name` of pods we asked to create. */
  creates: Set<string>;
  /** `ns/name` → uid of pods we asked to delete. */
  deletes: Map<string, string>;
  since: number;
}

export interface Expectations {
  expectCreations(ownerKey: string, podKeys: readonly string[], now: number): void;
  expectDeletions(ownerKey: string, pods: readonly KubeObject[], now: number): void;
  /**
   * Called for every pod ObjectCreated / ObjectDeletionRequested the controller sees. Returns how
   * many of its owner's creates or deletes are still outstanding, or undefined when the pod was
   * not expected.
   */
  creationObserved(podKey: string): number | undefined;
  deletionObserved(podKey: string): number | undefined;
  /**
   * Whether the owner may be scaled now: everything it asked for is visible in `state`, or the
   * record has expired. Clears fulfilled entries as a side effect.
   */
  satisfied(ownerKey: string, state: ClusterState, now: number): boolean;
  forget(ownerKey: string): void;
  /** Owners with anything outstanding. */
  pendingOwners(): string[];
  /** Whether this owner has anything outstanding (fulfilled entries are only cleared by `satisfied`). */
  pending(ownerKey: string): boolean;
}

export function createExpectations(): Expectations {
  const byOwner = new Map<string, Pending>();
  const ownerOfCreate = new Map<string, string>();
  const ownerOfDelete = new Map<string, string>();

  function record(ownerKey: string, now: number): Pending {
    let pending = byOwner.get(ownerKey);
    if (!pending) byOwner.set(ownerKey, (pending = { creates: new Set(), deletes: new Map(), since: now }));
    pending.since = now;
    return pending;
  }

  function forget(ownerKey: string): void {
    const pending = byOwner.get(ownerKey);
    if (!pending) return;
    for (const key of pending.creates) ownerOfCreate.delete(key);
    for (const key of pending.deletes.keys()) ownerOfDelete.delete(key);
    byOwner.delete(ownerKey);
  }

  return {
    expectCreations(ownerKey, podKeys, now) {
      const pending = record(ownerKey, now);
      for (const key of podKeys) {
        pending.creates.add(key);
        ownerOfCreate.set(key, ownerKey);
      }
    },
    expectDeletions(ownerKey, pods, now) {
      const pending = record(ownerKey, now);
      for (const pod of pods) {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        pending.deletes.set(key, pod.metadata.uid ?? '');
        ownerOfDelete.set(key, ownerKey);
      }
    },
    creationObserved(podKey) {
      const ownerKey = ownerOfCreate.get(podKey);
      if (ownerKey === undefined) return undefined;
      ownerOfCreate.delete(podKey);
      const pending = byOwner.get(ownerKey);
      if (!pending) return undefined;
      pending.creates.delete(podKey);
      return pending.creates.size + pending.deletes.size;
    },
    deletionObserved(podKey) {
      const ownerKey = ownerOfDelete.get(podKey);
      if (ownerKey === undefined) return undefined;
      ownerOfDelete.delete(podKey);
      const pending = byOwner.get(ownerKey);
      if (!pending) return undefined;
      pending.deletes.delete(podKey);
      return pending.creates.size + pending.deletes.size;
    },
    satisfied(ownerKey, state, now) {
      const pending = byOwner.get(ownerKey);
      if (!pending) return true;
      for (const key of pending.creates) {
        if (lookupPod(state, key)) {
          pending.creates.delete(key);
          ownerOfCreate.delete(key);
        }
      }
      for (const [key, uid] of pending.deletes) {
        const pod = lookupPod(state, key);
        if (!pod || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) {
          pending.deletes.delete(key);
          ownerOfDelete.delete(key);
        }
      }
      if ((pending.creates.size === 0 && pending.deletes.size === 0) || now - pending.since > EXPECTATIONS_TIMEOUT_MS) {
        forget(ownerKey);
        return true;
      }
      return false;
    },
    forget,
    pendingOwners: () => [...byOwner.keys()],
    pending: (ownerKey) => byOwner.has(ownerKey),
  };
}

/** The pod `ns/name` in the state. Module level, not a closure per sync: under tsx every named closure costs a keepNames call, and a fresh one made `satisfied` a third of a ReplicaSet sync. */
function lookupPod(state: ClusterState, podKey: string) {
  const slash = podKey.indexOf('/');
  return getObject(state, 'Pod', podKey.slice(0, slash), podKey.slice(slash + 1));
}
