import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../../core/prng.ts';
import type { KubeObject } from '../../../../core/model/object.ts';
import { podInfoOf } from '../pod-info.ts';
import { SchedulerCache } from '../scheduler-cache.ts';
import { schedulePod } from '../schedule-pod.ts';
import { stateWith, testNode, testPod } from '../test-objects.ts';
import { verdictsOf } from '../verdict-table.ts';

const zone = (z: string) => ({ labels: { 'topology.kubernetes.io/zone': z } });
const spreadByZone = (maxSkew: number) => ({
  topologySpreadConstraints: [{ maxSkew, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }],
});
const web = (name: string, nodeName?: string) =>
  testPod(name, { labels: { app: 'web' }, ...(nodeName ? { nodeName, phase: 'Running' } : { spec: spreadByZone(1) }) });

function decide(objects: KubeObject[], pod: KubeObject) {
  const cache = SchedulerCache.fromState(stateWith(objects));
  return schedulePod(podInfoOf(pod), cache.nodes, cache, { startIndex: 0, prng: createPrng(1) }).decision;
}

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  it('keeps a zone from getting more than maxSkew matching pods above the emptiest zone', () => {
    const objects = [testNode('node-1', zone('a')), testNode('node-2', zone('a')), testNode('node-3', zone('b')), web('web-1', 'node-1'), web('web-2', 'node-2')];
    const decision = decide(objects, web('web-3'));
    expect(decision.chosen).toBe('node-3');
    expect(verdictsOf(decision)).toContainEqual({ node: 'node-1', failure: "node(s) didn't match pod topology spread constraints", plugin: 'PodTopologySpread' });
  });

  it('rejects nodes without the topology label', () => {
    const decision = decide([testNode('node-1', zone('a')), testNode('bare')], web('web-1'));
    expect(decision.chosen).toBe('node-1');
    expect(verdictsOf(decision)).toContainEqual({
      node: 'bare',
      failure: "node(s) didn't match pod topology spread constraints (missing required label)",
      plugin: 'PodTopologySpread',
    });
  });

  it('allows any zone while the skew stays within maxSkew', () => {
    const objects = [testNode('node-1', zone('a')), testNode('node-2', zone('b')), web('web-1', 'node-1')];
    expect(decide(objects, web('web-2')).chosen).toBe('node-2');
    const balanced = [...objects, web('web-2', 'node-2')];
    expect(decide(balanced, web('web-3')).feasible).toBe(2);
  });
});
