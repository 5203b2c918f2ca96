import type { Position } from '../../core/events.ts';
import { ApiError, apiErrors } from '../../core/errors.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { rebuildIndexes } from '../../projections/state/indexes.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';

/**
 * A copy of a state that can be advanced without touching the original. Objects are immutable
 * (the reducer replaces, never mutates them), so copying the maps is enough; indexes are rebuilt.
 */
export function cloneState(state: ClusterState): ClusterState {
  const copy = createClusterState();
  copy.position = state.position;
  copy.time = state.time;
  copy.seed = state.seed;
  copy.mode = state.mode;
  for (const [kind, objects] of state.objects) copy.objects.set(kind, new Map(objects));
  for (const [node, time] of state.heartbeats) copy.heartbeats.set(node, time);
  rebuildIndexes(copy);
  return copy;
}

export interface StateHistory {
  /** The cluster as it was just after the event at `position` (0: empty). Never mutate the result. */
  stateAt(position: Position): Promise<ClusterState>;
}

/**
 * Exact reads of the past (`resourceVersionMatch=Exact`): since the log is never compacted, any
 * position can be rebuilt. Rebuilt states are kept as checkpoints, so reads near an earlier one
 * replay only the events in between.
 */
export function createStateHistory(store: EventStore, head: () => Position, maxCheckpoints = 8): StateHistory {
  const checkpoints: ClusterState[] = [];
  return {
    async stateAt(position) {
      if (!Number.isInteger(position) || position < 0) throw apiErrors.badRequest(`invalid resource version "${position}"`);
      if (position > head()) {
        throw new ApiError(504, 'Timeout', `Too large resource version: ${position}, current: ${head()}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
      }
      const exact = checkpoints.find((c) => c.position === position);
      if (exact) return exact;
      const base = checkpoints.filter((c) => c.position < position).sort((a, b) => b.position - a.position)[0];
      const state = base ? cloneState(base) : createClusterState();
      for await (const event of store.readAll(state.position, position)) applyEvent(state, event);
      checkpoints.push(state);
      if (checkpoints.length > maxCheckpoints) checkpoints.shift();
      return state;
    },
  };
}
