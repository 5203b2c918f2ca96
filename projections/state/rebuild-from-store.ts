import type { Position, StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import { type RecordReadable, StreamRuleBrokenError, compactedRebuild } from './compacted-rebuild.ts';
import { createClusterState, rebuildStateAsync, rebuildStateFromBatches } from './reducer.ts';

/** A store that can also read its log in synchronous batches (the embedded log does). */
interface BatchReadable {
  readAllBatches(fromPosition?: Position, toPosition?: Position): Iterable<StoredEvent[]>;
}

export interface RebuildOptions {
  /**
   * Read only the events whose effect survives when the store can plan that way (the embedded log;
   * see compacted-rebuild.ts: the same state, property-tested against the plain replay). Default
   * true; false replays every event.
   */
  compacted?: boolean;
}

/**
 * Applies the store's events after `fromPosition` to `state` (a fresh state by default) and
 * returns the state: compacted when the store allows it (see `RebuildOptions`), else in batches
 * when the store can read that way, which is several times cheaper than an async step per event,
 * else through `readAll`. The resulting state is the same either way.
 *
 * When a compacted rebuild finds, too late, that the log breaks the stream rule, it throws
 * StreamRuleBrokenError from a rebuild over a given state (whose caller must start again from its
 * snapshot); from the start of the log it replays every event into a fresh state instead.
 */
export async function rebuildFromStore(store: EventStore, fromPosition: Position = 0, state: ClusterState = createClusterState(), options: RebuildOptions = {}): Promise<ClusterState> {
  const readable = store as EventStore & Partial<BatchReadable & RecordReadable>;
  if (options.compacted !== false && readable.logDirectory && readable.readRecords && readable.readRecordJson && state.position === fromPosition) {
    try {
      if (compactedRebuild(readable as RecordReadable, state, fromPosition)) return state;
    } catch (error) {
      if (!(error instanceof StreamRuleBrokenError) || fromPosition !== 0) throw error;
      return rebuildFromStore(store, 0, createClusterState(), { compacted: false });
    }
  }
  const batched = readable.readAllBatches;
  if (batched) return rebuildStateFromBatches(batched.call(store, fromPosition), state);
  return rebuildStateAsync(store.readAll(fromPosition), state);
}
