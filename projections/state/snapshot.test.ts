import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import type { Command } from '../commands.ts';
import { createCommandExecutor } from '../write-path/command-executor.ts';
import { testResourceTypeForKind } from '../write-path/test-resource-types.ts';
import { getObject, listObjects, objectByUid, objectsWithLabel, ownedBy, podsOnNode } from './queries.ts';
import { createClusterState, rebuildState, rebuildStateFromBatches } from './reducer.ts';
import { deserializeState, serializeState } from './snapshot.ts';

const T0 = Date.UTC(2026, 0, 1);
const NAMESPACES = ['default', 'team'];
const PODS = ['a', 'b', 'c'];
const NODES = ['n1', 'n2'];
const LABELS: Array<Record<string, string>> = [{}, { app: 'web' }, { app: 'api' }, { app: 'web', tier: 'front' }];

/** Abstract steps, turned into concrete commands against the state at the moment they run. */
const step = fc.oneof(
  fc.record({ op: fc.constant('tick'), ms: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ op: fc.constant('createNamespace') }),
  fc.record({ op: fc.constant('deleteNamespace') }),
  fc.record({ op: fc.constant('finalizeNamespace') }),
  fc.record({ op: fc.constant('createPod'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS), labels: fc.constantFrom(...LABELS), owned: fc.boolean(), finalizer: fc.boolean() }),
  fc.record({ op: fc.constant('relabelPod'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS), labels: fc.constantFrom(...LABELS) }),
  fc.record({ op: fc.constant('dropFinalizers'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS) }),
  fc.record({ op: fc.constant('deletePod'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS), grace: fc.constantFrom(undefined, 0, 10) }),
  fc.record({ op: fc.constant('registerNode'), node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('deleteNode'), node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('heartbeat'), node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('deleteLease'), node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('nodeReady'), node: fc.constantFrom(...NODES), ready: fc.boolean() }),
  fc.record({ op: fc.constant('cordon'), node: fc.constantFrom(...NODES), on: fc.boolean() }),
  fc.record({ op: fc.constant('schedule'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS), node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('unschedulable'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS) }),
  fc.record({ op: fc.constant('running'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS), ready: fc.boolean() }),
  fc.record({ op: fc.constant('evict'), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...PODS) }),
  fc.record({ op: fc.constant('createOwner'), name: fc.constantFrom('cfg-1', 'cfg-2') }),
);
const histories = fc.array(step, { minLength: 10, maxLength: 120, size: 'max' });
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function toCommand(state: ClusterState, s: Step): Command | undefined {
  const actor = 'test';
  const ref = (x: { ns: string; name: string }) => ({ kind: 'Pod', namespace: x.ns, name: x.name });
  switch (s.op) {
    case 'tick':
      return { type: 'record', actor, event: { type: 'ClockAdvanced', data: { time: state.time + s.ms } } };
    case 'createNamespace':
      return { type: 'create', actor, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } };
    case 'deleteNamespace':
      return { type: 'delete', actor, ref: { kind: 'Namespace', name: 'team' } };
    case 'finalizeNamespace': {
      const ns = getObject(state, 'Namespace', undefined, 'team');
      return ns && { type: 'update', actor, object: { ...ns, spec: { finalizers: [] } } };
    }
    case 'createPod': {
      const owner = listObjects(state, 'ConfigMap', 'default')[0];
      const metadata: KubeObject['metadata'] = { name: s.name, namespace: s.ns, labels: s.labels };
      if (s.owned && owner) metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name!, uid: owner.metadata.uid! }];
      if (s.finalizer) metadata.finalizers = ['example.com/hold'];
      return { type: 'create', actor, object: { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'envoy' }] } } };
    }
    case 'relabelPod': {
      const pod = getObject(state, 'Pod', s.ns, s.name);
      return pod && { type: 'update', actor, object: { ...pod, metadata: { ...pod.metadata, labels: s.labels } } };
    }
    case 'dropFinalizers': {
      const pod = getObject(state, 'Pod', s.ns, s.name);
      return pod && { type: 'update', actor, object: { ...pod, metadata: { ...pod.metadata, finalizers: [] } } };
    }
    case 'deletePod':
      return { type: 'delete', actor, ref: ref(s), ...(s.grace === undefined ? {} : { gracePeriodSeconds: s.grace }) };
    case 'registerNode':
      return { type: 'record', actor, event: { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: s.node, labels: { 'kubernetes.io/hostname': s.node } }, spec: {}, status: {} } } } };
    case 'deleteNode':
      return { type: 'delete', actor, ref: { kind: 'Node', name: s.node } };
    case 'heartbeat':
      return { type: 'record', actor, event: { type: 'NodeHeartbeat', data: { nodes: [s.node] } } };
    case 'deleteLease':
      return { type: 'delete', actor, ref: { kind: 'Lease', namespace: 'kube-node-lease', name: s.node } };
    case 'nodeReady':
      return { type: 'record', actor, event: { type: 'NodeConditionChanged', data: { node: s.node, condition: { type: 'Ready', status: s.ready ? 'True' : 'Unknown', reason: s.ready ? 'KubeletReady' : 'NodeStatusUnknown' } } } };
    case 'cordon':
      return { type: 'record', actor, event: { type: 'NodeUnschedulableChanged', data: { node: s.node, unschedulable: s.on } } };
    case 'schedule':
      return { type: 'record', actor, event: { type: 'PodScheduled', data: { ref: ref(s), nodeName: s.node, decision: { evaluated: 2, feasible: 1, verdicts: [], chosen: s.node } } } };
    case 'unschedulable':
      return { type: 'record', actor, event: { type: 'PodUnschedulable', data: { ref: ref(s), decision: { evaluated: 2, feasible: 0, verdicts: [], message: '0/2 nodes are available: 2 node(s) were unschedulable.' } } } };
    case 'running':
      return { type: 'record', actor, event: { type: 'ContainerStateChanged', data: { ref: ref(s), container: 'app', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, ready: s.ready, started: true, restartCount: 0 } } };
    case 'evict':
      return { type: 'record', actor, event: { type: 'PodEvicted', data: { ref: ref(s), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } } };
    case 'createOwner':
      return { type: 'create', actor, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: s.name, namespace: 'default' }, data: {} } };
  }
}

