import type { StoredEvent } from '../../../core/events.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import { applyEvent } from '../../../projections/state/reducer.ts';
import { refsTouchedBy } from '../../../projections/state/touched-refs.ts';

/** One object's change at one log position: absent `before` = created, absent `after` = removed. */
export interface ObjectChange {
  position: number;
  kind: string;
  key: string;
  before?: KubeObject;
  after?: KubeObject;
  event: StoredEvent;
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
