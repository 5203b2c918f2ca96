import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../../core/prng.ts';
import type { KubeObject } from '../../../../core/model/object.ts';
import type { NodeInfo } from '../node-info.ts';
import { podInfoOf } from '../pod-info.ts';
import { SchedulerCache } from '../scheduler-cache.ts';
import { schedulePod } from '../schedule-pod.ts';
import { replicaSetOwner, stateWith, testNode, testPod } from '../test-objects.ts';
import { verdictsOf } from '../verdict-table.ts';

/**
 * The default score plugins against their formulas written out plainly, node by node, from the
 * NodeInfo records (the plugins read the cache's columns and take shortcuts for clusters without
 * zones or PreferNoSchedule taints).
 */
function expectedScores(node: NodeInfo, feasible: readonly NodeInfo[], cache: SchedulerCache, pod: ReturnType<typeof podInfoOf>): Record<string, number> {
  const trunc = Math.trunc;
  const untolerated = (n: NodeInfo) => n.softTaints.length;
  const maxTaints = Math.max(...feasible.map(untolerated));
  const taint = maxTaints === 0 ? 100 : 100 - trunc((100 * untolerated(node)) / maxTaints);
  const least = (requested: number, capacity: number) => (requested > capacity ? 0 : trunc(((capacity - requested) * 100) / capacity));
  const fit = trunc((least(node.nonZeroCpu + pod.requests.nonZeroCpu, node.allocatableCpu) + least(node.nonZeroMemory + pod.requests.nonZeroMemory, node.allocatableMemory)) / 2);
  const cpuFraction = Math.min(1, (node.requestedCpu + pod.requests.cpu) / node.allocatableCpu);
  const memoryFraction = Math.min(1, (node.requestedMemory + pod.requests.memory) / node.allocatableMemory);
  const balanced = trunc((1 - Math.abs((cpuFraction - memoryFraction) / 2)) * 100);
  const zoned = feasible.some((n) => n.zone !== undefined);
  const zones = new Set(feasible.map((n) => n.zone ?? '')).size;
  const raw = (n: NodeInfo) =>
    Math.round(
      2 +
        (zoned && n.zone !== undefined ? cache.inZone(pod.spreadGroup!, n.zone) * Math.log(zones + 2) + 4 : 0) +
        (cache.nodeCounts(pod.spreadGroup!)?.get(n.name) ?? 0) * Math.log(feasible.length + 2),
    );
  const raws = feasible.map(raw);
  const [min, max] = [Math.min(...raws), Math.max(...raws)];
  const spread = max === 0 ? 100 : trunc((100 * (max + min - raw(node))) / max);
  return { TaintToleration: taint, NodeResourcesFit: fit, PodTopologySpread: spread, NodeResourcesBalancedAllocation: balanced };
}

const cluster = fc.record({
  nodes: fc.array(
    fc.record({
      zone: fc.constantFrom(undefined, 'a', 'b', 'c'),
      softTaint: fc.boolean(),
      unschedulable: fc.boolean(),
      cpu: fc.constantFrom('1', '2', '4'),
    }),
    { minLength: 1, maxLength: 25 },
  ),
  zonesAtAll: fc.boolean(),
  taintsAtAll: fc.boolean(),
  pods: fc.array(fc.record({ node: fc.nat(), group: fc.constantFrom('web', 'web', 'db'), cpu: fc.constantFrom('100m', '250m', '1') }), { maxLength: 40 }),
});

