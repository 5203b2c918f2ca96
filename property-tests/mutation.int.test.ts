import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Controller } from '../projections/engine/controller.ts';
import { controllersWith } from '../projections/engine/default-controllers.ts';
import { parseScenario } from '../replay/scenario/scenario-file.ts';
import { check } from './check.ts';
import { builtInInvariants } from './invariants/index.ts';
import { deploymentIgnoringMaxUnavailable } from './mutants/deployment-ignoring-max-unavailable.ts';
import { nodeLifecycleEvictingImmediately } from './mutants/node-lifecycle-evicting-immediately.ts';
import { nodeLifecycleIgnoringApiTaints } from './mutants/node-lifecycle-ignoring-api-taints.ts';
import { replicaSetWithoutExpectations } from './mutants/replicaset-without-expectations.ts';
import { replicaSetWithoutResync } from './mutants/replicaset-without-resync.ts';
import { schedulerIgnoringCapacity } from './mutants/scheduler-ignoring-capacity.ts';
import { runHistory } from './run-history.ts';

function replacing(mutant: () => Controller): () => Controller[] {
  return () => {
    const controller = mutant();
    return controllersWith({ [controller.name]: controller });
  };
}

// Each deliberately broken controller must be caught by the invariant that guards against its bug.
// This is what proves the invariants can fail.
describe('mutation check: broken controllers are caught', { timeout: 300_000 }, () => {
  it('a scheduler that ignores capacity breaks requests-within-allocatable', async () => {
    const report = await check({
      runs: 60,
      seed: 2,
      shrink: false,
      settle: 60_000,
      cluster: { minNodes: 4, maxNodes: 5 },
      workloads: { maxWorkloads: 8, containerFaults: false },
      faults: false,
      actions: false,
      controllers: replacing(schedulerIgnoringCapacity),
    });
    expect(report.ok).toBe(false);
    expect(report.failure?.violation.invariant).toBe('requests-within-allocatable');
    expect(report.failure?.violation.message).toMatch(/node node-\d+ has \d+m cpu requested of \d+m allocatable|memory requested/);
  });

  it('a node lifecycle controller that evicts at once breaks eviction-respects-toleration', async () => {
    const report = await check({
      runs: 40,
      seed: 7,
      shrink: false,
      cluster: { maxNodes: 4 },
      workloads: { maxWorkloads: 4, containerFaults: false },
      actions: false,
      controllers: replacing(nodeLifecycleEvictingImmediately),
    });
    expect(report.ok).toBe(false);
    expect(report.failure?.violation.invariant).toBe('eviction-respects-toleration');
    expect(report.failure?.violation.message).toMatch(/was evicted from node-\d+ at .* but its toleration ran until/);
  });

  it('a node lifecycle controller that misses taints written through the API breaks noexecute-taints-evict', async () => {
    const report = await check({
      runs: 40,
      seed: 3,
      shrink: false,
      cluster: { maxNodes: 4 },
      workloads: { maxWorkloads: 4, containerFaults: false },
      faults: false,
      timeline: { maxActions: 6 },
      controllers: replacing(nodeLifecycleIgnoringApiTaints),
    });
    expect(report.ok).toBe(false);
    expect(report.failure?.violation.invariant).toBe('noexecute-taints-evict');
    expect(report.failure?.violation.message).toMatch(/is still on node-\d+ \d+s after the NoExecute taint example\.com\/maintenance it does not tolerate appeared there/);
  });

  it('a Deployment controller that forgets maxUnavailable breaks rolling-update-within-bounds, and shrinks to a replayable scenario', async () => {
    const outputDir = await mkdtemp(join(tmpdir(), 'orrery-mutant-'));
    const controllers = replacing(deploymentIgnoringMaxUnavailable);
    const report = await check({
      runs: 25,
      seed: 7,
      cluster: { maxNodes: 4 },
      workloads: { maxWorkloads: 5, containerFaults: false },
      faults: false,
      controllers,
      outputDir,
    });
    expect(report.ok).toBe(false);
    const failure = report.failure!;
    expect(failure.violation.invariant).toBe('rolling-update-within-bounds');
    expect(failure.violation.message).toMatch(/available pods, fewer than replicas \d+ - maxUnavailable \d+/);
    // Shrunk to the essence: one workload and a single action (the image change that starts the rollout).
    expect(failure.scenario.manifests).toHaveLength(1);
    expect(failure.scenario.timeline.length).toBeLessThanOrEqual(2);
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
    // The written scenario file replays to the same violation at the same position.
    const scenario = parseScenario(await readFile(failure.scenarioFile!, 'utf8'));
    const replayed = await runHistory(scenario, { invariants: builtInInvariants, controllers });
    expect(replayed.violations[0]).toMatchObject({ invariant: failure.violation.invariant, position: failure.violation.position });
  });

  it('a ReplicaSet controller without expectations passes in the default order but is caught under interleavings, and its schedule replays from the scenario file', async () => {
    const controllers = replacing(replicaSetWithoutExpectations);
    const shape = { cluster: { maxNodes: 3 }, workloads: { maxWorkloads: 3, containerFaults: false }, faults: false, actions: false, settle: 120_000 };
    // Every controller reacting to the live state (which already holds its own creates): never caught.
    const inOrder = await check({ ...shape, runs: 60, seed: 3, controllers });
    expect(inOrder.failure?.violation ?? null).toBeNull();

    const outputDir = await mkdtemp(join(tmpdir(), 'orrery-mutant-'));
    const report = await check({ ...shape, runs: 40, seed: 3, controllers, interleavings: true, outputDir });
    expect(report.ok).toBe(false);
    const failure = report.failure!;
    expect(failure.violation.invariant).toBe('rolling-update-within-bounds');
    expect(failure.violation.message).toMatch(/has \d+ pods, more than replicas \d+ \+ maxSurge \d+/);
    // Shrunk to a schedule in which the ReplicaSet controller's own view is perturbed.
    expect(failure.scenario.interleavings?.some((p) => p.controller === 'replicaset-controller' && p.kind !== 'first')).toBe(true);

    // The scenario file records the schedule and replays to the same violation at the same position.
    const scenario = parseScenario(await readFile(failure.scenarioFile!, 'utf8'));
    expect(scenario.interleavings).toEqual(failure.scenario.interleavings);
    const replayed = await runHistory(scenario, { invariants: builtInInvariants, controllers });
    expect(replayed.violations[0]).toMatchObject({ invariant: failure.violation.invariant, position: failure.violation.position });
    // The schedule is what exposes the bug: the same history in the default order passes, and so
    // does the real ReplicaSet controller (with expectations) under the same schedule.
    expect((await runHistory({ ...scenario, interleavings: [] }, { invariants: builtInInvariants, controllers })).violations).toEqual([]);
    expect((await runHistory(scenario, { invariants: builtInInvariants })).violations).toEqual([]);
  });

  it('a ReplicaSet controller that does not resync when it restarts passes in the default order but is caught when it crashes mid-reconcile', async () => {
    const controllers = replacing(replicaSetWithoutResync);
    const shape = { cluster: { maxNodes: 3 }, workloads: { maxWorkloads: 3, containerFaults: false }, faults: false, actions: false, settle: 5 * 60_000 };
    const inOrder = await check({ ...shape, runs: 60, seed: 1, controllers });
    expect(inOrder.failure?.violation ?? null).toBeNull();

    const report = await check({ ...shape, runs: 40, seed: 1, controllers, interleavings: true });
    expect(report.ok).toBe(false);
    const failure = report.failure!;
    expect(failure.violation.invariant).toBe('workloads-converge');
    expect(failure.scenario.interleavings?.some((p) => p.controller === 'replicaset-controller' && p.kind === 'restart')).toBe(true);
    // Without the crash the same history passes, and the real controller survives the crash.
    expect((await runHistory({ ...failure.scenario, interleavings: [] }, { invariants: builtInInvariants, controllers })).violations).toEqual([]);
    expect((await runHistory(failure.scenario, { invariants: builtInInvariants })).violations).toEqual([]);
  });
});
