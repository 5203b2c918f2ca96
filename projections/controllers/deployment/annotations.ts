import type { KubeObject } from '../../../core/model/object.ts';

/** The annotations the Deployment controller keeps on ReplicaSets (deploymentutil). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** `maxRevHistoryLengthInChars`. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const ANNOTATIONS_NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

/** The revision annotation as a number; 0 when absent, undefined when unparsable. */
export function revisionOf(object: KubeObject): number | undefined {
  const text = object.metadata.annotations?.[REVISION_ANNOTATION];
  if (text === undefined) return 0;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

export function maxRevision(list: readonly KubeObject[]): number {
  let max = 0;
  for (const rs of list) {
    const revision = revisionOf(rs);
    if (revision !== undefined && revision > max) max = revision;
  }
  return max;
}

function annotationsOf(object: KubeObject): Record<string, string> {
  return (object.metadata.annotations ??= {});
}

/** `copyDeploymentAnnotationsToReplicaSet`; returns whether anything changed. */
function copyDeploymentAnnotations(d: KubeObject, rs: KubeObject): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(key) || target[key] === value) continue;
    target[key] = value;
    changed = true;
  }
  return changed;
}

/**
 * Whether `setNewReplicaSetAnnotations(d, rs, newRevision, true, ...)` would change anything of
 * `rs` at all (including giving it an empty annotations object): when it would not, a sync need not
 * make its own copy of the ReplicaSet's metadata to find that out (most syncs find the new
 * ReplicaSet already in line).
 */
export function newReplicaSetAnnotationsWouldChange(d: KubeObject, rs: KubeObject, newRevision: number): boolean {
  const target = rs.metadata.annotations;
  if (!target) return true;
  const source = d.metadata.annotations;
  for (const key in source) {
    if (!hasOwn.call(source, key) || ANNOTATIONS_NOT_COPIED.has(key)) continue;
    if (target[key] !== source[key]) return true;
  }
  const oldRevisionText = target[REVISION_ANNOTATION];
  if (oldRevisionText === undefined || oldRevisionText === '') return newRevision > 0;
  return /^\d+$/.test(oldRevisionText) && Number(oldRevisionText) < newRevision;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** `SetReplicasAnnotations`; returns whether anything changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  if (target[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    target[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (target[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    target[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max);
}

export function desiredReplicasAnnotation(rs: KubeObject): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

export function maxReplicasAnnotation(rs: KubeObject): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

function intAnnotation(rs: KubeObject, key: string): number | undefined {
  const text = rs.metadata.annotations?.[key];
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * `SetNewReplicaSetAnnotations`: copy the Deployment's annotations, raise the revision to
 * `newRevision` when it is lower (recording the old one in revision-history: that is a rollback
 * to this ReplicaSet), and on creation set the replicas annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean, desired: number, max: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = annotationsOf(rs);
  const oldRevisionText = annotations[REVISION_ANNOTATION];
  let oldRevision = 0;
  if (oldRevisionText !== undefined && oldRevisionText !== '') {
    if (!/^\d+$/.test(oldRevisionText)) return false;
    oldRevision = Number(oldRevisionText);
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevisionText !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      let previous = history.split(',');
      if (previous[0]!.length === 0) annotations[REVISION_HISTORY_ANNOTATION] = oldRevisionText;
      else {
        let totalLength = history.length + oldRevisionText.length + 1;
        let start = 0;
        while (totalLength > MAX_REVISION_HISTORY_CHARS && start < previous.length) {
          totalLength -= previous[start]!.length + 1;
          start++;
        }
        if (totalLength <= MAX_REVISION_HISTORY_CHARS) {
          previous = [...previous.slice(start), oldRevisionText];
          annotations[REVISION_HISTORY_ANNOTATION] = previous.join(',');
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}

/** `SetDeploymentRevision`; returns whether it changed. */
export function setDeploymentRevision(d: KubeObject, revision: string): boolean {
  const annotations = annotationsOf(d);
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}
