import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { containerSimulation } from './sim-annotations.ts';

function pod(annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', annotations }, spec: { containers: [] } } as KubeObject;
}

describe('containerSimulation', () => {
  it('reads the per-container form before the pod-wide one', () => {
    const p = pod({ 'sim.orrery.dev/startup-delay': '5s', 'sim.orrery.dev/app.startup-delay': '2s', 'sim.orrery.dev/exit-code': '3' });
    expect(containerSimulation(p, 'app', 'nginx:1.27')).toMatchObject({ startupDelayMs: 2000, exitCode: 3, exitAfterMs: 0 });
    expect(containerSimulation(p, 'side', 'nginx:1.27')).toMatchObject({ startupDelayMs: 5000, exitCode: 3, exitAfterMs: 0 });
    expect(containerSimulation(p, 'side', 'nginx:bad').imagePullFails).toBe(true);
  });

  it('gives a pod the answer its own annotations give, whatever pods were asked about before', () => {
    // A pool small enough that sets repeat (answers are then remembered) and whose keys and values
    // would run into each other if simply concatenated.
    const key = fc.constantFrom('startup-delay', 'exit-after', 'exit-code', 'image-pull', 'liveness-fail-after', 'readiness-fail-after', 'oom-after', 'shutdown-delay');
    const value = fc.constantFrom('1s', '10s', '1', '0', '3', 'fail', '2m30s', 'x', '');
    const container = fc.constantFrom('app', 'ap', 'app.exit-after', 'side');
    const entry = fc.tuple(fc.option(container, { nil: undefined }), key, value);
    const annotationSet = fc.oneof(
      fc.array(entry, { maxLength: 5 }),
      fc.constantFrom<Array<[string | undefined, string, string]>>([['app', 'exit-code', '3']], [[undefined, 'startup-delay', '10s'], ['ap', 'startup-delay', '1s']]),
    );
    let nonce = 0;
    fc.assert(
      fc.property(annotationSet, container, fc.constantFrom('nginx:1.27', 'pnginx:bad', 'nginx:bad', 'r/x:1s'), fc.option(fc.constantFrom(0, 250, 1000), { nil: undefined }), (set, name, image, startupDelayMs) => {
        const annotations: Record<string, string> = {};
        for (const [c, k, v] of set) annotations[`sim.orrery.dev/${c === undefined ? '' : `${c}.`}${k}`] = v;
        const defaults = startupDelayMs === undefined ? {} : { startupDelayMs };
        // An annotation no one reads makes this pod's set new: its answer is worked out afresh.
        const fresh = containerSimulation(pod({ ...annotations, 'sim.orrery.dev/test-nonce': String(nonce++) }), name, image, defaults);
        expect(containerSimulation(pod(annotations), name, image, defaults)).toEqual(fresh);
      }),
      { seed: 44, numRuns: 2000 },
    );
  });
});
