import type { StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { sameSerializedState } from '../../projections/state/same-serialization.ts';
import { deferredSnapshot, deserializeState, serializedStateText } from '../../projections/state/snapshot.ts';
import { defineInvariant } from './invariant.ts';

/** Cut points for snapshots: early, middle, late (deterministic, so a failure reproduces). */
export const CUT_FRACTIONS = [0.1, 0.5, 0.9];

interface Replay {
  /** The serialised state of a full replay, event by event. */
  full: string;
  /** Snapshots (serialised states of a replay of the events before each cut) by cut. */
  snapshots: Map<number, string>;
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
  const snapshots = new Map<number, string>();
  const state = createClusterState();
  for (let i = 0; i <= events.length; i++) {
    if (cuts.includes(i) && !snapshots.has(i)) snapshots.set(i, serializedStateText(state));
    if (i < events.length) applyEvent(state, events[i]!);
  }
  const replay = { full: serializedStateText(state), snapshots };
  replays.set(events, { length: events.length, replay });
  return replay;
}

/**
 * What a checker saw through onEvent. A run (runHistory) hands every event over with the state
 * rebuilt from the log in lockstep, event by event from an empty state: that state is a full
 * replay of the log, so the checks below use it, and the snapshots they take of it on the way,
 * instead of replaying the log again at the end. Without it (atEnd called alone, or a state that
 * is the live one) they replay the log themselves.
 */
interface Lockstep {
  state?: ClusterState;
  seen: number;
}

function observe(lockstep: Lockstep, state: ClusterState): void {
  lockstep.state = state;
  lockstep.seen++;
}

function replayedBy(lockstep: Lockstep, end: { state: ClusterState; events: readonly StoredEvent[] }): ClusterState | undefined {
  const { state } = lockstep;
  if (!state || state === end.state || lockstep.seen !== end.events.length || state.position !== (end.events.at(-1)?.position ?? 0)) return undefined;
  return state;
}

/**
 * Lockstep snapshots are taken after event counts 2^k and 3·2^k, a handful per run whatever its
 * length; at the end each cut fraction uses the nearest of them.
 */
export function isSnapshotPoint(count: number): boolean {
  const odd = count / (count & -count);
  return odd === 1 || odd === 3;
}

export function nearestSnapshot(points: Iterable<number>, target: number): number {
  let best = 0;
  for (const point of points) if (Math.abs(point - target) < Math.abs(best - target) || (Math.abs(point - target) === Math.abs(best - target) && point < best)) best = point;
  return best;
}

export const rebuildEqualsLive = defineInvariant({
  name: 'rebuild-equals-live',
  description: 'Rebuilding the cluster state from the log gives exactly the live state the engine ran on.',
  category: 'event-sourcing',
  start() {
    const lockstep: Lockstep = { seen: 0 };
    return {
      onEvent(_event, state) {
        observe(lockstep, state);
        return undefined;
      },
      atEnd(end) {
        const replayed = replayedBy(lockstep, end);
        const same = replayed ? sameSerializedState(replayed, end.state) : replayOf(end.events).full === serializedStateText(end.state);
        return same ? undefined : `state rebuilt from ${end.events.length} events differs from the live state`;
      },
    };
  },
});

export const snapshotPlusTailEqualsReplay = defineInvariant({
  name: 'snapshot-plus-tail-equals-replay',
  description: 'A snapshot taken at any position, loaded and followed by the rest of the log, equals a full replay.',
  category: 'event-sourcing',
  start() {
    const lockstep: Lockstep = { seen: 0 };
    /** Event count → the lockstep state's snapshot after that many events, serialised when used. */
    const taken = new Map<number, () => string>();
    return {
      onEvent(_event, state) {
        if (lockstep.seen === 0) taken.set(0, deferredSnapshot(createClusterState()));
        observe(lockstep, state);
        if (isSnapshotPoint(lockstep.seen)) taken.set(lockstep.seen, deferredSnapshot(state));
        return undefined;
      },
      atEnd(end) {
        const { events } = end;
        const replayed = replayedBy(lockstep, end);
        const cuts = CUT_FRACTIONS.map((fraction) => Math.floor(events.length * fraction)).map((cut) => (replayed ? nearestSnapshot(taken.keys(), cut) : cut));
        let equalsFullReplay: (restored: ClusterState) => boolean;
        let snapshotAt: (cut: number) => string;
        if (replayed) {
          equalsFullReplay = (restored) => sameSerializedState(restored, replayed);
          snapshotAt = (cut) => taken.get(cut)!();
        } else {
          const replay = replayOf(events);
          equalsFullReplay = (restored) => serializedStateText(restored) === replay.full;
          snapshotAt = (cut) => replay.snapshots.get(cut)!;
        }
        for (const cut of new Set(cuts)) {
          const restored = deserializeState(snapshotAt(cut));
          for (let i = cut; i < events.length; i++) applyEvent(restored, events[i]!);
          if (!equalsFullReplay(restored)) return `snapshot at position ${cut} plus tail differs from a full replay`;
        }
        return undefined;
      },
    };
  },
});
