import { describe, expect, it } from 'vitest';
import { history, node, pod } from '../../projections/state/test-events.ts';
import { rebuildState } from '../../projections/state/reducer.ts';
import { rebuildEqualsLive, snapshotPlusTailEqualsReplay } from './event-sourcing.ts';
import type { RunEnd } from './invariant.ts';

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
});
