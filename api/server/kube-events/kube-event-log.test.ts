import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createClusterState } from '../../../projections/state/reducer.ts';
import type { ObjectChange } from '../watch/object-changes.ts';
import { createKubeEventLog } from './kube-event-log.ts';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'app:1' }] } };

function unschedulable(position: number, message: string): { event: StoredEvent; changes: ObjectChange[] } {
  const event = {
    type: 'PodUnschedulable',
    data: { ref: { kind: 'Pod', namespace: 'ns', name: 'p' }, decision: { evaluated: 3, feasible: 0, verdicts: [], message } },
    metadata: { actor: 'scheduler', time: Date.UTC(2026, 0, 1) + position * 1000 },
    stream: 'Pod/ns/p',
    streamRevision: position,
    position,
  } as StoredEvent;
  return { event, changes: [{ position, kind: 'Pod', key: 'ns/p', before: pod, after: pod, event }] };
}

describe('Kubernetes Events log', () => {
  it('counts repeats of the same Event instead of adding new ones, as the event recorder does', () => {
    const log = createKubeEventLog();
    const state = createClusterState();
    const message = '0/3 nodes are available: 3 Insufficient cpu.';
    const first = log.record(unschedulable(10, message).event, unschedulable(10, message).changes, state);
    expect(first).toHaveLength(1);
    expect(first[0]!.before).toBeUndefined();
    expect(first[0]!.after).toMatchObject({ type: 'Warning', reason: 'FailedScheduling', message, count: 1, involvedObject: { kind: 'Pod', name: 'p', uid: 'u1' } });
    const again = log.record(unschedulable(20, message).event, unschedulable(20, message).changes, state);
    expect(again[0]!.before).toBe(first[0]!.after);
    expect(again[0]!.after).toMatchObject({ count: 2, firstTimestamp: '2026-01-01T00:00:10Z', lastTimestamp: '2026-01-01T00:00:20Z', metadata: { name: first[0]!.after!.metadata.name, resourceVersion: '20' } });
    log.record(unschedulable(30, 'other').event, unschedulable(30, 'other').changes, state);
    expect(log.list('ns').map((e) => [e.message, e.count])).toEqual([
      [message, 2],
      ['other', 1],
    ]);
  });

  it('keeps only the newest events', () => {
    const log = createKubeEventLog(2);
    const state = createClusterState();
    for (let i = 1; i <= 5; i++) log.record(unschedulable(i, `m${i}`).event, unschedulable(i, `m${i}`).changes, state);
    expect(log.list().map((e) => e.message)).toEqual(['m4', 'm5']);
    // An evicted Event's repeat starts a new one.
    log.record(unschedulable(6, 'm1').event, unschedulable(6, 'm1').changes, state);
    expect(log.list().map((e) => [e.message, e.count])).toEqual([
      ['m5', 1],
      ['m1', 1],
    ]);
  });
});
