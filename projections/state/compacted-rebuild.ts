import { crc32 } from 'node:zlib';
import { CLUSTER_STREAM, type Position, type StoredEvent } from '../../core/events.ts';
import { streamOf } from '../../core/model/object.ts';
import type { LogDirectory } from '../../core/store/embedded/embedded-store.ts';
import type { StreamTable } from '../../core/store/embedded/stream-table.ts';
import type { ClusterState } from '../cluster-state.ts';
import { NODE_LEASE_NAMESPACE, rebuildStateFromBatches } from './reducer.ts';

/**
 * A rebuild that reads only the events whose effect survives: the same state as replaying every
 * event of (from, to], for logs that keep the log's stream rule (an event about an object is in
 * that object's stream, `streamOf`; cluster-wide events in `cluster`), which the write path
 * guarantees.
 *
 * Why it is the same. `ObjectCreated`/`ObjectReplaced` put the whole object and `ObjectRemoved`
 * takes it away, and every other event of an ordinary object's stream changes only that object
 * (ObjectStatusReplaced, ObjectDeletionRequested, the pod facts), so the object an ordinary stream
 * ends with depends only on its events from the last of those three on. The rest of the state comes
 * from streams read whole: `cluster` (seed, mode, clock, heartbeats and the Lease renewals they
 * make), every `Node/...` stream (node registration creates or takes over a Lease and sets its
 * heartbeat; removal drops heartbeats and stopped kubelets; kubelet faults) and every `Lease/...`
 * stream (Leases are also changed from the two others). `time` is the latest time of any event,
 * which the log's index knows per record without reading it. What remains is the order in which
 * the state's maps hold kinds and objects (snapshots write it): the index knows every record's
 * event types, so the map membership the full replay would go through is simulated from types
 * alone, and the maps are put in that order at the end.
 *
 * The plan is made from the index (`LogDirectory`): no record is read to decide. It declines
 * (undefined) when the index does not know some record's types (record format 1; an envelope
 * format 2 could not hold in binary), when the window cuts through a record, or when an event type
 * appears where the stream rule does not allow it; every event it does read is checked against
 * the stream rule before anything is applied, and it declines if one breaks it.
 *
 * Heartbeats are most of a long log's `cluster` stream, and most repeat the one before: the same
 * nodes, a later time. Within a stretch of the log where no node registers or is removed (the only
 * other events that put a node's heartbeat in the state's map or take it out), a heartbeat record
 * whose data is byte-equal to an earlier one's and to a later one's in that stretch changes nothing
 * the later one does not overwrite: its nodes' heartbeat entries already exist (the earlier one made
 * them, in the same order) and take the later one's time, and their Leases take the later one's
 * resourceVersion and renewTime on top of whatever else happened to them (a Lease renewal changes
 * those two fields only, and only of a Lease that exists). So the plan lists those stretches'
 * heartbeat records (`heartbeatRuns`), and the rebuild compares their stored JSON, without decoding
 * it, and reads of each set of equal ones only the first and the last. Their times are already
 * in `maxTime`.
 */

/** Types an ordinary object's stream may hold, all changing that object alone. */
const ORDINARY_TYPES = new Set([
  'ObjectCreated',
  'ObjectReplaced',
  'ObjectStatusReplaced',
  'ObjectDeletionRequested',
  'ObjectRemoved',
  'PodScheduled',
  'PodUnschedulable',
  'PodPhaseChanged',
  'ContainerStateChanged',
  'PodEvicted',
]);
const NODE_TYPES = new Set([...ORDINARY_TYPES, 'NodeRegistered', 'NodeConditionChanged', 'NodeUnschedulableChanged', 'NodeTaintsChanged', 'KubeletStopped', 'KubeletStarted']);
const CLUSTER_TYPES = new Set(['ClusterInitialized', 'ClockAdvanced', 'NodeHeartbeat']);

