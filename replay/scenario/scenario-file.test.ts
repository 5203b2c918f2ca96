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

  it('expands node pools round-robin over zones and reads manifests from files', () => {
    const files: Record<string, string> = {
      '/scenarios/web.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n',
    };
    const scenario = parseScenario(
      'seed: 4\ncluster:\n  nodes:\n    - name: control\n  pools:\n    - name: pool-a\n      count: 3\n      cpu: "8"\n      zones: [zone-a, zone-b]\nmanifests:\n  - file: web.yaml\n',
      { baseDir: '/scenarios', readFile: (path) => files[path] ?? (() => { throw Object.assign(new Error('missing'), { code: 'ENOENT' }); })() },
    );
    expect(scenario.cluster.nodes).toEqual([
      { name: 'control' },
      { name: 'pool-a-1', cpu: '8', zone: 'zone-a' },
      { name: 'pool-a-2', cpu: '8', zone: 'zone-b' },
      { name: 'pool-a-3', cpu: '8', zone: 'zone-a' },
    ]);
    expect(scenario.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Namespace/shop', 'ConfigMap/settings']);
    expect(() => parseScenario('cluster:\n  nodes: [{ name: a }]\nmanifests:\n  - file: nope.yaml\n', { baseDir: '/x', readFile: () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); } })).toThrow(
      'manifests[0].file: cannot read /x/nope.yaml: ENOENT',
    );
    expect(() => parseScenario('cluster:\n  pools:\n    - name: p\n      count: 0\n')).toThrow('cluster.pools[0].count: expected a whole number ≥ 1, got 0');
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
