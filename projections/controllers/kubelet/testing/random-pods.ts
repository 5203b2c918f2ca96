import fc from 'fast-check';
import type { OrreryEvent } from '../../../../core/events.ts';
import type { KubeObject } from '../../../../core/model/object.ts';
import { createBackoff } from '../backoff.ts';
import { type RuntimeContext, admitPod, advancePod, beginTermination, newPodRun } from '../pod-runtime.ts';

/** Random pods for property tests of the simulated runtime: exits, probes, init containers and sidecars, restart policies, a deletion. */

export const T0 = Date.UTC(2026, 0, 1);
export const HORIZON = 30 * 60_000;

const containerArb = fc.record({
  exitAfter: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
  exitCode: fc.constantFrom(0, 1, 2),
  liveness: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  readiness: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
});

export const podArb = fc.record({
  restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
  containers: fc.array(containerArb, { minLength: 1, maxLength: 3 }),
  init: fc.array(fc.record({ sidecar: fc.boolean(), exitAfter: fc.integer({ min: 0, max: 30 }), exitCode: fc.constantFrom(0, 0, 1) }), { maxLength: 2 }),
  deleteAt: fc.option(fc.integer({ min: 0, max: HORIZON / 1000 }), { nil: undefined }),
});

export type PodShape = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

export function podOf(shape: PodShape): KubeObject {
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

/** The pod's life in the runtime, one entry per sync (all its events at one instant), until it stops or the horizon. */
export function runSteps(shape: PodShape): Array<{ at: number; events: OrreryEvent[] }> {
  const ctx: RuntimeContext = { crashBackoff: createBackoff(), pullBackoff: createBackoff(), allocatePodIP: () => '10.244.0.2' };
  const pod = podOf(shape);
  const podRun = newPodRun(pod, 'n', '10.0.0.1');
  const steps: Array<{ at: number; events: OrreryEvent[] }> = [];
  let step = admitPod(podRun, T0, ctx);
  steps.push({ at: T0, events: step.events });
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
    steps.push({ at: now, events: step.events });
  }
  return steps;
}