// Stream classes (bits, so a signature can say in which classes all its types are allowed).
const CLUSTER = 1;
const NODE = 2;
const ORDINARY = 4;
// What an event does to map membership.
const INSERTS = 1;
const REMOVES = 2;
const REGISTERS_NODE = 3;

export interface CompactedRebuildPlan {
  from: Position;
  /** The last position of the window (the state's position afterwards). */
  to: Position;
  /** Records to read, ascending. */
  records: number[];
  /** Events the plan reads (of the records above, those at or after their stream's cut). */
  eventsToRead: number;
  /** Events in the window. */
  eventsInWindow: number;
  /** Per stream read only in part: the first position that matters. */
  cuts: Map<string, Position>;
  /** The latest event time in the window. */
  maxTime: number;
  /** The map membership and order at `to`: see `orderObjects`. */
  order: SimulatedOrder;
  /** Records holding one NodeHeartbeat each, in stretches of the window in which no node registers or is removed (see above). */
  heartbeatRuns: number[][];
}

interface SimulatedOrder {
  /** Position at which each kind's map was (last) created in the window; absent: held since before the window. */
  kindCreatedAt: Map<string, Position>;
  /** Objects each kind's map holds at `to`. */
  kindSizes: Map<string, number>;
  /** Position at which each object the window inserted and that is held at `to` was inserted, by stream name (`Kind/key`). */
  insertedAt: Map<string, Position>;
}

interface SignatureFacts {
  /** Stream classes in which every type of the signature is allowed. */
  allowedIn: number;
  ops: Uint8Array;
  heartbeat: HeartbeatRole;
}

const enum HeartbeatRole {
  None,
  /** Exactly one NodeHeartbeat. */
  Alone,
  /** A NodeHeartbeat among other events, or a node registering. */
  EndsRun,
  /** An ObjectRemoved: ends a run in a Node stream. */
  Removes,
}

