import { describe, expect, it } from 'vitest';
import { check } from './check.ts';

// The project's own controllers against every built-in invariant, over generated clusters,
// workloads, node faults and user actions. A nightly-size run: `npm run test:props -- --runs 10000`.
describe('built-in controllers keep every invariant', { timeout: 300_000 }, () => {
  it('over generated histories with faults and user actions', async () => {
    const report = await check({ runs: 24, seed: 20261123, workloads: { maxWorkloads: 8 } });
    expect(report.failure?.violation ?? null).toBeNull();
    expect(report.ok).toBe(true);
  });

  it('re-running the controllers reproduces each recorded log exactly', async () => {
    const report = await check({ runs: 4, seed: 99, workloads: { maxWorkloads: 6 }, verifyDeterminism: true });
    expect(report.failure?.violation ?? null).toBeNull();
  });

  it('under generated interleavings: stale views, coalesced notifications, reordered controllers and crash-restarts mid-reconcile', async () => {
    const report = await check({ runs: 16, seed: 20261124, workloads: { maxWorkloads: 6 }, interleavings: true });
    expect(report.failure?.violation ?? null).toBeNull();
    expect(report.ok).toBe(true);
  });

  it('an interleaving schedule reproduces its recorded log exactly', async () => {
    const report = await check({ runs: 3, seed: 98, workloads: { maxWorkloads: 5 }, interleavings: true, verifyDeterminism: true });
    expect(report.failure?.violation ?? null).toBeNull();
  });
});
