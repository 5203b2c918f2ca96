import type { Subscription } from 'rxjs';
import type { Position, StoredEvent } from '../../../core/events.ts';
import type { EventStore } from '../../../core/store/event-store.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import { applyEvent, createClusterState } from '../../../projections/state/reducer.ts';
import { type StateHistory, cloneState } from '../state-at.ts';
import { type KubeEventLog, createKubeEventLog } from '../kube-events/kube-event-log.ts';
import { type ObjectChange, applyAndDiff } from './object-changes.ts';

export interface ChangeBatch {
  position: Position;
  changes: ObjectChange[];
}

export type ChangeListener = (batch: ChangeBatch) => void;

export interface WatchHub {
  /** The durable state the hub has applied, and the position it has reached. */
  readonly state: ClusterState;
  /** core/v1 Events projected from the log so far. */
  readonly kubeEvents: KubeEventLog;
  position(): Position;
  /**
   * Delivers every change after `from` (first past ones, then live ones) to `listener`, without
   * gaps or duplicates. With `kind`, only the batches holding a change of that kind (a watch of
   * one resource is not called for the others' changes). Resolves with a function that stops the delivery.
   */
  follow(from: Position, listener: ChangeListener, kind?: string): Promise<() => void>;
  /** Delivers every change after the hub's current position to `listener` (registered before it returns). Returns a function that stops the delivery. */
  followLive(listener: ChangeListener, kind?: string): () => void;
  /** Resolves once the Events (and checkpoints) of the log before startup have been projected. */
  readonly backfilled: Promise<void>;
  /** Resolves once the hub has applied everything up to `position`. */
  reached(position: Position): Promise<void>;
  close(): void;
}

export interface WatchHubOptions {
  /** Changes kept in memory for watches from a recent position (older ones are rebuilt from the log). */
  retain?: number;
  /** Offer the state history a checkpoint every this many positions. */
  checkpointEvery?: number;
  /**
   * The live state at startup: the hub starts from a copy of it instead of replaying the whole log,
   * and projects the Events of the last `eventsLookbackMs` before it in the background.
   */
  startFrom?: ClusterState;
  eventsLookbackMs?: number;
}

/**
 * One subscription to the log shared by every watch: it applies durable events to its own copy of
 * the state (the live one runs ahead with not-yet-durable writes), computes which objects each event
 * changed (plus the Kubernetes Events it stands for), keeps a window of recent changes for watches
 * that start in the recent past, and fans live changes out to the watches.
 */