/** Plans a compacted rebuild of (from, to] over `initial` (the state at `from`), or undefined when it must not be used. */
export function planCompactedRebuild(directory: LogDirectory, initial: ClusterState, from: Position = 0, to: Position = Number.POSITIVE_INFINITY): CompactedRebuildPlan | undefined {
  const end = Math.min(to, directory.head);
  if (from >= end || initial.position !== from) return undefined;
  const { firstPositions, signatures, maxTimes } = directory;
  const firstRecord = directory.recordOf(from + 1);
  const lastRecord = directory.recordOf(end);
  if (firstPositions[firstRecord] !== from + 1) return undefined;
  if (firstPositions[lastRecord]! + directory.count(lastRecord) - 1 !== end) return undefined;
  const windowRecords = lastRecord - firstRecord + 1;

  // Number the streams the window touches, and note which stream each of its records belongs to.
  const streamOfRecord = new Int32Array(windowRecords).fill(-1);
  const names: string[] = [];
  const { streams } = directory;
  /** Each stream's number in the log's stream table. */
  const tableIds: number[] = [];
  const listStart: number[] = [];
  const classes: number[] = [];
  const kindIds: number[] = [];
  const kinds: string[] = [];
  const kindIdOf = new Map<string, number>();
  const leaseIds = new Map<string, number>();
  const addKey = (name: string, streamClass: number, kind: string | undefined): number => {
    const id = names.length;
    names.push(name);
    classes.push(streamClass);
    let kindId = -1;
    if (kind !== undefined) {
      kindId = kindIdOf.get(kind) ?? -1;
      if (kindId < 0) {
        kindId = kinds.length;
        kinds.push(kind);
        kindIdOf.set(kind, kindId);
      }
    }
    kindIds.push(kindId);
    return id;
  };
  // Streams of one kind come in runs (pods created in bursts): the last kind found is tried first, which saves a string and its hashing per stream.
  let lastKind: string | undefined;
  const kindOf = (name: string): string | undefined => {
    if (lastKind !== undefined && name.charCodeAt(lastKind.length) === 47 && name.startsWith(lastKind)) return lastKind;
    const slash = name.indexOf('/');
    return slash > 0 ? (lastKind = name.slice(0, slash)) : undefined;
  };
  // The last record checked first: most streams of a long log ended before a tail window.
  for (let tableId = 0; tableId < streams.size; tableId++) {
    const count = streams.recordCount(tableId);
    if (count === 0 || streams.record(tableId, count - 1) < firstRecord) continue;
    let first = 0;
    if (streams.record(tableId, 0) < firstRecord) first = firstRecordFrom(streams, tableId, count, firstRecord);
    if (streams.record(tableId, first) > lastRecord) continue;
    const name = streams.name(tableId);
    const kind = kindOf(name);
    const streamClass = kind === undefined ? (name === CLUSTER_STREAM ? CLUSTER : 0) : kind === 'Node' ? NODE : ORDINARY;
    const id = addKey(name, streamClass, kind);
    if (kind === 'Lease') leaseIds.set(name, id);
    tableIds.push(tableId);
    listStart.push(first);
    for (; first < count; first++) {
      const record = streams.record(tableId, first);
      if (record > lastRecord) break;
      streamOfRecord[record - firstRecord] = id;
    }
  }
  const streamCount = names.length;

  // Walk the window's records in log order, from their signatures alone: which objects each
  // kind's map holds, and each stream's last reset.
  const signatureFacts: Array<SignatureFacts | undefined> = [];
  const factsOf = (signature: number): SignatureFacts | undefined => {
    const types = directory.signatureTypes[signature];
    if (types === undefined) return undefined;
    let allowedIn = 0;
    if (types.every((type) => CLUSTER_TYPES.has(type))) allowedIn |= CLUSTER;
    if (types.every((type) => NODE_TYPES.has(type))) allowedIn |= NODE;
    if (types.every((type) => ORDINARY_TYPES.has(type))) allowedIn |= ORDINARY;
    const ops = Uint8Array.from(types, (type) =>
      type === 'ObjectCreated' || type === 'ObjectReplaced' ? INSERTS : type === 'ObjectRemoved' ? REMOVES : type === 'NodeRegistered' ? REGISTERS_NODE : 0,
    );
    const heartbeat =
      types.length === 1 && types[0] === 'NodeHeartbeat'
        ? HeartbeatRole.Alone
        : types.some((type) => type === 'NodeHeartbeat' || type === 'NodeRegistered')
          ? HeartbeatRole.EndsRun
          : types.includes('ObjectRemoved')
            ? HeartbeatRole.Removes
            : HeartbeatRole.None;
    return (signatureFacts[signature] = { allowedIn, ops, heartbeat });
  };
  const present: number[] = new Array(streamCount).fill(-1);
  const insertedAt: number[] = new Array(streamCount).fill(0);
  const lastReset = new Float64Array(streamCount);
  const lastResetRemoves = new Uint8Array(streamCount);
  const kindCounts: number[] = kinds.map((kind) => initial.objects.get(kind)?.size ?? 0);
  const kindCreatedAt: number[] = kinds.map(() => -1);
  const initiallyEmpty = initial.objects.size === 0;
  const held = (id: number): boolean => {
    if (present[id]! >= 0) return present[id] === 1;
    if (initiallyEmpty) return false;
    const kind = kinds[kindIds[id]!]!;
    return initial.objects.get(kind)?.has(names[id]!.slice(kind.length + 1)) ?? false;
  };
  const insert = (id: number, position: Position) => {
    if (held(id)) return;
    present[id] = 1;
    insertedAt[id] = position;
    const kindId = kindIds[id]!;
    if (kindCounts[kindId]!++ === 0) kindCreatedAt[kindId] = position;
  };
  const remove = (id: number) => {
    if (!held(id)) return;
    present[id] = 0;
    kindCounts[kindIds[id]!]!--;
  };
  const leaseOf = (nodeStream: number): number => {
    const name = streamOf({ kind: 'Lease', namespace: NODE_LEASE_NAMESPACE, name: names[nodeStream]!.slice('Node/'.length) });
    let id = leaseIds.get(name);
    if (id === undefined) {
      id = addKey(name, ORDINARY, 'Lease');
      leaseIds.set(name, id);
      present.push(-1);
      insertedAt.push(0);
      if (kindCounts.length < kinds.length) {
        kindCounts.push(initial.objects.get('Lease')?.size ?? 0);
        kindCreatedAt.push(-1);
      }
    }
    return id;
  };

  let maxTime = Number.NEGATIVE_INFINITY;
  const heartbeatRuns: number[][] = [];
  let heartbeatRun: number[] = [];
  const endHeartbeatRun = () => {
    if (heartbeatRun.length > 2) heartbeatRuns.push(heartbeatRun);
    heartbeatRun = [];
  };
  for (let record = firstRecord; record <= lastRecord; record++) {
    const id = streamOfRecord[record - firstRecord]!;
    if (id < 0) return undefined;
    const signature = signatures[record]!;
    const facts = signatureFacts[signature] ?? factsOf(signature);
    if (facts === undefined || (facts.allowedIn & classes[id]!) === 0) return undefined;
    if (facts.heartbeat !== HeartbeatRole.None) {
      if (facts.heartbeat === HeartbeatRole.Alone && classes[id] === CLUSTER) heartbeatRun.push(record);
      else if (facts.heartbeat === HeartbeatRole.EndsRun || classes[id] === NODE) endHeartbeatRun();
    }
    const time = maxTimes[record]!;
    if (time > maxTime) maxTime = time;
    const ops = facts.ops;
    const first = firstPositions[record]!;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op === 0) continue;
      const position = first + i;
      if (op === INSERTS) {
        insert(id, position);
        lastReset[id] = position;
        lastResetRemoves[id] = 0;
      } else if (op === REMOVES) {
        remove(id);
        lastReset[id] = position;
        lastResetRemoves[id] = 1;
      } else {
        insert(id, position);
        insert(leaseOf(id), position);
      }
    }
  }

  // What to read: streams read whole (cluster, Node, Lease), and ordinary streams from their last
  // reset on (nothing, when that reset removes an object the state at `from` did not hold).
  const wanted = new Uint8Array(windowRecords);
  const cuts = new Map<string, Position>();
  let eventsToRead = 0;
  for (let id = 0; id < streamCount; id++) {
    const readWhole = classes[id] !== ORDINARY || kinds[kindIds[id]!] === 'Lease';
    let cut = from + 1;
    if (!readWhole && lastReset[id]! > 0) {
      if (lastResetRemoves[id] && !(initiallyEmpty ? false : wasHeldInitially(initial, kinds[kindIds[id]!]!, names[id]!))) continue;
      cut = lastReset[id]!;
      cuts.set(names[id]!, cut);
    }
    const tableId = tableIds[id]!;
    const count = streams.recordCount(tableId);
    for (let r = listStart[id]!; r < count; r++) {
      const record = streams.record(tableId, r);
      if (record > lastRecord) break;
      const count = directory.count(record);
      if (firstPositions[record]! + count - 1 < cut) continue;
      wanted[record - firstRecord] = 1;
      eventsToRead += firstPositions[record]! + count - Math.max(cut, firstPositions[record]!);
    }
  }
  const records: number[] = [];
  for (let i = 0; i < windowRecords; i++) if (wanted[i]) records.push(firstRecord + i);
  endHeartbeatRun();

  const order: SimulatedOrder = { kindCreatedAt: new Map(), kindSizes: new Map(), insertedAt: new Map() };
  kinds.forEach((kind, kindId) => {
    order.kindSizes.set(kind, kindCounts[kindId]!);
    if (kindCreatedAt[kindId]! >= 0) order.kindCreatedAt.set(kind, kindCreatedAt[kindId]!);
  });
  for (let id = 0; id < names.length; id++) if (present[id] === 1) order.insertedAt.set(names[id]!, insertedAt[id]!);
  return { from, to: end, records, eventsToRead, eventsInWindow: end - from, cuts, maxTime, order, heartbeatRuns };
}

