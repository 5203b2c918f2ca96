import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../../core/prng.ts';
import type { KubeObject } from '../../../../core/model/object.ts';
import { podInfoOf } from '../pod-info.ts';
import { SchedulerCache } from '../scheduler-cache.ts';
import { schedulePod } from '../schedule-pod.ts';
import { stateWith, testNode, testPod } from '../test-objects.ts';
import { verdictsOf } from '../verdict-table.ts';

const term = (labels: Record<string, string>, topologyKey = 'kubernetes.io/hostname') => ({ labelSelector: { matchLabels: labels }, topologyKey });
const withAffinity = (kind: 'podAffinity' | 'podAntiAffinity', terms: unknown[]) => ({ affinity: { [kind]: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });

function decide(objects: KubeObject[], pod: KubeObject) {
  const cache = SchedulerCache.fromState(stateWith(objects));
  return schedulePod(podInfoOf(pod), cache.nodes, cache, { startIndex: 0, prng: createPrng(1) }).decision;
}

describe('InterPodAffinity', () => {
  it("keeps a pod off nodes that run pods its anti-affinity names", () => {
    const objects = [testNode('node-1'), testNode('node-2'), testPod('web-1', { labels: { app: 'web' }, nodeName: 'node-1', phase: 'Running' })];
    const pod = testPod('web-2', { labels: { app: 'web' }, spec: withAffinity('podAntiAffinity', [term({ app: 'web' })]) });
    const decision = decide(objects, pod);
    expect(decision.chosen).toBe('node-2');
    expect(verdictsOf(decision)).toContainEqual({ node: 'node-1', failure: "node(s) didn't match pod anti-affinity rules", plugin: 'InterPodAffinity' });
  });

  it('says so when every node already runs one', () => {
    const objects = [
      testNode('node-1'),
      testNode('node-2'),
      testPod('web-1', { labels: { app: 'web' }, nodeName: 'node-1', phase: 'Running' }),
      testPod('web-2', { labels: { app: 'web' }, nodeName: 'node-2', phase: 'Running' }),
    ];
    const pod = testPod('web-3', { labels: { app: 'web' }, spec: withAffinity('podAntiAffinity', [term({ app: 'web' })]) });
    expect(decide(objects, pod).message).toBe("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
  });

  it("honours the anti-affinity of pods already running", () => {
    const guard = testPod('guard', { labels: { app: 'guard' }, nodeName: 'node-1', phase: 'Running', spec: withAffinity('podAntiAffinity', [term({ app: 'db' })]) });
    const decision = decide([testNode('node-1'), testNode('node-2'), guard], testPod('db', { labels: { app: 'db' } }));
    expect(decision.chosen).toBe('node-2');
    expect(verdictsOf(decision)).toContainEqual({ node: 'node-1', failure: "node(s) didn't satisfy existing pods anti-affinity rules", plugin: 'InterPodAffinity' });
  });

  it('places a pod next to the pods its affinity names, by topology domain', () => {
    const objects = [
      testNode('node-1', { labels: { 'topology.kubernetes.io/zone': 'a' } }),
      testNode('node-2', { labels: { 'topology.kubernetes.io/zone': 'b' } }),
      testNode('node-3', { labels: { 'topology.kubernetes.io/zone': 'b' } }),
      testPod('cache', { labels: { app: 'cache' }, nodeName: 'node-2', phase: 'Running' }),
    ];
    const pod = testPod('app', { spec: withAffinity('podAffinity', [term({ app: 'cache' }, 'topology.kubernetes.io/zone')]) });
    const decision = decide(objects, pod);
    expect(['node-2', 'node-3']).toContain(decision.chosen);
    expect(verdictsOf(decision)).toContainEqual({ node: 'node-1', failure: "node(s) didn't match pod affinity rules", plugin: 'InterPodAffinity' });
  });

  it('lets the first pod of a group that matches its own affinity go anywhere', () => {
    const pod = testPod('cache-1', { labels: { app: 'cache' }, spec: withAffinity('podAffinity', [term({ app: 'cache' })]) });
    expect(decide([testNode('node-1')], pod).chosen).toBe('node-1');
    const stranger = testPod('app', { spec: withAffinity('podAffinity', [term({ app: 'cache' })]) });
    expect(decide([testNode('node-1')], stranger).message).toBe("0/1 nodes are available: 1 node(s) didn't match pod affinity rules.");
  });
});
