import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_STREAM, type ContainerStatusUpdate, type NewEvent, type OrreryEvent, type StoredEvent } from '../../core/events.ts';
import { type KubeObject, streamOf } from '../../core/model/object.ts';
import { createEmbeddedStore, type EmbeddedStore, type LogDirectory } from '../../core/store/embedded/embedded-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import { type CompactedRebuildPlan, applyCompactedRebuildPlan, compactedRebuild, planCompactedRebuild } from './compacted-rebuild.ts';
import { NODE_LEASE_NAMESPACE, createClusterState, rebuildState } from './reducer.ts';
import { deserializeState, serializeState } from './snapshot.ts';
import { T0 } from './test-events.ts';

/**
 * The compacted rebuild against the plain replay, over generated logs that keep the stream rule:
 * objects of several kinds created, replaced, changed, marked, removed and re-created (with their
 * names reused), nodes registering and leaving, user-made Leases beside the nodes' own, heartbeats,
 * node and pod facts, faults, clock moves (time going back too), several events per record, and
 * rebuilds from a snapshot in the middle of the log as well as from the start.
 */

const root = mkdtempSync(join(tmpdir(), 'orrery-compacted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const NAMES = ['a', 'b', 'c'];
const NODES = ['n1', 'n2'];
const NAMESPACES = ['default', 'team'];
const LABELS: Array<Record<string, string> | undefined> = [undefined, { app: 'web' }, { app: 'api', tier: 'x' }];

type Step = { stream: string; events: OrreryEvent[]; dt: number };

const objectRef = fc.oneof(
  fc.record({ kind: fc.constant('Pod'), namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('ConfigMap'), namespace: fc.constant('default'), name: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('Namespace'), name: fc.constantFrom(...NAMESPACES) }),
  fc.record({ kind: fc.constant('Lease'), namespace: fc.constant(NODE_LEASE_NAMESPACE), name: fc.constantFrom(...NODES) }),
  fc.record({ kind: fc.constant('Node'), name: fc.constantFrom(...NODES) }),
);

function objectOf(ref: { kind: string; namespace?: string; name: string }, uid: number, labels: Record<string, string> | undefined, owner: boolean, nodeName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: ref.kind,
    metadata: {
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      uid: `uid-${uid}`,
      ...(labels ? { labels } : {}),
      ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: `uid-${uid % 3}` }] } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...(nodeName ? { nodeName } : {}) },
    status: { phase: 'Pending' },
  };
}

function containerUpdate(running: boolean, uid: number): ContainerStatusUpdate {
  const state = running ? { running: { startedAt: '2026-01-01T00:00:01Z' } } : { waiting: { reason: 'ContainerCreating' } };
  return { container: 'app', state, ready: running, started: running, restartCount: uid % 3 };
}

const objectEvent = fc
  .record({ ref: objectRef, op: fc.integer({ min: 0, max: 11 }), uid: fc.nat(20), labels: fc.constantFrom(...LABELS), owner: fc.boolean(), node: fc.constantFrom(undefined, ...NODES) })
  .map(({ ref, op, uid, labels, owner, node }): OrreryEvent => {
    const r = { ...ref, uid: `uid-${uid}` };
    // Pod facts are about pods (the write path refuses them for other kinds).
    if (op >= 6 && op <= 10 && ref.kind !== 'Pod') op = 3;
    switch (op) {
      case 0:
      case 1:
        return { type: 'ObjectCreated', data: { object: objectOf(ref, uid, labels, owner, ref.kind === 'Pod' ? node : undefined) } };
      case 2:
        return { type: 'ObjectReplaced', data: { object: objectOf(ref, uid, labels, owner) } };
      case 3:
        return { type: 'ObjectStatusReplaced', data: { ref: r, status: { observed: uid } } };
      case 4:
        return { type: 'ObjectDeletionRequested', data: { ref: r, deletionTimestamp: '2026-01-01T00:00:30Z', gracePeriodSeconds: 30, propagationPolicy: owner ? 'Foreground' : 'Background' } };
      case 5:
        return { type: 'ObjectRemoved', data: { ref: r } };
      case 6:
        return { type: 'PodScheduled', data: { ref: r, nodeName: node ?? 'n1', decision: { evaluated: 2, feasible: 2, verdicts: [] } } };
      case 7: {
        // Half of them as the kubelet writes them now: one status update with its container changes.
        const containers = uid % 2 === 0 ? { containers: [containerUpdate(!owner, uid), containerUpdate(owner, uid)] } : {};
        return { type: 'PodPhaseChanged', data: { ref: r, phase: owner ? 'Running' : 'Succeeded', podIP: `10.0.0.${uid}`, hostIP: '10.1.0.1', ...containers } };
      }
      case 8:
        return { type: 'ContainerStateChanged', data: { ref: r, ...containerUpdate(owner, uid) } };
      case 9:
        return { type: 'PodEvicted', data: { ref: r, reason: 'Evicted', message: 'The node was low on resource: memory.' } };
      case 10:
        return { type: 'PodUnschedulable', data: { ref: r, decision: { evaluated: 2, feasible: 0, verdicts: [], message: '0/2 nodes are available' } } };
      default:
        return { type: 'ObjectRemoved', data: { ref: r } };
    }
  });

