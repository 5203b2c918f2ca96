import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SchedulingDecision } from '../../../core/events.ts';
import { createPrng, hashSeed } from '../../../core/prng.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { podInfoOf } from './pod-info.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { schedulePod, type ScheduleOptions } from './schedule-pod.ts';
import type { ScorePlugin } from './scores/score.ts';
import { replicaSetOwner, stateWith, testNode, testPod } from './test-objects.ts';
import { verdictsOf } from './verdict-table.ts';

function decide(objects: KubeObject[], pod: KubeObject, options: Partial<ScheduleOptions> = {}, seed = 1) {
  const cache = SchedulerCache.fromState(stateWith(objects, seed));
  return schedulePod(podInfoOf(pod), cache.nodes, cache, { startIndex: 0, prng: createPrng(hashSeed(seed, 'tiebreak', 1)), ...options });
}

describe('schedulePod: given a cluster, when a pod arrives', () => {
  it('reports "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable." for 3 full and 2 cordoned nodes', () => {
    const objects = [
      testNode('node-1', { cpu: '2' }),
      testNode('node-2', { cpu: '2' }),
      testNode('node-3', { cpu: '2' }),
      testNode('node-4', { unschedulable: true }),
      testNode('node-5', { unschedulable: true }),
      testPod('full-1', { cpu: '2', nodeName: 'node-1', phase: 'Running' }),
      testPod('full-2', { cpu: '2', nodeName: 'node-2', phase: 'Running' }),
      testPod('full-3', { cpu: '1500m', nodeName: 'node-3', phase: 'Running' }),
    ];
    const { decision, node } = decide(objects, testPod('web', { cpu: '1' }));
    expect(node).toBeUndefined();
    expect(decision.message).toBe('0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable.');
    expect(decision).toMatchObject({ evaluated: 5, feasible: 0 });
    expect(verdictsOf(decision)).toEqual([
      { node: 'node-1', failure: 'Insufficient cpu', plugin: 'NodeResourcesFit' },
      { node: 'node-2', failure: 'Insufficient cpu', plugin: 'NodeResourcesFit' },
      { node: 'node-3', failure: 'Insufficient cpu', plugin: 'NodeResourcesFit' },
      { node: 'node-4', failure: 'node(s) were unschedulable', plugin: 'NodeUnschedulable' },
      { node: 'node-5', failure: 'node(s) were unschedulable', plugin: 'NodeUnschedulable' },
    ]);
  });

  it('counts each reason of a node short of both cpu and memory', () => {
    const { decision } = decide([testNode('node-1', { cpu: '1', memory: '1Gi' }), testNode('node-2', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] })], testPod('big', { cpu: '2', memory: '2Gi' }));
    expect(decision.message).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had untolerated taint {gpu: true}.');
  });

  it('keeps track of extended resources bound pods hold', () => {
    const gpu = (name: string, nodeName?: string) =>
      testPod(name, { ...(nodeName ? { nodeName, phase: 'Running' } : {}), spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } });
    const withGpu = testNode('gpu-node');
    withGpu.status.allocatable['nvidia.com/gpu'] = '1';
    const { decision } = decide([withGpu, testNode('cpu-node'), gpu('trainer', 'gpu-node')], gpu('another'));
    expect(decision.message).toBe('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.');
  });

  it('keeps a hostPort that a bound pod holds', () => {
    const withPort = (name: string, nodeName?: string) =>
      testPod(name, { ...(nodeName ? { nodeName, phase: 'Running' } : {}), spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 80 }] }] } });
    const { decision } = decide([testNode('node-1'), withPort('ingress-1', 'node-1')], withPort('ingress-2'));
    expect(decision.message).toBe("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  });

  it('filters a pod pinned by metadata.name (as DaemonSet pods are) on its node alone, counting the rest against NodeAffinity', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => testNode(`node-${String(i).padStart(3, '0')}`, { cpu: '1' }));
    const pinned = (cpu: string) =>
      testPod('agent', {
        cpu,
        spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-123'] }] }] } } } },
      });
    const fits = decide(nodes, pinned('100m')).decision;
    expect(fits).toMatchObject({ chosen: 'node-123', evaluated: 300, feasible: 1 });
    // One node outside the pin stands for the 299 others.
    expect(verdictsOf(fits)).toEqual([
      { node: 'node-000', failure: "node(s) didn't match Pod's node affinity/selector", plugin: 'NodeAffinity' },
      expect.objectContaining({ node: 'node-123', total: expect.any(Number) }),
    ]);
    const tooBig = decide(nodes, pinned('2')).decision;
    expect(tooBig.message).toBe("0/300 nodes are available: 299 node(s) didn't match Pod's node affinity/selector, 1 Insufficient cpu.");
    expect(tooBig.evaluated).toBe(300);
  });

  it('says there are no nodes when the cluster has none', () => {
    expect(decide([], testPod('web')).decision.message).toBe('no nodes available to schedule pods');
  });

  it('does not count finished pods against their node', () => {
    const objects = [testNode('node-1', { cpu: '1' }), testPod('done', { cpu: '1', nodeName: 'node-1', phase: 'Succeeded' })];
    expect(decide(objects, testPod('web', { cpu: '1' })).node?.name).toBe('node-1');
  });

  it('prefers the least allocated node and records per-plugin scores', () => {
    const objects = [testNode('busy'), testNode('idle'), testPod('hog', { cpu: '3', memory: '12Gi', nodeName: 'busy', phase: 'Running' })];
    const { decision, node } = decide(objects, testPod('web', { cpu: '100m', memory: '128Mi' }));
    expect(node?.name).toBe('idle');
    expect(decision.chosen).toBe('idle');
    expect(decision.feasible).toBe(2);
    const idle = verdictsOf(decision).find((v) => v.node === 'idle')!;
    const busy = verdictsOf(decision).find((v) => v.node === 'busy')!;
    expect(idle.scores!.NodeResourcesFit).toBeGreaterThan(busy.scores!.NodeResourcesFit!);
    expect(decision.decidedBy).toBe('NodeResourcesFit');
  });

  it('avoids nodes with untolerated PreferNoSchedule taints', () => {
    const objects = [testNode('soft', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), testNode('plain')];
    const { decision } = decide(objects, testPod('web'));
    expect(decision.chosen).toBe('plain');
    expect(decision.decidedBy).toBe('TaintToleration');
  });

  it('follows preferred node affinity', () => {
    const preferred = [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }];
    const pod = testPod('web', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } } } });
    const { decision } = decide([testNode('a', { labels: { disk: 'hdd' } }), testNode('b', { labels: { disk: 'ssd' } })], pod);
    expect(decision.chosen).toBe('b');
    expect(verdictsOf(decision).find((v) => v.node === 'b')!.scores!.NodeAffinity).toBe(100);
    expect(verdictsOf(decision).find((v) => v.node === 'a')!.scores!.NodeAffinity).toBe(0);
  });

  it("spreads a ReplicaSet's pods away from nodes that already run its siblings", () => {
    const owner = replicaSetOwner('web-abc');
    const objects = [
      testNode('node-1'),
      testNode('node-2'),
      testNode('node-3'),
      testPod('web-1', { owner, nodeName: 'node-1', phase: 'Running' }),
      testPod('web-2', { owner, nodeName: 'node-2', phase: 'Running' }),
      testPod('other', { nodeName: 'node-3', phase: 'Running', owner: replicaSetOwner('other') }),
    ];
    const { decision } = decide(objects, testPod('web-3', { owner }));
    expect(decision.chosen).toBe('node-3');
    expect(decision.decidedBy).toBe('PodTopologySpread');
  });

  it('breaks ties with the seeded PRNG: the same seed picks the same node, other seeds may not', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => testNode(`node-${i + 1}`));
    const chosen = (seed: number) => decide(nodes, testPod('web'), {}, seed).decision.chosen;
    expect(chosen(7)).toBe(chosen(7));
    const picks = new Set(Array.from({ length: 12 }, (_, seed) => chosen(seed)));
    expect(picks.size).toBeGreaterThan(1);
    expect(decide(nodes, testPod('web'), {}, 7).decision.decidedBy).toBeUndefined();
  });

  it('evaluates only enough nodes on a large cluster and records the verdict of each', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => testNode(`node-${String(i).padStart(4, '0')}`));
    const { decision, processed } = decide(nodes, testPod('web'), { startIndex: 990 });
    // 50% − 1000/125 = 42% of 1,000 nodes.
    expect(decision.evaluated).toBe(420);
    expect(processed).toBe(420);
    expect(decision.truncated).toBeUndefined();
    const verdicts = verdictsOf(decision);
    // Round-robin from node-0990 wraps to node-0000: two runs of names.
    expect(decision.table!.nodes).toEqual(['node-0000..0409', 'node-0990..0999']);
    expect(new Set(verdicts.map((v) => v.node))).toEqual(new Set(Array.from({ length: 420 }, (_, i) => `node-${String((990 + i) % 1000).padStart(4, '0')}`)));
    const best = Math.max(...verdicts.map((v) => v.total!));
    expect(verdicts.find((v) => v.node === decision.chosen)!.total).toBe(best);
  });

  it('records every rejected node, nodes with the same reason sharing one group', () => {
    const nodes = Array.from({ length: 150 }, (_, i) => testNode(`node-${String(i).padStart(3, '0')}`, i < 140 ? { unschedulable: true } : { cpu: '1' }));
    const { decision } = decide(nodes, testPod('web', { cpu: '2' }));
    expect(decision.message).toBe('0/150 nodes are available: 140 node(s) were unschedulable, 10 Insufficient cpu.');
    expect(decision.table!.groups).toEqual([
      { plugin: 'NodeUnschedulable', failure: 'node(s) were unschedulable' },
      { plugin: 'NodeResourcesFit', failure: 'Insufficient cpu' },
    ]);
    const verdicts = verdictsOf(decision);
    expect(verdicts).toHaveLength(150);
    expect(verdicts.filter((v) => v.failure === 'Insufficient cpu').map((v) => v.node)).toEqual(Array.from({ length: 10 }, (_, i) => `node-${140 + i}`));
  });

  it('names the evaluated nodes afresh after nodes join or leave the cache', () => {
    // 200 nodes: a cycle evaluates 100 of them, so the same start and count can cover other nodes.
    const cache = SchedulerCache.fromState(stateWith(Array.from({ length: 200 }, (_, i) => testNode(`node-${100 + i}`))));
    const names = () => decisionNodes(schedulePod(podInfoOf(testPod('web')), cache.nodes, cache, { startIndex: 0, prng: createPrng(1) }).decision);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `node-${from + i}`);
    expect(names()).toEqual(range(100, 199));
    cache.syncNode('node-099', testNode('node-099'));
    expect(names()).toEqual(['node-099', ...range(100, 198)]);
    cache.syncNode('node-099', undefined);
    cache.syncNode('node-100', undefined);
    expect(names()).toEqual(range(101, 200));
  });

  it('totals every node the same way whether a plugin scores nodes alike or one by one, whatever the weights (property)', () => {
    // Plugins that give every node one score say so, and their score is added once: the recorded
    // scores and the chosen node must be those of the plain sum, node by node.
    const plugin = fc.record({
      weight: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0.1, 0.7, 1.5)),
      kind: fc.constantFrom('same', 'varied', 'same-unsaid'),
      base: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(
      fc.property(fc.array(plugin, { minLength: 0, maxLength: 6 }), fc.integer({ min: 1, max: 12 }), fc.nat(), (specs, nodeCount, seed) => {
        const names = Array.from({ length: nodeCount }, (_, i) => `node-${i + 1}`);
        const given = new Map<string, number[]>();
        const plugins: ScorePlugin[] = specs.map((spec, p) => ({
          name: `Plugin${p}`,
          weight: spec.weight,
          applies: () => true,
          score(_pod, count, out, _spread, { positions, nodes }) {
            for (let i = 0; i < count; i++) {
              const name = nodes[positions[i]!]!.name;
              out[i] = spec.kind === 'varied' ? (spec.base + Number(name.slice(5)) * (p + 2) + seed) % 7 : spec.base;
              given.set(name, [...(given.get(name) ?? []).slice(0, p), out[i]!]);
            }
            return spec.kind === 'same';
          },
        }));
        const { decision } = decide(names.map((name) => testNode(name)), testPod('web'), { scores: plugins, startIndex: seed % nodeCount }, seed);
        const verdicts = verdictsOf(decision);
        expect(verdicts).toHaveLength(nodeCount);
        const totalOf = (name: string) => specs.reduce((sum, spec, p) => sum + (given.get(name) ?? [])[p]! * spec.weight, 0);
        for (const verdict of verdicts) expect(verdict.scores).toEqual(Object.fromEntries(specs.map((_, p) => [`Plugin${p}`, given.get(verdict.node)![p]])));
        const best = Math.max(...names.map(totalOf));
        expect(totalOf(decision.chosen!)).toBeCloseTo(best, 9);
      }),
      { seed: 41, numRuns: 300 },
    );
  });
});


function decisionNodes(decision: SchedulingDecision): string[] {
  return verdictsOf(decision).map((v) => v.node);
}