export function createWatchHub(store: EventStore, history: StateHistory, options: WatchHubOptions = {}): WatchHub {
  const retain = options.retain ?? 50_000;
  const checkpointEvery = options.checkpointEvery ?? 10_000;
  const state = options.startFrom ? cloneState(options.startFrom) : createClusterState();
  const kubeEvents = createKubeEventLog();
  // The window of recent changes: recent[head..] are live, earlier slots are dropped in bulk.
  let recent: ChangeBatch[] = [];
  let head = 0;
  let windowStart = state.position;
  // Listeners of every batch, and listeners of one kind's batches (looked up by the kinds a batch changes).
  const listeners = new Set<ChangeListener>();
  const listenersByKind = new Map<string, Set<ChangeListener>>();
  const waiters: Array<{ position: Position; resolve: () => void }> = [];
  let failure: unknown;
  let closed = false;

  const subscription: Subscription = store.subscribe(state.position).subscribe({
    next: (event) => {
      const batch = derive(state, kubeEvents, event);
      if (event.position % checkpointEvery === 0) history.offerCheckpoint(state);
      recent.push(batch);
      if (recent.length - head > retain) {
        windowStart = recent[head]!.position;
        head++;
        if (head > retain) {
          recent = recent.slice(head);
          head = 0;
        }
      }
      for (const listener of listeners) listener(batch);
      if (listenersByKind.size > 0) deliverByKind(batch);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.position <= event.position) waiters.splice(i, 1)[0]!.resolve();
      }
    },
    error: (error) => {
      failure = error;
    },
  });

  const backfilled =
    options.startFrom && state.position > 0
      ? backfill(state.position, state.time - (options.eventsLookbackMs ?? 60 * 60 * 1000)).catch(() => undefined)
      : Promise.resolve();

  /** Replays the log before startup on a private state: the recent Events, and checkpoints on the way. */
  async function backfill(until: Position, since: number): Promise<void> {
    const past = createClusterState();
    let sinceYield = 0;
    for await (const event of store.readAll(0, until)) {
      if (closed) return;
      if (event.metadata.time >= since) kubeEvents.record(event, applyAndDiff(past, event), past);
      else applyEvent(past, event);
      if (event.position % checkpointEvery === 0) history.offerCheckpoint(past);
      if (++sinceYield >= 2000) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  function deliverByKind(batch: ChangeBatch): void {
    const { changes } = batch;
    for (let i = 0; i < changes.length; i++) {
      const kind = changes[i]!.kind;
      if (changes.findIndex((change) => change.kind === kind) !== i) continue;
      const subscribed = listenersByKind.get(kind);
      if (subscribed) for (const listener of subscribed) listener(batch);
    }
  }

  /** Adds a listener of live batches (of one kind's, with `kind`); returns its removal. */
  function register(listener: ChangeListener, kind: string | undefined): () => void {
    if (kind === undefined) listeners.add(listener);
    else {
      let subscribed = listenersByKind.get(kind);
      if (!subscribed) listenersByKind.set(kind, (subscribed = new Set()));
      subscribed.add(listener);
    }
    return () => {
      if (kind === undefined) listeners.delete(listener);
      else {
        const subscribed = listenersByKind.get(kind);
        subscribed?.delete(listener);
        if (subscribed?.size === 0) listenersByKind.delete(kind);
      }
    };
  }

  function replayRecent(from: Position, listener: ChangeListener): void {
    let low = head;
    let high = recent.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (recent[mid]!.position <= from) low = mid + 1;
      else high = mid;
    }
    for (let i = Math.max(low, head); i < recent.length; i++) listener(recent[i]!);
  }

  return {
    state,
    kubeEvents,
    backfilled,
    position: () => state.position,
    async follow(from, listener, kind) {
      if (failure) throw failure;
      let stopped = false;
      const guarded: ChangeListener = (batch) => {
        if (!stopped && batch.position > from) listener(batch);
      };
      // Past batches are filtered here; live ones by the kind index.
      const replayed: ChangeListener =
        kind === undefined
          ? guarded
          : (batch) => {
              if (batch.changes.some((change) => change.kind === kind)) guarded(batch);
            };
      let cursor = from;
      if (cursor < windowStart) {
        // Older than the window: rebuild the state there and replay the log up to the window.
        // stateAt's results are shared checkpoints: replay on a copy.
        const past = cloneState(await history.stateAt(cursor));
        const pastEvents = createKubeEventLog();
        while (cursor < windowStart && !stopped) {
          const target = windowStart;
          for await (const event of store.readAll(cursor, target)) {
            if (stopped) break;
            replayed(derive(past, pastEvents, event));
            cursor = event.position;
          }
          cursor = target;
        }
      }
      replayRecent(cursor, replayed);
      const unregister = register(guarded, kind);
      return () => {
        stopped = true;
        unregister();
      };
    },
    followLive(listener, kind) {
      if (failure) throw failure;
      return register(listener, kind);
    },
    reached(position) {
      if (state.position >= position) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ position, resolve }));
    },
    close() {
      closed = true;
      subscription.unsubscribe();
      listeners.clear();
      listenersByKind.clear();
    },
  };
}

function derive(state: ClusterState, kubeEvents: KubeEventLog, event: StoredEvent): ChangeBatch {
  const changes = applyAndDiff(state, event);
  for (const { before, after } of kubeEvents.record(event, changes, state)) {
    const object = (after ?? before)!;
    const change: ObjectChange = { position: event.position, kind: 'Event', key: `${object.metadata.namespace}/${object.metadata.name}`, event };
    if (after) change.after = after;
    if (before) change.before = before;
    changes.push(change);
  }
  return { position: event.position, changes };
}