const nodeEvent = fc.record({ node: fc.constantFrom(...NODES), op: fc.integer({ min: 0, max: 6 }), flag: fc.boolean(), uid: fc.nat(20) }).map(({ node, op, flag, uid }): OrreryEvent => {
  switch (op) {
    case 0:
    case 1:
      return { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: node, uid: `node-${uid}`, labels: { zone: flag ? 'a' : 'b' } }, spec: {}, status: { conditions: [] } } } };
    case 2:
      return { type: 'NodeConditionChanged', data: { node, condition: { type: 'Ready', status: flag ? 'True' : 'False', reason: 'KubeletReady' } } };
    case 3:
      return { type: 'NodeUnschedulableChanged', data: { node, unschedulable: flag } };
    case 4:
      return { type: 'NodeTaintsChanged', data: { node, taints: flag ? [{ key: 'k', effect: 'NoSchedule' }] : [] } };
    case 5:
      return flag ? { type: 'KubeletStopped', data: { node, reason: 'fault' } } : { type: 'KubeletStarted', data: { node } };
    default:
      return { type: 'ObjectRemoved', data: { ref: { kind: 'Node', name: node } } };
  }
});

/** Steps with these weights: object events, node events, heartbeats or clock moves. */
function stepOf(weights: [objects: number, nodes: number, cluster: number]): fc.Arbitrary<Step> {
  return fc
    .oneof(
      { weight: weights[0], arbitrary: fc.tuple(fc.array(objectEvent, { minLength: 1, maxLength: 3 }), fc.integer({ min: -2_000, max: 10_000 })) },
      { weight: weights[1], arbitrary: fc.tuple(fc.array(nodeEvent, { minLength: 1, maxLength: 2 }), fc.integer({ min: 0, max: 10_000 })) },
      {
        weight: weights[2],
        arbitrary: fc.tuple(
          fc.oneof(
            fc.subarray(NODES, { minLength: 1 }).map((nodes): OrreryEvent => ({ type: 'NodeHeartbeat', data: { nodes } })),
            fc.integer({ min: -5_000, max: 60_000 }).map((dt): OrreryEvent => ({ type: 'ClockAdvanced', data: { time: T0 + 100_000 + dt } })),
          ).map((event) => [event]),
          fc.integer({ min: -2_000, max: 10_000 }),
        ),
      },
    )
    .map(([events, dt]) => {
      // Several events in one append all go to the stream of the first (the others are retargeted to it).
      const stream = streamOfEvent(events[0]!);
      return { stream, events: events.filter((event) => streamOfEvent(event) === stream), dt };
    });
}

function streamOfEvent(event: OrreryEvent): string {
  switch (event.type) {
    case 'ClusterInitialized':
    case 'ClockAdvanced':
    case 'NodeHeartbeat':
      return CLUSTER_STREAM;
    case 'ObjectCreated':
    case 'ObjectReplaced':
      return streamOf({ kind: event.data.object.kind, namespace: event.data.object.metadata.namespace, name: event.data.object.metadata.name ?? '' });
    case 'NodeRegistered':
      return streamOf({ kind: 'Node', name: event.data.node.metadata.name ?? '' });
    case 'NodeConditionChanged':
    case 'NodeUnschedulableChanged':
    case 'NodeTaintsChanged':
    case 'KubeletStopped':
    case 'KubeletStarted':
      return streamOf({ kind: 'Node', name: event.data.node });
    default:
      return streamOf(event.data.ref);
  }
}

