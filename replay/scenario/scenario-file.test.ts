import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withInterleavings } from '../../property-tests/arbitraries/interleavings.ts';
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

  it('checks each timeline action\'s fields, naming the one that is wrong', () => {
    const base = 'seed: 1\ncluster:\n  nodes:\n    - name: node-1\ntimeline:\n  - at: 1m\n';
    const entry = (fields: string) => () => parseScenario(`${base}${fields.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
    expect(entry('action: scale\ndeployment: web')).toThrow('timeline[0].replicas: required for scale');
    expect(entry('action: scale\ndeployment: web\nreplicas: -1')).toThrow('timeline[0].replicas: expected a whole number ≥ 0, got -1');
    expect(entry('action: scale\ndeployment: web\nreplica: 3')).toThrow('timeline[0].replica: not a field of scale; its fields are deployment, replicas, namespace');
    expect(entry('action: liveness-fail')).toThrow('timeline[0]: liveness-fail needs exactly one of pod or deployment');
    expect(entry('action: liveness-fail\npod: a\ndeployment: b')).toThrow('timeline[0]: liveness-fail needs exactly one of pod or deployment, got pod and deployment');
    expect(entry('action: liveness-fail\ndeployment: web\nafter: soon')).toThrow(/timeline\[0\]\.after: invalid duration "soon"/);
    expect(entry('action: slow-start\ndeployment: web')).toThrow('timeline[0].delay: required for slow-start');
    expect(entry('action: container-crash\npod: Web_1')).toThrow("timeline[0].pod: expected a Kubernetes object name (lower-case letters, digits, '-', '.'), got \"Web_1\"");
    expect(entry('action: node-pressure\nnode: node-1\ncondition: CPUPressure')).toThrow('timeline[0].condition: expected MemoryPressure, DiskPressure or PIDPressure, got "CPUPressure"');
    expect(entry('action: load\ndeployment: web\ncpu: lots')).toThrow('timeline[0].cpu: expected a CPU quantity such as 500m or 2, got "lots"');
    expect(entry('action: apply\nmanifest: { kind: Pod }')).toThrow('timeline[0].manifest: expected a Kubernetes object with apiVersion, kind and metadata.name');
    expect(entry('action: rollout-undo\ndeployment: web\ntoRevision: 0')).toThrow('timeline[0].toRevision: expected a whole number ≥ 1, got 0');
    expect(entry('action: taint\nnode: node-1\nkey: maintenance')).toThrow('timeline[0].effect: required for taint');
    expect(entry('action: taint\nnode: node-1\nkey: maintenance\neffect: Evict')).toThrow('timeline[0].effect: expected NoSchedule, PreferNoSchedule or NoExecute, got "Evict"');
    expect(entry('action: untaint\nnode: node-1\nkey: "bad key"')).toThrow('timeline[0].key: expected a taint key (a qualified name such as example.com/maintenance), got "bad key"');
    const ok = parseScenario(`${base}    action: container-crash-loop\n    deployment: web\n    container: app\n    exitCode: 2\n    after: 30s\n`);
    expect(ok.timeline[0]).toEqual({ at: 60_000, action: 'container-crash-loop', deployment: 'web', container: 'app', exitCode: 2, after: '30s' });
  });

  it('round-trips interleaving schedules, and names the interleaving field that is wrong', () => {
    fc.assert(
      fc.property(withInterleavings(scenarioArbitrary({ workloads: { maxWorkloads: 2 } }), ['scheduler', 'replicaset-controller']), (scenario) => {
        expect(parseScenario(scenarioToYaml(scenario))).toEqual(scenario);
      }),
      { seed: 5, numRuns: 20 },
    );
    const base = 'seed: 1\ncluster:\n  nodes:\n    - name: node-1\ninterleavings:\n';
    expect(parseScenario(`${base}  - { controller: scheduler, kind: stale, from: 10, to: 40, lag: 2 }\n`).interleavings).toEqual([{ controller: 'scheduler', kind: 'stale', from: 10, to: 40, lag: 2 }]);
    expect(() => parseScenario(`${base}  - { controller: scheduler, kind: late, from: 1, to: 2 }\n`)).toThrow('interleavings[0].kind: expected one of stale, coalesce, first, restart, got "late"');
    expect(() => parseScenario(`${base}  - { controller: scheduler, kind: first, from: 5, to: 2 }\n`)).toThrow('interleavings[0].to: must not be before from (5)');
    expect(() => parseScenario(`${base}  - { controller: scheduler, kind: first, from: 1, to: 2, lag: 1 }\n`)).toThrow('interleavings[0].lag: only a stale view has a lag');
    expect(() => parseScenario(`${base}  - { controller: scheduler, kind: stale, from: 0, to: 2 }\n`)).toThrow(ScenarioFileError);
    expect(() => parseScenario(`${base}  - { controller: scheduler, kind: stale, from: 1, to: 2, keep: 1 }\n`)).toThrow('interleavings[0].keep: only a restart keeps commands');
  });
});
