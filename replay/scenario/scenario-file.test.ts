import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArbitrary } from '../../property-tests/arbitraries/scenario.ts';
import { ScenarioFileError, parseScenario, scenarioToYaml } from './scenario-file.ts';

describe('scenario file', () => {
  it('round-trips every generated scenario through YAML', () => {
    fc.assert(
      fc.property(scenarioArbitrary({ workloads: { maxWorkloads: 4 } }), (scenario) => {
        expect(parseScenario(scenarioToYaml(scenario))).toEqual(scenario);
      }),
      { seed: 3, numRuns: 50 },
    );
  });

  it('names the field that is wrong', () => {
    const base = 'seed: 1\ncluster:\n  nodes:\n    - name: node-1\n';
    expect(() => parseScenario(`${base}timeline:\n  - at: 2x\n    action: scale\n`)).toThrow(/timeline\[0\]\.at: invalid duration "2x"/);
    expect(() => parseScenario(`${base}timeline:\n  - at: 1m\n    action: explode\n`)).toThrow(/timeline\[0\]\.action: unknown action "explode"/);
    expect(() => parseScenario('seed: 1\ncluster: {}\n')).toThrow(ScenarioFileError);
    expect(() => parseScenario(`${base}timeline:\n  - at: 2m\n    action: cordon\n    node: node-1\n  - at: 1m\n    action: uncordon\n    node: node-1\n`)).toThrow(
      /timeline\[1\]\.at: entries must be in time order/,
    );
  });
});