const logOf = (weights: [number, number, number]) =>
  fc.record({ seed: fc.nat(1000), steps: fc.array(stepOf(weights), { minLength: 1, maxLength: 60, size: 'max' }), cut: fc.double({ min: 0, max: 1, noNaN: true }) });
const logArbitrary = logOf([6, 2, 2]);
/** Mostly heartbeats and nodes registering and leaving: where skipping repeated heartbeats could go wrong. */
const heartbeatLogArbitrary = logOf([1, 3, 6]);

/** Writes the steps to a fresh embedded log; returns it and the position at a record boundary near `cut` of the way. */
async function writeLog(seed: number, steps: Step[], cut: number): Promise<{ store: EmbeddedStore; events: StoredEvent[]; cutAt: number }> {
  const store = await createEmbeddedStore(join(root, `log-${dirs++}`));
  let time = T0;
  const boundaries = [1];
  const appended: Array<Promise<unknown>> = [store.append(CLUSTER_STREAM, [{ type: 'ClusterInitialized', data: { seed, startTime: T0, mode: 'simulation' }, metadata: { actor: 'test', time } } as NewEvent])];
  let position = 1;
  for (const { stream, events, dt } of steps) {
    time += dt;
    appended.push(store.appendNow(stream, events.map((event) => ({ ...event, metadata: { actor: 'test', time } }) as NewEvent)).durable);
    position += events.length;
    boundaries.push(position);
  }
  await Promise.all(appended);
  const events: StoredEvent[] = [];
  for await (const event of store.readAll(0)) events.push(event);
  return { store, events, cutAt: boundaries[Math.floor(cut * (boundaries.length - 1))]! };
}

function expectSameState(actual: ClusterState, expected: ClusterState): void {
  expect(serializeState(actual).toString()).toBe(serializeState(expected).toString());
  expect(actual).toEqual(expected);
}

type PlanChange = (plan: CompactedRebuildPlan, directory: LogDirectory) => CompactedRebuildPlan;
const samePlan: PlanChange = (plan) => plan;

/** Runs the property with the plan passed through `change` (identity: the real thing); counts the heartbeats the rebuilds skipped. */
async function property(change: PlanChange, numRuns: number, skipped = { heartbeats: 0 }, logs = logArbitrary) {
  return fc.check(
    fc.asyncProperty(logs, async ({ seed, steps, cut }) => {
      const { store, events, cutAt } = await writeLog(seed, steps, cut);
      try {
        const full = rebuildState(events);
        for (const from of [0, cutAt]) {
          // From a snapshot of the state at `from`, as a restart loads it.
          const state = from === 0 ? createClusterState() : deserializeState(serializeState(rebuildState(events.filter((e) => e.position <= from))));
          if (state.position !== from) continue;
          const plan = planCompactedRebuild(store.logDirectory(), state, from);
          if (from === full.position) continue;
          expect(plan).toBeDefined();
          const report = applyCompactedRebuildPlan(store, state, change(plan!, store.logDirectory()));
          expect(report).toBeDefined();
          skipped.heartbeats += report!.heartbeatsSkipped;
          expectSameState(state, full);
        }
      } finally {
        await store.close();
      }
    }),
    // A wrong plan only has to be caught: its counterexample is not shrunk.
    { seed: 20261123, numRuns, endOnFailure: change !== samePlan },
  );
}

/** Every record of the plan's window holding a NodeHeartbeat alone. */
function heartbeatRecords(plan: CompactedRebuildPlan, directory: LogDirectory): number[] {
  return directory.streams.recordsOf(directory.streams.id(CLUSTER_STREAM)).filter((record) => {
    const types = directory.signatureTypes[directory.signatures[record]!]!;
    return directory.firstPositions[record]! > plan.from && types.length === 1 && types[0] === 'NodeHeartbeat';
  });
}