function wasHeldInitially(initial: ClusterState, kind: string, stream: string): boolean {
  return initial.objects.get(kind)?.has(stream.slice(kind.length + 1)) ?? false;
}

/** A store that can plan from its index and read chosen records: the embedded log. */
export interface RecordReadable {
  logDirectory(): LogDirectory;
  readRecords(records: readonly number[], fromPosition?: Position, toPosition?: Position): Iterable<StoredEvent[]>;
  readRecordJson(records: readonly number[]): Iterable<[record: number, json: Buffer]>;
}

export interface CompactedRebuildReport {
  /** Events in the window the state now reflects. */
  eventsInWindow: number;
  /** Events actually read, decoded and applied. */
  eventsRead: number;
  recordsRead: number;
  /** Heartbeat records left out because equal ones before and after them say the same (see `planCompactedRebuild`). */
  heartbeatsSkipped: number;
}

/**
 * Applies (from, to] of the store's log to `state` (the state at `from`) the compacted way and
 * returns what it read, or returns undefined having changed nothing when the plan declines or an
 * event read breaks the stream rule (then replay the whole window instead).
 */
export function compactedRebuild(store: RecordReadable, state: ClusterState, from: Position = state.position, to: Position = Number.POSITIVE_INFINITY): CompactedRebuildReport | undefined {
  const plan = planCompactedRebuild(store.logDirectory(), state, from, to);
  if (!plan) return undefined;
  return applyCompactedRebuildPlan(store, state, plan);
}

