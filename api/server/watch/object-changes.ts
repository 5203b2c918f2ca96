import type { StoredEvent } from '../../../core/events.ts';
import { type KubeObject, type ObjectRef, objectKey } from '../../../core/model/object.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import { NODE_LEASE_NAMESPACE, applyEvent } from '../../../projections/state/reducer.ts';

/** One object's change at one log position: absent `before` = created, absent `after` = removed. */
export interface ObjectChange {
  position: number;
  kind: string;
  key: string;
  before?: KubeObject;
  after?: KubeObject;
  event: StoredEvent;
}

/** The objects an event can change: the one its stream names, and a node's Lease for node events. */
export function refsTouchedBy(event: StoredEvent): ObjectRef[] {
  const parts = event.stream.split('/');
  if (parts.length < 2) return [];
  const ref: ObjectRef = parts.length >= 3 ? { kind: parts[0]!, namespace: parts[1]!, name: parts.slice(2).join('/') } : { kind: parts[0]!, name: parts[1]! };
  if (ref.kind === 'Node') return [ref, { kind: 'Lease', namespace: NODE_LEASE_NAMESPACE, name: ref.name }];
  return [ref];
}

/**
 * Applies one event to `state` and reports which objects it changed, with their before and after
 * versions. The reducer replaces objects rather than mutating them, so both can be held as they are.
 */
export function applyAndDiff(state: ClusterState, event: StoredEvent): ObjectChange[] {
  const refs = refsTouchedBy(event);
  const before = refs.map((ref) => state.objects.get(ref.kind)?.get(objectKey(ref.namespace, ref.name)));
  applyEvent(state, event);
  const changes: ObjectChange[] = [];
  refs.forEach((ref, i) => {
    const key = objectKey(ref.namespace, ref.name);
    const after = state.objects.get(ref.kind)?.get(key);
    if (after === before[i]) return;
    const change: ObjectChange = { position: event.position, kind: ref.kind, key, event };
    if (before[i]) change.before = before[i];
    if (after) change.after = after;
    changes.push(change);
  });
  return changes;
}
