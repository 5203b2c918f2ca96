import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { replicaSetOwner, stateWith, testNode, testPod } from './test-objects.ts';

/** One change the cache is told about: a node appears, changes or goes; a pod is bound, finishes or goes. */
const change = fc.oneof(
  fc.record({
    kind: fc.constant('node' as const),
    name: fc.integer({ min: 1, max: 12 }),
    gone: fc.boolean(),
    cpu: fc.constantFrom('2', '4', '500m'),
    unschedulable: fc.boolean(),
    taint: fc.constantFrom(undefined, 'NoSchedule', 'PreferNoSchedule'),
    zone: fc.constantFrom(undefined, 'a', 'b'),
  }),
  fc.record({ kind: fc.constant('pod' as const), name: fc.integer({ min: 1, max: 20 }), node: fc.integer({ min: 1, max: 12 }), gone: fc.boolean(), cpu: fc.constantFrom('100m', '1') }),
);

function nodeObject(c: { name: number; cpu: string; unschedulable: boolean; taint: string | undefined; zone: string | undefined }): KubeObject {
  return testNode(`node-${c.name}`, {
    cpu: c.cpu,
    unschedulable: c.unschedulable,
    ...(c.taint ? { taints: [{ key: 'k', effect: c.taint as 'NoSchedule' }] } : {}),
    ...(c.zone ? { labels: { 'topology.kubernetes.io/zone': c.zone } } : {}),
  });
}

describe('NodeColumns', () => {
  it('hold exactly what each NodeInfo says, at its position, through any sequence of node and pod changes (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        const cache = SchedulerCache.fromState(stateWith([testNode('node-5'), testNode('node-1')]));
        for (const c of changes) {
          if (c.kind === 'node') cache.syncNode(`node-${c.name}`, c.gone ? undefined : nodeObject(c));
          else {
            const pod = testPod(`pod-${c.name}`, { cpu: c.cpu, nodeName: `node-${c.node}`, phase: 'Running', owner: replicaSetOwner('web') });
            cache.syncPod(`default/pod-${c.name}`, c.gone ? undefined : pod);
          }
        }
        const { columns, nodes } = cache;
        expect(columns.size).toBe(nodes.length);
        let softTainted = 0;
        nodes.forEach((node, i) => {
          expect(node.index).toBe(i);
          const open = !node.unschedulable && node.hardTaints.length === 0;
          expect({
            allocatableCpu: columns.allocatableCpu[i],
            allocatableMemory: columns.allocatableMemory[i],
            allocatablePods: columns.allocatablePods[i],
            requestedCpu: columns.requestedCpu[i],
            requestedMemory: columns.requestedMemory[i],
            nonZeroCpu: columns.nonZeroCpu[i],
            nonZeroMemory: columns.nonZeroMemory[i],
            podCount: columns.podCount[i],
            freePods: columns.freePods[i],
            freeCpu: columns.freeCpu[i],
            freeMemory: columns.freeMemory[i],
            open: columns.open[i],
            softTaints: columns.softTaints[i],
            zone: columns.zone[i]! < 0 ? undefined : columns.zoneNames[columns.zone[i]!],
          }).toEqual({
            allocatableCpu: node.allocatableCpu,
            allocatableMemory: node.allocatableMemory,
            allocatablePods: node.allocatablePods,
            requestedCpu: node.requestedCpu,
            requestedMemory: node.requestedMemory,
            nonZeroCpu: node.nonZeroCpu,
            nonZeroMemory: node.nonZeroMemory,
            podCount: node.podCount,
            freePods: open ? node.allocatablePods - node.podCount : -1,
            freeCpu: node.allocatableCpu - node.requestedCpu,
            freeMemory: node.allocatableMemory - node.requestedMemory,
            open: open ? 1 : 0,
            softTaints: node.softTaints.length,
            zone: node.zone,
          });
          if (node.softTaints.length > 0) softTainted++;
        });
        expect(columns.softTainted).toBe(softTainted);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