/** Reads and applies a plan (exported apart so tests can show that a wrong plan is caught). */
export function applyCompactedRebuildPlan(store: RecordReadable, state: ClusterState, plan: CompactedRebuildPlan): CompactedRebuildReport | undefined {
  const skipped = repeatedHeartbeats(store, plan.heartbeatRuns);
  const records = skipped.size === 0 ? plan.records : plan.records.filter((record) => !skipped.has(record));
  const batches: StoredEvent[][] = [];
  let eventsRead = 0;
  for (const batch of store.readRecords(records, plan.from, plan.to)) {
    const kept: StoredEvent[] = [];
    for (const event of batch) {
      const cut = plan.cuts.get(event.stream);
      if (cut !== undefined && event.position < cut) continue;
      if (!keepsStreamRule(event)) return undefined;
      kept.push(event);
    }
    eventsRead += kept.length;
    batches.push(kept);
  }
  rebuildStateFromBatches(batches, state);
  state.position = plan.to;
  if (plan.maxTime > state.time) state.time = plan.maxTime;
  orderObjects(state, plan.order);
  return { eventsInWindow: plan.eventsInWindow, eventsRead, recordsRead: records.length, heartbeatsSkipped: skipped.size };
}

/** Of each run's records, those whose JSON equals an earlier and a later one's in the run. */
function repeatedHeartbeats(store: RecordReadable, runs: readonly number[][]): Set<number> {
  const skipped = new Set<number>();
  if (runs.length === 0) return skipped;
  const stored = store.readRecordJson(runs.flat())[Symbol.iterator]();
  for (const run of runs) {
    // Grouped by CRC of the JSON, then compared byte for byte.
    const groups = new Map<number, Array<{ json: Buffer; records: number[] }>>();
    for (const record of run) {
      const next = stored.next();
      // A record not durable yet: keep them all.
      if (next.done || next.value[0] !== record) return new Set();
      const json = next.value[1];
      const key = crc32(json);
      let candidates = groups.get(key);
      if (!candidates) groups.set(key, (candidates = []));
      let group = candidates.find((candidate) => candidate.json.equals(json));
      if (!group) candidates.push((group = { json, records: [] }));
      group.records.push(record);
    }
    for (const candidates of groups.values()) for (const { records } of candidates) for (let i = 1; i < records.length - 1; i++) skipped.add(records[i]!);
  }
  return skipped;
}

