import type { KubeObject, OwnerReference } from '../../../core/model/object.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

/**
 * Controller references and the adopt/release rules of Kubernetes' ControllerRefManager
 * (pkg/controller/controller_ref_manager.go), shared by the ReplicaSet controller (claiming pods)
 * and the Deployment controller (claiming ReplicaSets).
 */

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  // A loop rather than find(callback): every controller asks this of nearly every object it routes.
  const refs = object.metadata.ownerReferences;
  if (!refs) return undefined;
  for (let i = 0; i < refs.length; i++) if (refs[i]!.controller === true) return refs[i];
  return undefined;
}

/** `metav1.NewControllerRef`. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * What `ClaimObject` does with one candidate: keep it (`owned`), take an orphan (`adopt`), let go
 * of one we own whose labels stopped matching (`release`), or leave it alone (`ignore`).
 */
export type ClaimVerdict = 'owned' | 'adopt' | 'release' | 'ignore';

export function claimVerdict(owner: KubeObject, candidate: KubeObject, selectorMatches: boolean): ClaimVerdict {
  const ref = controllerOf(candidate);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (selectorMatches) return 'owned';
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !selectorMatches) return 'ignore';
  if (candidate.metadata.deletionTimestamp) return 'ignore';
  if (owner.metadata.namespace && owner.metadata.namespace !== candidate.metadata.namespace) return 'ignore';
  return 'adopt';
}

/** A copy of `object` with `owner` as its controller, for the adopting update. */
export function withControllerRef(object: KubeObject, owner: KubeObject): KubeObject {
  const copy = clonePlain(object);
  copy.metadata.ownerReferences = [...(copy.metadata.ownerReferences ?? []), newControllerRef(owner)];
  return copy;
}

/** A copy of `object` without the owner reference to `ownerUid`, for the releasing update. */
export function withoutOwner(object: KubeObject, ownerUid: string): KubeObject {
  const copy = clonePlain(object);
  const remaining = (copy.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== ownerUid);
  if (remaining.length) copy.metadata.ownerReferences = remaining;
  else delete copy.metadata.ownerReferences;
  return copy;
}
