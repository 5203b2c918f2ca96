import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StoredEvent } from '../core/events.ts';
import { defaultControllers } from '../projections/engine/default-controllers.ts';
import { firstDivergence, rerun } from '../replay/service/rerun.ts';
import { withInterleavings } from './arbitraries/interleavings.ts';
import { scenarioArbitrary } from './arbitraries/scenario.ts';
import { check } from './check.ts';
import { builtInInvariants } from './invariants/index.ts';
import { runHistory } from './run-history.ts';

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

  it('a recording made under a schedule carries it in ClusterInitialized, so a re-run (replay verify, forks) follows it', async () => {
    const names = defaultControllers().map((c) => c.name);
    const [scenario] = fc.sample(withInterleavings(scenarioArbitrary({ workloads: { maxWorkloads: 4 }, faults: false }), names, { kinds: ['stale', 'restart'] }), { numRuns: 1, seed: 8 });
    expect(scenario!.interleavings?.length).toBeGreaterThan(0);
    const recorded = (await runHistory(scenario!, { invariants: builtInInvariants })).events;
    expect(recorded[0]!.type === 'ClusterInitialized' && recorded[0]!.data.interleavings).toEqual(scenario!.interleavings);
    expect(firstDivergence(recorded, (await rerun({ events: recorded })).events)).toBeUndefined();
    // Without the schedule the controllers produce another log: the re-run did use it.
    const first = recorded[0] as Extract<StoredEvent, { type: 'ClusterInitialized' }>;
    const { interleavings: _, ...plain } = first.data;
    const unscheduled = await rerun({ events: [{ ...first, data: plain }, ...recorded.slice(1)] });
    expect(firstDivergence(recorded.slice(1), unscheduled.events.slice(1))).toBeDefined();
  });
});
