import type { Position, StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import { createClusterState, rebuildStateAsync, rebuildStateFromBatches } from './reducer.ts';

/** A store that can also read its log in synchronous batches (the embedded log does). */
interface BatchReadable {
  readAllBatches(fromPosition?: Position, toPosition?: Position): Iterable<StoredEvent[]>;
}

/**
 * Applies the store's events after `fromPosition` to `state` (a fresh state by default): in
 * batches when the store can read that way, which is several times cheaper than an async step per
 * event, else through `readAll`. The resulting state is the same either way.
 */
export async function rebuildFromStore(store: EventStore, fromPosition: Position = 0, state: ClusterState = createClusterState()): Promise<ClusterState> {
  const batched = (store as EventStore & Partial<BatchReadable>).readAllBatches;
  if (batched) return rebuildStateFromBatches(batched.call(store, fromPosition), state);
  return rebuildStateAsync(store.readAll(fromPosition), state);
}
