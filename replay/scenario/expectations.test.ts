import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { ExpectationSyntaxError, parseExpectation } from './expectations.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './scenario.ts';

function deployment(name: string, replicas: number, cpu = '100m'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:v1', resources: { requests: { cpu } } }] } },
    },
  };
}

function scenario(expectLines: string[], extra: Partial<Scenario> = {}): Scenario {
  return {
    seed: 1,
    cluster: { nodes: [{ name: 'node-1', cpu: '2' }, { name: 'node-2', cpu: '2' }] },
    manifests: [deployment('web', 3)],
    timeline: [],
    duration: 5 * 60_000,
    expect: expectLines,
    ...extra,
  };
}

describe('scenario expectations', () => {
  it('passes what the cluster does and fails what it does not, naming time and position', async () => {
    const run = await runScenario(
      scenario([
        'eventually within 1m: deployment/web available=3',
        'always: no node over capacity',
        'at 2m: deployment/web replicas=5',
        'never: pods running>3',
        'eventually within 30s after 1m: deployment/web available=5',
      ], { timeline: [{ at: 60_000, action: 'scale', deployment: 'web', replicas: 5 }] }),
    );
    const [available, capacity, atTwo, never, afterScale] = run.expectations;
    expect(available).toMatchObject({ passed: true });
    expect(available!.at).toBeLessThanOrEqual(60_000);
    expect(capacity).toMatchObject({ passed: true });
    expect(atTwo).toMatchObject({ passed: true, at: 120_000 });
    expect(afterScale).toMatchObject({ passed: true });
    expect(never).toMatchObject({ passed: false, message: 'it happened: pods running>3' });
    expect(never!.at).toBeGreaterThanOrEqual(60_000);
    expect(never!.position).toBeGreaterThan(0);
  });

  it('an eventually that never comes fails at its deadline with what was seen', async () => {
    const run = await runScenario(scenario(['eventually within 2m: deployment/web available=4']));
    expect(run.expectations[0]).toMatchObject({ passed: false, at: 120_000, message: 'not within 2m: deployment/web available is 3' });
  });

  it('a pod too big for the cluster breaks "eventually" and never overcommits', async () => {
    const run = await runScenario(scenario(['eventually within 1m: deployment/huge available=1', 'always: no node over capacity'], { manifests: [deployment('huge', 1, '3')] }));
    expect(run.expectations[0]).toMatchObject({ passed: false, message: 'not within 1m: deployment/huge available is 0' });
    expect(run.expectations[1]).toMatchObject({ passed: true });
  });

  it('rejects assertions it cannot read, saying what it expected', () => {
    expect(() => parseExpectation('deployment/web available=3')).toThrow(ExpectationSyntaxError);
    expect(() => parseExpectation('sometimes: deployment/web available=3')).toThrow(/start with "always:", "never:", "always after DURATION:", "never after DURATION:", "eventually within DURATION:" or "at DURATION:"/);
    expect(() => parseExpectation('always: gadget/x size=3')).toThrow(/unknown kind "gadget"/);
    expect(() => parseExpectation('eventually within soon: deployment/web available=3')).toThrow(/invalid duration "soon"/);
  });

  it('reads the kinds the scenario\'s CustomResourceDefinitions add, by any of their names', async () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.toys.example.com' },
      spec: {
        group: 'toys.example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', kind: 'Gadget', shortNames: ['gd'] },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } } } } }],
      },
    };
    const gadget: KubeObject = { apiVersion: 'toys.example.com/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'default' }, spec: {} };
    const run = await runScenario(scenario(['eventually within 1m: gadget/g1 spec.size=3', 'always after 20s: gd/g1 spec.size<4'], { manifests: [crd], timeline: [{ at: 10_000, action: 'apply', manifest: gadget }] }));
    expect(run.expectations.map((e) => e.passed)).toEqual([true, true]);
    expect(() => parseExpectation('always: gadget/g1 spec.size=3')).toThrow(/unknown kind "gadget"/);
  });
});
