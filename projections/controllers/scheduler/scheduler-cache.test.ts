import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { replicaSetOwner, stateWith, testNode, testPod } from './test-objects.ts';

const NODES = ['node-1', 'node-2', 'node-3'];

/** One new version of a pod: its status moves on (the common case), or its labels, node, deletion or owner change, or it goes. */
const version = fc.record({
  pod: fc.integer({ min: 1, max: 4 }),
  node: fc.constantFrom(undefined, ...NODES),
  phase: fc.constantFrom('Pending', 'Running', 'Succeeded'),
  labels: fc.constantFrom('shared', 'shared', 'fresh', 'none'),
  terminating: fc.constantFrom(false, false, true),
  otherOwner: fc.constantFrom(false, false, true),
  gone: fc.constantFrom(false, false, false, true),
});

/** What the cache holds of each pod and node: everything scoring and filtering read. */
function contents(cache: SchedulerCache) {
  const internals = cache as unknown as { pods: Map<string, Record<string, unknown>>; groupOnNode: Map<string, Map<string, number>> };
  const pods = [...internals.pods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, entry]) => {
    const object = entry.object as KubeObject | undefined;
    return [key, { ...entry, object: object && [object.metadata.uid, object.status?.phase, object.metadata.deletionTimestamp], assumed: undefined }];
  });
  const nodes = cache.nodes.map((n) => [n.name, n.requestedCpu, n.requestedMemory, n.nonZeroCpu, n.nonZeroMemory, n.podCount]);
  const groups = [...internals.groupOnNode].filter(([, m]) => m.size > 0).map(([g, m]) => [g, [...m].filter(([, c]) => c !== 0).sort()]).sort();
  return { pods, nodes, groups };
}

describe('SchedulerCache.syncPod', () => {
  it('holds, after any run of pod versions, what a cache built from the final pods holds (property)', () => {
    const sharedLabels = { app: 'web' };
    const owner = replicaSetOwner('web');
    const otherOwners = [replicaSetOwner('api')];
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 40 }), (versions) => {
        const nodes = NODES.map((name) => testNode(name));
        const cache = SchedulerCache.fromState(stateWith(nodes));
        const current = new Map<string, KubeObject>();
        // One spec and owner list per pod, shared by its versions as the reducer shares them.
        const specs = new Map<number, { spec: KubeObject['spec']; owners: KubeObject['metadata']['ownerReferences'] }>();
        for (const v of versions) {
          const key = `default/pod-${v.pod}`;
          if (v.gone) {
            current.delete(key);
            cache.syncPod(key, undefined);
            continue;
          }
          const base = testPod(`pod-${v.pod}`, { cpu: '100m', memory: '64Mi', owner, labels: sharedLabels });
          let shared = specs.get(v.pod);
          // A new node keeps the rest of the spec as it was (as the reducer's binding does).
          if (!shared) specs.set(v.pod, (shared = { spec: { ...base.spec, ...(v.node ? { nodeName: v.node } : {}) }, owners: base.metadata.ownerReferences }));
          else if (shared.spec!.nodeName !== v.node) {
            const { nodeName: _, ...rest } = shared.spec!;
            shared.spec = v.node ? { ...rest, nodeName: v.node } : rest;
          }
          const pod: KubeObject = {
            ...base,
            metadata: {
              ...base.metadata,
              ownerReferences: v.otherOwner ? otherOwners : shared.owners,
              ...(v.labels === 'shared' ? { labels: sharedLabels } : v.labels === 'fresh' ? { labels: { app: 'web' } } : { labels: undefined }),
              ...(v.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
            },
            spec: shared.spec,
            status: { phase: v.phase },
          };
          current.set(key, pod);
          cache.syncPod(key, pod);
        }
        const rebuilt = SchedulerCache.fromState(stateWith([...nodes, ...current.values()]));
        expect(contents(cache)).toEqual(contents(rebuilt));
      }),
      { seed: 52, numRuns: 300 },
    );
  });
});
