import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContainerStatusUpdate, OrreryEvent, StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { getObject } from '../../state/queries.ts';
import { applyEvent, createClusterState } from '../../state/reducer.ts';
import { mergeStatusWrites } from './status-writes.ts';
import { T0, podArb, podOf, runSteps } from './testing/random-pods.ts';

const ref = { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u' };
const waiting: ContainerStatusUpdate = { container: 'c0', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 };
const running: ContainerStatusUpdate = { container: 'c0', state: { running: { startedAt: '2026-01-01T00:00:02Z' } }, ready: true, started: true, restartCount: 0, reason: 'Started' };
const container = (update: ContainerStatusUpdate): OrreryEvent => ({ type: 'ContainerStateChanged', data: { ref, ...update } });
const phase = (phase: 'Pending' | 'Running', extra: Record<string, string> = {}): OrreryEvent => ({ type: 'PodPhaseChanged', data: { ref, phase, hostIP: '10.0.0.1', ...extra } });

/** Applies each sync's events, all at the sync's instant, to a fresh state holding the pod; the pod after each sync. */
function podAfterEachSync(pod: KubeObject, syncs: Array<{ at: number; events: OrreryEvent[] }>): { pods: KubeObject[]; events: number } {
  const state = createClusterState();
  let position = 0;
  const apply = (event: OrreryEvent, time: number) => {
    position++;
    applyEvent(state, { ...event, metadata: { actor: 'kubelet/n', time }, stream: 'Pod/default/p', streamRevision: position - 1, position } as StoredEvent);
  };
  apply({ type: 'ObjectCreated', data: { object: { ...pod, spec: { ...pod.spec, nodeName: 'n' } } } }, T0);
  const pods: KubeObject[] = [];
  for (const { at, events } of syncs) {
    for (const event of events) apply(event, at);
    pods.push(getObject(state, 'Pod', 'default', 'p')!);
  }
  return { pods, events: position };
}

function withoutResourceVersion(pod: KubeObject): KubeObject {
  const { resourceVersion: _, ...metadata } = pod.metadata;
  return { ...pod, metadata };
}

describe('one pod status update per instant (mergeStatusWrites)', () => {
  it('puts the accepted pod\'s waiting containers in its Pending report, and the started ones in its Running report', () => {
    expect(mergeStatusWrites([container(waiting), phase('Pending')])).toEqual([{ type: 'PodPhaseChanged', data: { ref, phase: 'Pending', hostIP: '10.0.0.1', containers: [waiting] } }]);
    expect(mergeStatusWrites([phase('Running', { podIP: '10.244.0.2' }), container(running)])).toEqual([
      { type: 'PodPhaseChanged', data: { ref, phase: 'Running', hostIP: '10.0.0.1', podIP: '10.244.0.2', containers: [running] } },
    ]);
  });

  it('gives each phase report the container changes after it, the first also those before it, in order', () => {
    const second = { ...waiting, container: 'c1' };
    expect(mergeStatusWrites([container(waiting), container(second), phase('Pending'), phase('Running'), container(running)])).toEqual([
      { type: 'PodPhaseChanged', data: { ref, phase: 'Pending', hostIP: '10.0.0.1', containers: [waiting, second] } },
      { type: 'PodPhaseChanged', data: { ref, phase: 'Running', hostIP: '10.0.0.1', containers: [running] } },
    ]);
  });

  it('leaves container changes with no phase report, and phase reports with no container change, as they are', () => {
    const alone = [container(waiting), container(running)];
    expect(mergeStatusWrites(alone)).toBe(alone);
    const phases = [phase('Pending'), phase('Running')];
    expect(mergeStatusWrites(phases)).toBe(phases);
  });

  it('leaves the pod exactly as the separate events did, for any pod\'s life (only the resourceVersion moves less)', () => {
    let merges = 0;
    fc.assert(
      fc.property(podArb, (shape) => {
        const syncs = runSteps(shape);
        const separate = podAfterEachSync(podOf(shape), syncs);
        const merged = podAfterEachSync(podOf(shape), syncs.map(({ at, events }) => ({ at, events: mergeStatusWrites(events) })));
        expect(merged.pods.map(withoutResourceVersion)).toEqual(separate.pods.map(withoutResourceVersion));
        for (const { events } of syncs) {
          const phases = events.filter((e) => e.type === 'PodPhaseChanged').length;
          const written = mergeStatusWrites(events);
          // One event per phase report when there is one; otherwise one per container change.
          expect(written.length).toBe(phases > 0 ? phases : events.length);
          expect(written.flatMap((e) => (e.type === 'PodPhaseChanged' ? (e.data.containers ?? []) : e.type === 'ContainerStateChanged' ? [e.data] : [])).length).toBe(
            events.filter((e) => e.type === 'ContainerStateChanged').length,
          );
          if (phases > 0 && written.length < events.length) merges++;
        }
        expect(merged.events).toBeLessThanOrEqual(separate.events);
      }),
      { seed: 31, numRuns: 150 },
    );
    expect(merges).toBeGreaterThan(150);
  });
});
