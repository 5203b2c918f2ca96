import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContainerState, OrreryEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createBackoff } from './backoff.ts';
import { type RuntimeContext, admitPod, advancePod, beginTermination, newPodRun } from './pod-runtime.ts';

const T0 = Date.UTC(2026, 0, 1);
const HORIZON = 30 * 60_000;
const BACKOFF_GAPS = new Set([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000]);

const containerArb = fc.record({
  exitAfter: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
  exitCode: fc.constantFrom(0, 1, 2),
  liveness: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  readiness: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
});

const podArb = fc.record({
  restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
  containers: fc.array(containerArb, { minLength: 1, maxLength: 3 }),
  init: fc.array(fc.record({ sidecar: fc.boolean(), exitAfter: fc.integer({ min: 0, max: 30 }), exitCode: fc.constantFrom(0, 0, 1) }), { maxLength: 2 }),
  deleteAt: fc.option(fc.integer({ min: 0, max: HORIZON / 1000 }), { nil: undefined }),
});

type PodShape = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function podOf(shape: PodShape): KubeObject {
  const annotations: Record<string, string> = {};
  const containers = shape.containers.map((c, i) => {
    const name = `c${i}`;
    if (c.exitAfter !== undefined) annotations[`sim.orrery.dev/${name}.exit-after`] = `${c.exitAfter}s`;
    annotations[`sim.orrery.dev/${name}.exit-code`] = String(c.exitCode);
    if (c.exitAfter === undefined) delete annotations[`sim.orrery.dev/${name}.exit-code`];
    if (c.liveness !== undefined) annotations[`sim.orrery.dev/${name}.liveness-fail-after`] = `${c.liveness}s`;
    if (c.readiness !== undefined) annotations[`sim.orrery.dev/${name}.readiness-fail-after`] = `${c.readiness}s`;
    return { name, image: 'app', livenessProbe: { periodSeconds: 5 }, readinessProbe: { periodSeconds: 5 } };
  });
  const initContainers = shape.init.map((c, i) => {
    const name = `i${i}`;
    if (!c.sidecar) {
      annotations[`sim.orrery.dev/${name}.exit-after`] = `${c.exitAfter}s`;
      annotations[`sim.orrery.dev/${name}.exit-code`] = String(c.exitCode);
    }
    return { name, image: 'init', ...(c.sidecar ? { restartPolicy: 'Always' } : {}) };
  });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u', annotations }, spec: { restartPolicy: shape.restartPolicy, containers, initContainers } };
}

function run(shape: PodShape): Array<{ at: number; event: OrreryEvent }> {
  const ctx: RuntimeContext = { crashBackoff: createBackoff(), pullBackoff: createBackoff(), allocatePodIP: () => '10.244.0.2' };
  const pod = podOf(shape);
  const podRun = newPodRun(pod, 'n', '10.0.0.1');
  const log: Array<{ at: number; event: OrreryEvent }> = [];
  let step = admitPod(podRun, T0, ctx);
  log.push(...step.events.map((event) => ({ at: T0, event })));
  const deleteAt = shape.deleteAt !== undefined ? T0 + shape.deleteAt * 1000 : undefined;
  let deleted = false;
  for (let i = 0; i < 5_000 && !step.stopped; i++) {
    let now = step.nextAt;
    if (deleteAt !== undefined && !deleted && (now === undefined || now >= deleteAt)) {
      now = deleteAt;
      deleted = true;
      beginTermination(podRun, now, 30);
    }
    if (now === undefined || now > T0 + HORIZON) break;
    step = advancePod(podRun, now, ctx);
    log.push(...step.events.map((event) => ({ at: now!, event })));
  }
  return log;
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
