import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeVerdict } from '../../../core/events.ts';
import type { ScorePlugin } from './scores/score.ts';
import { buildVerdictTable, expandNodeNames, expandVerdictTable, numberedName } from './verdict-table.ts';

const plugin = (name: string, weight: number): ScorePlugin => ({ name, weight, applies: () => true, score: () => undefined });

/** Node names as clusters have them: numbered pools (padded or not), with gaps, and plain names. */
const nodeNames = fc
  .array(
    fc.oneof(
      fc.record({ prefix: fc.constantFrom('node-', 'pool-a-', 'n', 'worker.'), from: fc.nat(120), length: fc.integer({ min: 1, max: 40 }), pad: fc.integer({ min: 0, max: 5 }) }).map(({ prefix, from, length, pad }) =>
        Array.from({ length }, (_, i) => `${prefix}${String(from + i).padStart(pad, '0')}`),
      ),
      fc.constantFrom(['control-plane'], ['edge'], ['node-9', 'node-10'], ['node-09', 'node-10'], ['a1', 'b2']),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((pools) => [...new Set(pools.flat())]);

/** Natural order, written independently of the encoder: plain names by name, then prefix, digit count, number. */
function naturalCompare(a: string, b: string): number {
  const x = /^(.*?)(\d+)$/.exec(a);
  const y = /^(.*?)(\d+)$/.exec(b);
  if (!x || !y) return !x && !y ? (a < b ? -1 : a > b ? 1 : 0) : x ? 1 : -1;
  if (x[1] !== y[1]) return x[1]! < y[1]! ? -1 : 1;
  return x[2]!.length - y[2]!.length || Number(x[2]) - Number(y[2]);
}

describe('verdict table', () => {
  it('expands to exactly the verdicts it was built from (property)', () => {
    fc.assert(
      fc.property(
        nodeNames,
        // Up to nine plugins: past seven, and with scores outside 0..127, groups are keyed by strings.
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        // Up to 150 distinct verdicts, so that two digits per node are needed too.
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        // As the scheduler evaluates them (a window of the name-sorted list, wrapping round), or any order.
        fc.option(fc.nat(), { nil: undefined }),
        (pool, pluginCount, wide, distinct, seed, rotation) => {
          const sorted = [...pool].sort();
          const names = rotation === undefined ? pool : [...sorted.slice(rotation % sorted.length), ...sorted.slice(0, rotation % sorted.length)];
          let state = seed;
          const random = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
          const plugins = Array.from({ length: pluginCount }, (_, p) => plugin(`Plugin${p}`, [1, 2, 0.5, 3][p % 4]!));
          const failureKinds = [
            { plugin: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] },
            { plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu', 'Insufficient memory'] },
            { plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {gpu: true}'] },
          ];
          const palette = Array.from({ length: distinct }, () => Array.from({ length: pluginCount }, () => (wide ? random(260) - 30 : random(101))));
          const perPlugin = plugins.map(() => new Int32Array(names.length));
          const codes = new Int32Array(names.length);
          const failures: Array<{ plugin: string; reasons: string[] }> = [];
          const expected: NodeVerdict[] = [];
          let feasibleCount = 0;
          names.forEach((name, i) => {
            if (random(4) === 0) {
              const failure = failureKinds[random(failureKinds.length)]!;
              codes[i] = -1 - failures.length;
              failures.push(failure);
              expected.push({ node: name, failure: failure.reasons.join(', '), plugin: failure.plugin });
              return;
            }
            const scores = palette[random(distinct)]!;
            codes[i] = feasibleCount;
            plugins.forEach((_, p) => (perPlugin[p]![feasibleCount] = scores[p]!));
            feasibleCount++;
            let total = 0;
            const named: Record<string, number> = {};
            plugins.forEach((p, index) => {
              named[p.name] = scores[index]!;
              total += scores[index]! * p.weight;
            });
            expected.push({ node: name, scores: named, total });
          });
          const nodes = names.map((name) => ({ name, numbered: numberedName(name) }));
          const table = buildVerdictTable(nodes, codes, names.length, failures, plugins, perPlugin);
          const expanded = expandVerdictTable(JSON.parse(JSON.stringify(table)));
          const byName = (a: NodeVerdict, b: NodeVerdict) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
          expect([...expanded].sort(byName)).toEqual([...expected].sort(byName));
          expect(expanded.map((v) => v.node)).toEqual([...names].sort(naturalCompare));
          expect(table.rows).toMatch(/^([A-Za-z0-9_-]+(\*\d+)?)*$/);
        },
      ),
      { seed: 4, numRuns: 300 },
    );
  });

  it('lists nodes in natural name order, consecutively numbered ones as runs', () => {
    const nodes = ['node-0098', 'node-0099', 'node-0100', 'node-0101', 'node-0103', 'node-9', 'node-10', 'edge', 'n7', 'n8'];
    const table = buildVerdictTable(
      nodes.map((name) => ({ name, numbered: numberedName(name) })),
      new Int32Array(nodes.length).fill(-1),
      nodes.length,
      [{ plugin: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] }],
      [],
      [],
    );
    expect(table.nodes).toEqual(['edge', 'n7..8', 'node-9', 'node-10', 'node-0098..0101', 'node-0103']);
    expect(expandNodeNames(table.nodes)).toEqual(['edge', 'n7', 'n8', 'node-9', 'node-10', 'node-0098', 'node-0099', 'node-0100', 'node-0101', 'node-0103']);
    expect(table.groups).toEqual([{ plugin: 'NodeUnschedulable', failure: 'node(s) were unschedulable' }]);
    // Ten nodes in one group: one digit and the run's length.
    expect(table.rows).toBe('A*10');
  });

  it('shares its groups, frozen, between tables with the same verdicts, and gives each table its own rows', () => {
    const nodes = ['node-1', 'node-2', 'node-3'].map((name) => ({ name, numbered: numberedName(name) }));
    const plugins = [plugin('A', 1), plugin('B', 2)];
    const build = (b: number) =>
      buildVerdictTable(nodes, Int32Array.from([0, 1, -1]), 3, [{ plugin: 'NodeUnschedulable', reasons: ['node(s) were unschedulable'] }], plugins, [Int32Array.from([50, 50]), Int32Array.from([b, 7])]);
    const first = build(7);
    const second = build(7);
    const third = build(8);
    expect(second.groups).toBe(first.groups);
    expect(Object.isFrozen(first.groups[0])).toBe(true);
    expect(() => ((first.groups[0] as { scores: number[] }).scores[0] = 1)).toThrow();
    expect(third.groups[1]).toBe(first.groups[0]);
    expect(expandVerdictTable(first)).toEqual([
      { node: 'node-1', scores: { A: 50, B: 7 }, total: 64 },
      { node: 'node-2', scores: { A: 50, B: 7 }, total: 64 },
      { node: 'node-3', failure: 'node(s) were unschedulable', plugin: 'NodeUnschedulable' },
    ]);
    expect(first.rows).toBe('AAB');
    expect(third.rows).toBe('ABC');
  });
});
