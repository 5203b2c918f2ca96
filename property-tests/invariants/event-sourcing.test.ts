import { describe, expect, it } from 'vitest';
import { history, node, pod } from '../../projections/state/test-events.ts';
import { applyEvent, createClusterState, rebuildState } from '../../projections/state/reducer.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { rebuildEqualsLive, snapshotPlusTailEqualsReplay } from './event-sourcing.ts';
import type { InvariantChecker, RunEnd } from './invariant.ts';

const events = history(
  { type: 'ClusterInitialized', data: { seed: 7, startTime: Date.UTC(2026, 0, 1), mode: 'simulation' } },
  { type: 'NodeRegistered', data: { node: node('n1') } },
  ...Array.from({ length: 20 }, (_, i) => ({ type: 'ObjectCreated' as const, data: { object: pod(`p${i}`) } })),
  ...Array.from({ length: 20 }, (_, i) => ({ type: 'PodScheduled' as const, data: { ref: { kind: 'Pod', namespace: 'default', name: `p${i}` }, nodeName: 'n1', decision: { evaluated: 1, feasible: 1, verdicts: [], chosen: 'n1', decidedBy: 'test' } } })),
  [{ type: 'NodeHeartbeat', data: { nodes: ['n1'] } }, { time: Date.UTC(2026, 0, 1, 0, 0, 10) }],
);

describe('event-sourcing invariants', () => {
  it('hold for a history replayed from its own log, in either order of checking', () => {
    const live = rebuildState(events);
    const end: RunEnd = { state: live, events, quietSince: 0 };
    expect(snapshotPlusTailEqualsReplay.start().atEnd!(end)).toBeUndefined();
    expect(rebuildEqualsLive.start().atEnd!(end)).toBeUndefined();
  });

  it('rebuild-equals-live reports a live state that the log does not produce', () => {
    const live = rebuildState(events.slice(0, -1));
    const end: RunEnd = { state: live, events, quietSince: 0 };
    expect(rebuildEqualsLive.start().atEnd!(end)).toBe(`state rebuilt from ${events.length} events differs from the live state`);
  });

  /** Hands every event to the checker with a state rebuilt in lockstep (as runHistory does), skipping `skip` events in that state. */
  function lockstep(checker: InvariantChecker, skip: (position: number) => boolean = () => false): ClusterState {
    const state = createClusterState();
    for (const event of events) {
      if (!skip(event.position)) applyEvent(state, event);
      else state.position = event.position;
      checker.onEvent?.(event, state);
    }
    return state;
  }

  it('hold when checked against the state rebuilt in lockstep during the run', () => {
    for (const invariant of [rebuildEqualsLive, snapshotPlusTailEqualsReplay]) {
      const checker = invariant.start();
      lockstep(checker);
      expect(checker.atEnd!({ state: rebuildState(events), events, quietSince: 0 })).toBeUndefined();
    }
  });

  it('rebuild-equals-live compares the live state with the lockstep rebuild', () => {
    const checker = rebuildEqualsLive.start();
    lockstep(checker);
    const live = rebuildState(events.slice(0, -1));
    live.position = events.length;
    expect(checker.atEnd!({ state: live, events, quietSince: 0 })).toBe(`state rebuilt from ${events.length} events differs from the live state`);
  });

  it('snapshot-plus-tail-equals-replay loads the snapshots taken on the way (nearest to 10%, 50%, 90%) and replays their tails', () => {
    // A rebuild that missed the last event: every snapshot taken before it, loaded and replayed to
    // the end, ends elsewhere than that rebuild; the earliest cut (4 of 43 events) is reported.
    const checker = snapshotPlusTailEqualsReplay.start();
    lockstep(checker, (position) => position === events.length);
    expect(events).toHaveLength(43);
    expect(checker.atEnd!({ state: rebuildState(events), events, quietSince: 0 })).toBe('snapshot at position 4 plus tail differs from a full replay');
  });

  it('replay the log themselves when the state they were shown is the live one', () => {
    const checker = rebuildEqualsLive.start();
    const live = lockstep(checker, (position) => position === events.length);
    expect(checker.atEnd!({ state: live, events, quietSince: 0 })).toBe(`state rebuilt from ${events.length} events differs from the live state`);
  });
});
