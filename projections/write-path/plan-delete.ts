import type { PropagationPolicy } from '../../core/events.ts';
import { apiErrors } from '../../core/errors.ts';
import { type KubeObject, type ObjectRef, refOf, streamOf } from '../../core/model/object.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { getObject } from '../state/queries.ts';
import { type Plan, type WriteContext, groupOf, hasFinalizers, notFound, requireType } from './write-context.ts';

/** Kubernetes' DefaultTerminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/**
 * A delete, as Kubernetes' generic registry does it: preconditions (409); graceful deletion
 * (a bound, non-terminal pod with a grace period), finalizers, Foreground/Orphan propagation and
 * every Namespace mark the object for deletion (ObjectDeletionRequested); anything else is removed
 * at once. Deleting an object already marked returns it unchanged, unless nothing holds it any more.
 */
export function planDelete(context: WriteContext, input: ObjectRef, options: DeleteOptions = {}): Plan {
  const type = requireType(context, input.kind);
  const namespace = type.namespaced ? input.namespace : undefined;
  const existing = getObject(context.state, type.kind, namespace, input.name);
  if (!existing) throw notFound(type, input.name);
  const group = groupOf(type);
  const { preconditions } = options;
  if (preconditions?.uid && preconditions.uid !== existing.metadata.uid) {
    throw apiErrors.conflict(type.plural, input.name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`, group);
  }
  if (preconditions?.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
    throw apiErrors.conflict(
      type.plural,
      input.name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
      group,
    );
  }
  const ref = refOf(existing);
  const stream = streamOf(ref);
  const gracePeriodSeconds = gracePeriodOf(existing, options.gracePeriodSeconds);
  const policy = options.propagationPolicy ?? 'Background';

  if (existing.metadata.deletionTimestamp) {
    const releasable = !hasFinalizers(existing) && (gracePeriodSeconds === 0 || existing.kind === 'Namespace');
    if (!releasable || options.dryRun) return { stream, events: [], object: existing };
    return { stream, events: [{ type: 'ObjectRemoved', data: { ref } }], removed: existing };
  }

  const marks =
    existing.kind === 'Namespace' || hasFinalizers(existing) || policy === 'Foreground' || policy === 'Orphan' || gracePeriodSeconds > 0;
  if (!marks) {
    if (options.dryRun) return { stream, events: [], object: existing };
    return { stream, events: [{ type: 'ObjectRemoved', data: { ref } }], removed: existing };
  }
  const deletionTimestamp = toRfc3339(context.now() + gracePeriodSeconds * 1000);
  if (options.dryRun) {
    return { stream, events: [], object: { ...existing, metadata: { ...existing.metadata, deletionTimestamp, deletionGracePeriodSeconds: gracePeriodSeconds } } };
  }
  return {
    stream,
    events: [{ type: 'ObjectDeletionRequested', data: { ref, deletionTimestamp, gracePeriodSeconds, propagationPolicy: policy } }],
    resultRef: ref,
  };
}

/**
 * Only pods delete gracefully (pod strategy CheckGracefulDelete): one not yet bound to a node, or
 * already Succeeded/Failed, goes at once; otherwise the request's grace period, else the pod's
 * terminationGracePeriodSeconds.
 */
function gracePeriodOf(object: KubeObject, requested: number | undefined): number {
  if (object.kind !== 'Pod') return 0;
  if (!object.spec?.nodeName) return 0;
  const phase = object.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const period = requested ?? (object.spec?.terminationGracePeriodSeconds as number | undefined) ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  return Math.max(0, period);
}
