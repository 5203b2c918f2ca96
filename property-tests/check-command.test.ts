import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioArbitrary } from './arbitraries/scenario.ts';
import { checkShape, defaultWorkers } from './check-command.ts';

describe('orrery check: default worker threads', () => {
  it('uses one thread for short checks and a worker per core once each gets ~100 histories', () => {
    expect(defaultWorkers(20, 2)).toBe(1);
    expect(defaultWorkers(100, 2)).toBe(1);
    expect(defaultWorkers(199, 2)).toBe(1);
    expect(defaultWorkers(200, 2)).toBe(2);
    expect(defaultWorkers(10_000, 2)).toBe(2);
    expect(defaultWorkers(10_000, 8)).toBe(8);
    expect(defaultWorkers(350, 8)).toBe(3);
    expect(defaultWorkers(1000, 1)).toBe(1);
  });
});

describe('orrery check: the shape options', () => {
  const base = { minNodes: 3, maxNodes: 5, workloads: 20, faults: true, actions: true };
  const longestTimeline = (options: Parameters<typeof checkShape>[0]) =>
    Math.max(...fc.sample(scenarioArbitrary(checkShape(options)), { numRuns: 40, seed: 3 }).map((scenario) => scenario.timeline.length));

  it('--max-faults and --max-actions bound the generated timeline (0 and 0: none at all)', () => {
    expect(longestTimeline({ ...base, maxFaults: 0, maxActions: 0 })).toBe(0);
    const defaults = longestTimeline(base);
    expect(defaults).toBeGreaterThan(0);
    // Defaults: at most 3 faults (each a fault and its recovery) and 6 actions (some with an undo).
    expect(defaults).toBeLessThanOrEqual(3 * 2 + 6 * 2);
    expect(longestTimeline({ ...base, maxFaults: 30, maxActions: 70 })).toBeGreaterThan(3 * 2 + 6 * 2);
  });
});
