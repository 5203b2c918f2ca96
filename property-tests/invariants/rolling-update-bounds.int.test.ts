import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Controller } from '../../projections/engine/controller.ts';
import { controllersWith } from '../../projections/engine/default-controllers.ts';
import { runScenario } from '../../replay/scenario/run-scenario.ts';
import type { Scenario } from '../../replay/scenario/scenario.ts';
import { scenarioArbitrary } from '../arbitraries/scenario.ts';
import { deploymentIgnoringMaxUnavailable } from '../mutants/deployment-ignoring-max-unavailable.ts';
import { startRollingUpdateCheck } from './rolling-update-bounds.ts';

// The check re-examines only the Deployments an event concerns; re-examining all of them at every
// event must give the same verdict at every event, on healthy and on broken controllers alike.
describe('rolling-update-within-bounds, checked incrementally', { timeout: 120_000 }, () => {
  async function compare(scenarios: Scenario[], controllers?: () => Controller[]): Promise<{ verdicts: number; violations: number }> {
    let verdicts = 0;
    let violations = 0;
    for (const scenario of scenarios) {
      const incremental = startRollingUpdateCheck();
      const full = startRollingUpdateCheck({ everyDeployment: true });
      const run = await runScenario(scenario, {
        ...(controllers ? { controllers: controllers() } : {}),
        onEvent(event, state) {
          const expected = full.onEvent!(event, state);
          expect(incremental.onEvent!(event, state), `event ${event.position} (${event.type})`).toBe(expected);
          verdicts++;
          if (expected) violations++;
        },
      });
      await run.cluster.close();
    }
    return { verdicts, violations };
  }

  it('gives the full scan verdict at every event of generated histories', async () => {
    const shape = { cluster: { maxNodes: 4 }, workloads: { maxWorkloads: 6 }, timeline: { maxFaults: 6, maxActions: 12 }, settle: 5 * 60_000 };
    const { verdicts } = await compare(fc.sample(scenarioArbitrary(shape), { numRuns: 6, seed: 11 }));
    expect(verdicts).toBeGreaterThan(1000);
  });

  it('gives the full scan verdict at every event when a broken Deployment controller breaks the bound', async () => {
    const shape = { cluster: { maxNodes: 4 }, workloads: { maxWorkloads: 5, containerFaults: false }, faults: false };
    const mutant = () => {
      const controller = deploymentIgnoringMaxUnavailable();
      return controllersWith({ [controller.name]: controller });
    };
    const { violations } = await compare(fc.sample(scenarioArbitrary(shape), { numRuns: 16, seed: 7 }).slice(12), mutant);
    // The 15th of these histories breaks the bound (as in mutation.int.test.ts), so violations are compared too.
    expect(violations).toBeGreaterThan(0);
  });
});
