import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { controllersWith } from '../projections/engine/default-controllers.ts';
import { parseScenario } from '../replay/scenario/scenario-file.ts';
import { exploreInterleavings } from './explore-interleavings.ts';
import { builtInInvariants } from './invariants/index.ts';
import { replicaSetWithoutExpectations } from './mutants/replicaset-without-expectations.ts';
import { runHistory } from './run-history.ts';

// One Deployment scaled up, rolled out and scaled down on three nodes (its own schedule is ignored:
// exploration starts from the default order).
const scenario = parseScenario(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'regressions', 'replicaset-stale-view.scenario.yaml'), 'utf8'));

describe('systematic interleaving exploration of one history', { timeout: 300_000 }, () => {
  it('finds the ReplicaSet controller without expectations at a single perturbation of its own reactions, and the plan replays', async () => {
    const controllers = () => controllersWith({ 'replicaset-controller': replicaSetWithoutExpectations() });
    const report = await exploreInterleavings(scenario, { controllers, only: ['replicaset-controller'] });
    expect(report.reactions).toBeGreaterThan(5);
    const failure = report.failure!;
    expect(failure.violation.invariant).toBe('rolling-update-within-bounds');
    expect(failure.scenario.interleavings).toHaveLength(1);
    expect(failure.scenario.interleavings![0]).toMatchObject({ controller: 'replicaset-controller' });
    const replayed = await runHistory(failure.scenario, { invariants: builtInInvariants, controllers });
    expect(replayed.violations[0]).toMatchObject({ invariant: failure.violation.invariant, position: failure.violation.position });
  });

  it('the real Deployment and ReplicaSet controllers survive every plan at their reactions', async () => {
    const plans: string[] = [];
    const report = await exploreInterleavings(scenario, { only: ['deployment-controller', 'replicaset-controller'], maxPlans: 60, onPlan: (_, p) => plans.push(p.kind) });
    expect(report.failure?.violation ?? null).toBeNull();
    expect(report.plans).toBe(60);
    expect(new Set(plans)).toEqual(new Set(['stale', 'coalesce', 'first', 'restart']));
  });
});
