import type { StoredEvent } from '../../core/events.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { deserializeState, serializeState } from '../../projections/state/snapshot.ts';
import { defineInvariant } from './invariant.ts';

/** Cut points for snapshots: early, middle, late (deterministic, so a failure reproduces). */
const CUT_FRACTIONS = [0.1, 0.5, 0.9];

interface Replay {
  /** The serialised state of a full replay, event by event. */
  full: string;
  /** Snapshots (serialised states of a replay of the events before each cut) by cut. */
  snapshots: Map<number, Buffer>;
}

/**
 * One event-by-event replay of a history, snapshotted at the cut points on the way: both
 * invariants below check against it, so a history is replayed once for both instead of five times.
 * The state at a cut is exactly what a fresh replay of the events before it builds (the reducer
 * is deterministic and sees the same events in the same order).
 */
const replays = new WeakMap<readonly StoredEvent[], { length: number; replay: Replay }>();

function replayOf(events: readonly StoredEvent[]): Replay {
  const cached = replays.get(events);
  if (cached && cached.length === events.length) return cached.replay;
  const cuts = CUT_FRACTIONS.map((fraction) => Math.floor(events.length * fraction));
  const snapshots = new Map<number, Buffer>();
  const state = createClusterState();
  for (let i = 0; i <= events.length; i++) {
    if (cuts.includes(i) && !snapshots.has(i)) snapshots.set(i, serializeState(state));
    if (i < events.length) applyEvent(state, events[i]!);
  }
  const replay = { full: serializeState(state).toString(), snapshots };
  replays.set(events, { length: events.length, replay });
  return replay;
}

export const rebuildEqualsLive = defineInvariant({
  name: 'rebuild-equals-live',
  description: 'Rebuilding the cluster state from the log gives exactly the live state the engine ran on.',
  category: 'event-sourcing',
  start() {
    return {
      atEnd({ state, events }) {
        const rebuilt = replayOf(events).full;
        const live = serializeState(state).toString();
        return rebuilt === live ? undefined : `state rebuilt from ${events.length} events differs from the live state`;
      },
    };
  },
});

export const snapshotPlusTailEqualsReplay = defineInvariant({
  name: 'snapshot-plus-tail-equals-replay',
  description: 'A snapshot taken at any position, loaded and followed by the rest of the log, equals a full replay.',
  category: 'event-sourcing',
  start() {
    return {
      atEnd({ events }) {
        const { full, snapshots } = replayOf(events);
        for (const fraction of CUT_FRACTIONS) {
          const cut = Math.floor(events.length * fraction);
          const restored = deserializeState(snapshots.get(cut)!);
          for (let i = cut; i < events.length; i++) applyEvent(restored, events[i]!);
          if (serializeState(restored).toString() !== full) return `snapshot at position ${cut} plus tail differs from a full replay`;
        }
        return undefined;
      },
    };
  },
});