describe('compacted rebuild', () => {
  it('gives exactly the state the plain replay gives, from the start and from a snapshot (property)', async () => {
    const result = await property(samePlan, 300);
    expect(result.failed, String(result.counterexample && JSON.stringify(result.counterexample).slice(0, 2000)) + String(result.errorInstance)).toBe(false);
  }, 60_000);

  it('gives the same state when it skips repeated heartbeats, between nodes registering and leaving (property)', async () => {
    const skipped = { heartbeats: 0 };
    const result = await property(samePlan, 200, skipped, heartbeatLogArbitrary);
    expect(result.failed, String(result.counterexample && JSON.stringify(result.counterexample).slice(0, 2000)) + String(result.errorInstance)).toBe(false);
    expect(skipped.heartbeats).toBeGreaterThan(200);
  }, 60_000);

  it('reads only what survives: an object replaced many times is read from its last whole version', async () => {
    const store = await createEmbeddedStore(join(root, `log-${dirs++}`));
    try {
      const metadata = { actor: 'test', time: T0 };
      await store.append(CLUSTER_STREAM, [{ type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' }, metadata }]);
      const ref = { kind: 'ConfigMap', namespace: 'default', name: 'a' };
      for (let i = 0; i < 50; i++) await store.append(streamOf(ref), [{ type: 'ObjectReplaced', data: { object: objectOf(ref, i, { v: String(i) }, false) }, metadata: { actor: 'test', time: T0 + i } }]);
      await store.append(streamOf(ref), [{ type: 'ObjectStatusReplaced', data: { ref, status: { ok: true } }, metadata }]);
      const gone = { kind: 'Pod', namespace: 'default', name: 'b' };
      await store.append(streamOf(gone), [{ type: 'ObjectCreated', data: { object: objectOf(gone, 99, undefined, false) }, metadata }]);
      await store.append(streamOf(gone), [{ type: 'ObjectRemoved', data: { ref: gone }, metadata }]);
      const state = createClusterState();
      const report = compactedRebuild(store, state);
      expect(report).toEqual({ eventsInWindow: 54, eventsRead: 3, recordsRead: 3, heartbeatsSkipped: 0 });
      const events: StoredEvent[] = [];
      for await (const event of store.readAll(0)) events.push(event);
      expectSameState(state, rebuildState(events));
      expect(state.time).toBe(T0 + 49);
    } finally {
      await store.close();
    }
  });

  it('declines logs that break the stream rule in what it reads, and logs whose event types the index does not know', async () => {
    const store = await createEmbeddedStore(join(root, `log-${dirs++}`));
    try {
      const metadata = { actor: 'test', time: T0 };
      await store.append(CLUSTER_STREAM, [{ type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' }, metadata }]);
      await store.append('ConfigMap/default/a', [{ type: 'ObjectCreated', data: { object: objectOf({ kind: 'ConfigMap', namespace: 'default', name: 'other' }, 1, undefined, false) }, metadata }]);
      expect(compactedRebuild(store, createClusterState())).toBeUndefined();
    } finally {
      await store.close();
    }
    const oldFormat = await createEmbeddedStore(join(root, `log-${dirs++}`), { recordFormat: 1 });
    try {
      await oldFormat.append(CLUSTER_STREAM, [{ type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' }, metadata: { actor: 'test', time: T0 } }]);
      await oldFormat.close();
      const reopened = await createEmbeddedStore(oldFormat.directory, { indexCheckpoint: false });
      expect(compactedRebuild(reopened, createClusterState())).toBeUndefined();
      await reopened.close();
    } finally {
      await oldFormat.close();
    }
  });

  describe('the property catches a wrong plan', () => {
    const broken: Array<[string, PlanChange, logs?: typeof logArbitrary]> = [
      ['reading each ordinary stream from just after its last whole version', (plan) => ({ ...plan, cuts: new Map([...plan.cuts].map(([stream, cut]) => [stream, cut + 1])) })],
      ['forgetting the times of the events it skips', (plan) => ({ ...plan, maxTime: Number.NEGATIVE_INFINITY })],
      ['leaving the maps in the order it applied events', (plan) => ({ ...plan, order: { kindCreatedAt: new Map(), kindSizes: new Map(), insertedAt: new Map() } })],
      ['skipping repeated heartbeats across nodes registering and leaving', (plan, directory) => ({ ...plan, heartbeatRuns: [heartbeatRecords(plan, directory)] }), heartbeatLogArbitrary],
    ];
    for (const [name, change, logs] of broken) {
      it(name, async () => {
        const result = await property(change, 120, undefined, logs);
        expect(result.failed).toBe(true);
      }, 60_000);
    }
  });
});