/** Whether an event is in the stream of the object it changes (and `cluster` holds only cluster-wide events). */
function keepsStreamRule(event: StoredEvent): boolean {
  switch (event.type) {
    case 'ClusterInitialized':
    case 'ClockAdvanced':
    case 'NodeHeartbeat':
      return event.stream === CLUSTER_STREAM;
    case 'ObjectCreated':
    case 'ObjectReplaced': {
      const object = event.data.object;
      return event.stream === streamOf({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '' });
    }
    case 'NodeRegistered':
      return event.data.node.kind === 'Node' && event.stream === streamOf({ kind: 'Node', name: event.data.node.metadata.name ?? '' });
    case 'NodeConditionChanged':
    case 'NodeUnschedulableChanged':
    case 'NodeTaintsChanged':
    case 'KubeletStopped':
    case 'KubeletStarted':
      return event.stream === streamOf({ kind: 'Node', name: event.data.node });
    case 'PodScheduled':
    case 'PodUnschedulable':
    case 'PodPhaseChanged':
    case 'ContainerStateChanged':
    case 'PodEvicted':
      return event.data.ref.kind === 'Pod' && event.stream === streamOf(event.data.ref);
    default:
      return event.stream === streamOf(event.data.ref);
  }
}

/**
 * Puts `state.objects` in the order the full replay leaves it: kinds held since before the window
 * first (in their order), then by the position that created their map; in each kind, keys held
 * since before the window first (in their order), then by the position that inserted them. Throws
 * when the objects held differ from what the simulation says (only a log breaking the stream
 * rule in events the plan did not read can cause that).
 */
function orderObjects(state: ClusterState, order: SimulatedOrder): void {
  for (const [kind, size] of order.kindSizes) {
    if ((state.objects.get(kind)?.size ?? 0) !== size) throw new StreamRuleBrokenError(`${kind} objects: ${state.objects.get(kind)?.size ?? 0} held, ${size} by the log's event types`);
  }
  for (const stream of order.insertedAt.keys()) {
    const slash = stream.indexOf('/');
    if (!state.objects.get(stream.slice(0, slash))?.has(stream.slice(slash + 1))) throw new StreamRuleBrokenError(`${stream} is missing`);
  }
  const rank = (positions: Map<string, Position>, name: string) => positions.get(name) ?? -1;
  const kinds = [...state.objects.keys()];
  const sortedKinds = stableSorted(kinds, (a, b) => rank(order.kindCreatedAt, a) - rank(order.kindCreatedAt, b));
  let reorderKinds = sortedKinds.some((kind, i) => kind !== kinds[i]);
  for (const kind of sortedKinds) {
    const objects = state.objects.get(kind)!;
    const keys = [...objects.keys()];
    const ranks = keys.map((key) => rank(order.insertedAt, `${kind}/${key}`));
    const sorted = stableSorted(
      keys.map((_, i) => i),
      (a, b) => ranks[a]! - ranks[b]!,
    );
    if (sorted.some((index, i) => index !== i)) {
      state.objects.set(kind, new Map(sorted.map((i) => [keys[i]!, objects.get(keys[i]!)!])));
      reorderKinds = true;
    }
  }
  if (!reorderKinds) return;
  const ordered = sortedKinds.map((kind) => [kind, state.objects.get(kind)!] as const);
  state.objects.clear();
  for (const [kind, objects] of ordered) state.objects.set(kind, objects);
}

/** The objects held after a compacted rebuild differ from what the log's event types say: the log breaks the stream rule in events the plan did not read. */
export class StreamRuleBrokenError extends Error {
  constructor(detail: string) {
    super(`compacted rebuild: ${detail} (the log breaks the stream rule; replay it whole)`);
    this.name = 'StreamRuleBrokenError';
  }
}

function stableSorted<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
    .map(({ item }) => item);
}

/** The index of the stream's first record at or after `record` (its records ascend). */
function firstRecordFrom(streams: StreamTable, id: number, count: number, record: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (streams.record(id, mid) < record) low = mid + 1;
    else high = mid;
  }
  return low;
}