describe('default score plugins', () => {
  it('give every feasible node the scores their formulas give, with or without zones and soft taints (property)', () => {
    fc.assert(
      fc.property(cluster, fc.nat(), ({ nodes, zonesAtAll, taintsAtAll, pods }, start) => {
        const objects: KubeObject[] = nodes.map((n, i) =>
          testNode(`node-${i + 1}`, {
            cpu: n.cpu,
            unschedulable: n.unschedulable,
            ...(zonesAtAll && n.zone ? { labels: { 'topology.kubernetes.io/zone': n.zone } } : {}),
            ...(taintsAtAll && n.softTaint ? { taints: [{ key: 'spot', effect: 'PreferNoSchedule' as const }] } : {}),
          }),
        );
        pods.forEach((p, i) => objects.push(testPod(`${p.group}-${i}`, { cpu: p.cpu, nodeName: `node-${(p.node % nodes.length) + 1}`, phase: 'Running', owner: replicaSetOwner(p.group) })));
        const cache = SchedulerCache.fromState(stateWith(objects));
        const pod = podInfoOf(testPod('web-new', { cpu: '100m', owner: replicaSetOwner('web') }));
        const { decision } = schedulePod(pod, cache.nodes, cache, { startIndex: start, prng: createPrng(start), percentageOfNodesToScore: 100 });
        const verdicts = verdictsOf(decision);
        const feasible = cache.nodes.filter((n) => verdicts.some((v) => v.node === n.name && v.scores));
        for (const verdict of verdicts) {
          if (!verdict.scores) continue;
          const node = cache.node(verdict.node)!;
          expect({ node: verdict.node, ...verdict.scores }).toEqual({ node: verdict.node, ...expectedScores(node, feasible, cache, pod) });
        }
        if (decision.chosen) {
          const best = Math.max(...verdicts.filter((v) => v.scores).map((v) => v.total!));
          expect(verdicts.find((v) => v.node === decision.chosen)!.total).toBe(best);
        }
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('score a node afresh once its numbers change, though scores are kept between cycles (property)', () => {
    // NodeResourcesFit and BalancedAllocation keep each node's score from cycle to cycle: after
    // pods land, nodes join, leave or change size, and pods of other sizes come, every score must
    // still be the formula's.
    const step = fc.oneof(
      fc.record({ kind: fc.constant('pod' as const), cpu: fc.constantFrom('100m', '250m', '1'), memory: fc.constantFrom('128Mi', '1Gi'), start: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), name: fc.integer({ min: 1, max: 12 }), cpu: fc.constantFrom('2', '4', '8') }),
      fc.record({ kind: fc.constant('remove' as const), name: fc.integer({ min: 1, max: 12 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.array(step, { minLength: 1, maxLength: 30 }), (initial, sameSize, steps) => {
        const cache = SchedulerCache.fromState(stateWith(Array.from({ length: initial }, (_, i) => testNode(`node-${i + 1}`))));
        steps.forEach((s, n) => {
          if (s.kind === 'add') cache.syncNode(`node-${s.name}`, testNode(`node-${s.name}`, { cpu: s.cpu }));
          else if (s.kind === 'remove') cache.syncNode(`node-${s.name}`, undefined);
          else {
            // Pods of one size in a row are what lets the memo score every node and copy windows.
            const object = testPod(`web-${n}`, sameSize ? { cpu: '100m', memory: '128Mi', owner: replicaSetOwner('web') } : { cpu: s.cpu, memory: s.memory, owner: replicaSetOwner('web') });
            const pod = podInfoOf(object);
            const { decision, node } = schedulePod(pod, cache.nodes, cache, { startIndex: s.start, prng: createPrng(n), percentageOfNodesToScore: 100 });
            for (const verdict of verdictsOf(decision)) {
              if (!verdict.scores) continue;
              const expected = expectedScores(cache.node(verdict.node)!, cache.nodes, cache, pod);
              expect({ node: verdict.node, fit: verdict.scores.NodeResourcesFit, balanced: verdict.scores.NodeResourcesBalancedAllocation }).toEqual({
                node: verdict.node,
                fit: expected.NodeResourcesFit,
                balanced: expected.NodeResourcesBalancedAllocation,
              });
            }
            if (node) cache.assume(pod, object, node.name);
          }
        });
      }),
      { seed: 41, numRuns: 200 },
    );
  });

  it('score nodes afresh after more pods land between two cycles than the columns log', () => {
    const cache = SchedulerCache.fromState(stateWith(Array.from({ length: 6 }, (_, i) => testNode(`node-${i + 1}`, { cpu: '64', memory: '64Gi', pods: 1000 }))));
    const cycle = (n: number) => {
      const object = testPod(`web-${n}`, { cpu: '100m', memory: '128Mi', owner: replicaSetOwner('web') });
      const pod = podInfoOf(object);
      const { decision, node } = schedulePod(pod, cache.nodes, cache, { startIndex: n, prng: createPrng(n), percentageOfNodesToScore: 100 });
      expect(decision.feasible).toBe(6);
      for (const verdict of verdictsOf(decision)) {
        const expected = expectedScores(cache.node(verdict.node)!, cache.nodes, cache, pod);
        expect([verdict.node, verdict.scores!.NodeResourcesFit, verdict.scores!.NodeResourcesBalancedAllocation]).toEqual([
          verdict.node,
          expected.NodeResourcesFit,
          expected.NodeResourcesBalancedAllocation,
        ]);
      }
      cache.assume(pod, object, node!.name);
    };
    for (let n = 0; n < 6; n++) cycle(n);
    // A pod bound to node-1, then 300 to node-3 outside the scheduler: node-1's write drops out of the log.
    cache.syncPod('default/first', testPod('first', { cpu: '30', memory: '30Gi', nodeName: 'node-1', phase: 'Running' }));
    for (let p = 0; p < 300; p++) cache.syncPod(`default/other-${p}`, testPod(`other-${p}`, { cpu: '200m', memory: '64Mi', nodeName: 'node-3', phase: 'Running' }));
    for (let n = 6; n < 12; n++) cycle(n);
  });
});