/** Runs the steps through the write path over an in-memory log; rejected commands are skipped, as a controller would retry. */
async function historyOf(steps: Step[]): Promise<{ events: StoredEvent[]; live: ClusterState }> {
  const store = createInMemoryStore();
  const live = createClusterState();
  const writePath = createCommandExecutor({ store, state: live, resourceTypeForKind: testResourceTypeForKind });
  await writePath.execute({ type: 'record', actor: 'test', event: { type: 'ClusterInitialized', data: { seed: 3, startTime: T0, mode: 'simulation' } } });
  const prelude: Step[] = [{ op: 'registerNode', node: 'n1' }, { op: 'registerNode', node: 'n2' }, { op: 'createNamespace' }, { op: 'createOwner', name: 'cfg-1' }];
  for (const s of [...prelude, ...steps]) {
    const command = toCommand(live, s);
    if (command) await writePath.execute(command).catch(() => undefined);
  }
  return { events: [...store.events()], live };
}

/** Everything a reader can ask, in a comparable form. */
function answers(state: ClusterState) {
  return {
    pods: listObjects(state, 'Pod'),
    onNodes: NODES.map((n) => podsOnNode(state, n)),
    labelled: ['web', 'api'].map((v) => objectsWithLabel(state, 'Pod', 'app', v)),
    owned: listObjects(state, 'ConfigMap').map((c) => ownedBy(state, c.metadata.uid!)),
    byUid: listObjects(state, 'Pod').map((p) => objectByUid(state, p.metadata.uid!)),
  };
}

describe('snapshots', () => {
  it('a snapshot at any position plus the tail equals the full replay, and the replay equals the live state', async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.nat(), async (steps, cut) => {
        const { events, live } = await historyOf(steps);
        const full = rebuildState(events);
        expect(full).toEqual(live);
        const n = cut % (events.length + 1);
        const loaded = deserializeState(serializeState(rebuildState(events.slice(0, n))));
        expect(loaded.position).toBe(n);
        rebuildState(events.slice(n), loaded);
        expect(loaded).toEqual(full);
        expect(answers(loaded)).toEqual(answers(full));
        // The batched rebuild (deferred Lease renewals) ends in the same state, whatever the batch size.
        const size = 1 + (cut % 7);
        const batches = Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));
        const batched = rebuildStateFromBatches(batches);
        expect(batched).toEqual(full);
        expect(answers(batched)).toEqual(answers(full));
      }),
      { seed: 20261123, numRuns: 100 },
    );
  });

  it('round-trips exactly, including the cluster\'s seed, mode, time and heartbeats', async () => {
    const { live } = await historyOf([{ op: 'registerNode', node: 'n1' }, { op: 'tick', ms: 5000 }, { op: 'heartbeat', node: 'n1' }]);
    const loaded = deserializeState(serializeState(live));
    expect(loaded).toEqual(live);
    expect(loaded).toMatchObject({ seed: 3, mode: 'simulation', time: T0 + 5000, position: 7 });
    expect(loaded.heartbeats.get('n1')).toBe(T0 + 5000);
  });

  it('refuses data that is not a snapshot', () => {
    expect(() => deserializeState('{"format":"other"}')).toThrow(/not a cluster-state snapshot/);
  });
});
