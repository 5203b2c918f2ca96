import { describe, expect, it } from 'vitest';
import { check } from './check.ts';

const mutantSetup = { invariantsModule: 'property-tests/mutants/deployment-mutant-module.ts', only: ['rolling-update-within-bounds'] };
const failingShape = { runs: 25, seed: 7, cluster: { maxNodes: 4 }, workloads: { maxWorkloads: 5, containerFaults: false }, faults: false, setup: mutantSetup } as const;

describe('check on worker threads', { timeout: 120_000 }, () => {
  it('finds, shrinks and reports the same counterexample, path and violation as one thread', async () => {
    const single = await check({ ...failingShape, workers: 1 });
    const parallel = await check({ ...failingShape, workers: 2 });
    expect(single.ok).toBe(false);
    expect(parallel.ok).toBe(false);
    expect(parallel.seed).toBe(single.seed);
    expect(parallel.failure!.path).toBe(single.failure!.path);
    expect(parallel.failure!.shrinks).toBe(single.failure!.shrinks);
    expect(parallel.failure!.violation).toEqual(single.failure!.violation);
    expect(parallel.failure!.scenario).toEqual(single.failure!.scenario);
  });

  it('gives the same result from workers started from the bundled entry (built-in controllers and invariants)', async () => {
    // Nothing can converge in no time after the last action: a failure found with the built-ins alone.
    const shape = { runs: 20, seed: 5, settle: 0, workloads: { maxWorkloads: 4 }, faults: false, setup: { only: ['workloads-converge'] } } as const;
    const single = await check({ ...shape, workers: 1 });
    const parallel = await check({ ...shape, workers: 2 });
    expect(single.ok).toBe(false);
    expect(parallel.failure!.path).toBe(single.failure!.path);
    expect(parallel.failure!.violation).toEqual(single.failure!.violation);
    expect(parallel.failure!.scenario).toEqual(single.failure!.scenario);
  });

  it('reports the first failure in generation order without shrinking, as one thread does', async () => {
    const single = await check({ ...failingShape, shrink: false, workers: 1 });
    const parallel = await check({ ...failingShape, shrink: false, workers: 2 });
    expect(parallel.failure!.path).toBe(single.failure!.path);
    expect(parallel.failure!.violation).toEqual(single.failure!.violation);
    expect(parallel.failure!.scenario).toEqual(single.failure!.scenario);
  });

  it('checks every history when all pass', async () => {
    const report = await check({ runs: 6, seed: 3, workloads: { maxWorkloads: 4 }, workers: 2 });
    expect(report).toEqual({ ok: true, runs: 6, seed: 3, histories: 6, workers: 2 });
  });

  it('refuses invariants of your own without a setup the workers can load', async () => {
    await expect(check({ runs: 2, invariants: [], workers: 2 })).rejects.toThrow(/needs `setup`/);
  });
});
