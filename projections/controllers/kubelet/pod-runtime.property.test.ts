import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ContainerState, OrreryEvent } from '../../../core/events.ts';
import { type PodShape, T0, podArb, runSteps } from './testing/random-pods.ts';

const BACKOFF_GAPS = new Set([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000]);

function run(shape: PodShape): Array<{ at: number; event: OrreryEvent }> {
  return runSteps(shape).flatMap(({ at, events }) => events.map((event) => ({ at, event })));
}

const isTerminal = (phase: string) => phase === 'Succeeded' || phase === 'Failed';
const kind = (s: ContainerState) => (s.running ? 'running' : s.terminated ? 'terminated' : 'waiting');

describe('simulated pod runtime (properties)', () => {
  it('keeps Kubernetes\' invariants for any mix of exits, probes, init containers, policies and deletion', () => {
    fc.assert(
      fc.property(podArb, (shape) => {
        const log = run(shape);
        let phase: string | undefined;
        const last = new Map<string, { restartCount: number; state: ContainerState; at: number }>();
        let previousAt = T0;
        for (const { at, event } of log) {
          expect(at).toBeGreaterThanOrEqual(previousAt);
          previousAt = at;
          if (event.type === 'PodPhaseChanged') {
            if (phase && isTerminal(phase)) expect(event.data.phase).toBe(phase);
            phase = event.data.phase;
            continue;
          }
          if (event.type !== 'ContainerStateChanged') continue;
          const { container, state, ready, started, restartCount } = event.data;
          if (ready) expect(state.running && started).toBeTruthy();
          const before = last.get(container);
          if (before) {
            expect(restartCount - before.restartCount).toBeGreaterThanOrEqual(0);
            expect(restartCount - before.restartCount).toBeLessThanOrEqual(1);
            if (restartCount > before.restartCount) {
              // A restart follows an exit after one of the kubelet's back-off steps.
              expect(kind(before.state) === 'terminated' || before.state.waiting?.reason === 'CrashLoopBackOff').toBe(true);
              expect(BACKOFF_GAPS.has(at - before.at)).toBe(true);
              const isInit = container.startsWith('i') && !shape.init[Number(container.slice(1))]!.sidecar;
              if (shape.restartPolicy === 'Never' && !container.startsWith('i')) expect.unreachable('restarted under restartPolicy Never');
              if (isInit) expect(shape.restartPolicy).not.toBe('Never');
            }
          }
          last.set(container, { restartCount, state, at: state.waiting?.reason === 'CrashLoopBackOff' && before && kind(before.state) === 'terminated' ? before.at : at });
        }
        // A finished pod runs nothing.
        if (phase && isTerminal(phase)) for (const c of last.values()) expect(kind(c.state)).not.toBe('running');
      }),
      { seed: 4242, numRuns: 120 },
    );
  });
});
