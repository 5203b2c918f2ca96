import type { Position, StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { indexObject, shareIndexSets, unindexObject } from '../../projections/state/indexes.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { streamsTouchedBy } from '../../projections/state/touched-refs.ts';
import type { EventSource } from './event-source.ts';
import { SharedStrings } from './shared-strings.ts';

/** Events between two kept states: seeking applies at most this many events after a copy. */
export const DEFAULT_SNAPSHOT_INTERVAL = 500;

/**
 * The state at a position, kept by sharing rather than copying. Objects are immutable in the
 * projection (the reducer replaces, never mutates them) and index sets are copied before they change
 * once shared (`shareIndexSets`), so a snapshot holds shallow copies of the maps only; a map equal to
 * the previous snapshot's (Nodes, Deployments, most label indexes) is that snapshot's very map.
 * Taking and restoring one copies map entries, never objects or sets, which keeps seeks in
 * milliseconds and snapshots small enough to keep one every 500 events.
 */
interface Snapshot {
  position: Position;
  time: number;
  seed: number;
  mode: ClusterState['mode'];
  objects: Map<string, ReadonlyMap<string, KubeObject>>;
  heartbeats: ReadonlyMap<string, number>;
  stoppedKubelets: ReadonlySet<string>;
  podsByNode: ReadonlyMap<string, Set<string>>;
  byOwner: ReadonlyMap<string, Set<string>>;
  byLabel: Map<string, ReadonlyMap<string, Set<string>>>;
}

/**
 * A frozen copy of `map`, or `previous` itself when it holds the same entries in the same order
 * (a restored state iterates its maps in the order the rebuilt one would).
 */
function keptCopy<V>(map: ReadonlyMap<string, V>, previous: ReadonlyMap<string, V> | undefined): ReadonlyMap<string, V> {
  if (previous && previous.size === map.size) {
    const before = previous.entries();
    let same = true;
    for (const [key, value] of map) {
      const [previousKey, previousValue] = before.next().value!;
      if (previousKey !== key || previousValue !== value) {
        same = false;
        break;
      }
    }
    if (same) return previous;
  }
  return new Map(map);
}

function keptCopies<V>(maps: ReadonlyMap<string, ReadonlyMap<string, V>>, previous: ReadonlyMap<string, ReadonlyMap<string, V>> | undefined): Map<string, ReadonlyMap<string, V>> {
  const copy = new Map<string, ReadonlyMap<string, V>>();
  for (const [kind, map] of maps) copy.set(kind, keptCopy(map, previous?.get(kind)));
  return copy;
}

function takeSnapshot(state: ClusterState, previous: Snapshot | undefined): Snapshot {
  shareIndexSets(state);
  return {
    position: state.position,
    time: state.time,
    seed: state.seed,
    mode: state.mode,
    objects: keptCopies(state.objects, previous?.objects),
    heartbeats: keptCopy(state.heartbeats, previous?.heartbeats),
    stoppedKubelets: new Set(state.stoppedKubelets),
    podsByNode: keptCopy(state.podsByNode, previous?.podsByNode),
    byOwner: keptCopy(state.byOwner, previous?.byOwner),
    byLabel: keptCopies(state.byLabel, previous?.byLabel),
  };
}

function restoreSnapshot(snapshot: Snapshot): ClusterState {
  const state = createClusterState();
  state.position = snapshot.position;
  state.time = snapshot.time;
  state.seed = snapshot.seed;
  state.mode = snapshot.mode;
  for (const [kind, objects] of snapshot.objects) state.objects.set(kind, new Map(objects));
  state.heartbeats = new Map(snapshot.heartbeats);
  state.stoppedKubelets = new Set(snapshot.stoppedKubelets);
  state.podsByNode = new Map(snapshot.podsByNode);
  state.byOwner = new Map(snapshot.byOwner);
  for (const [kind, byKind] of snapshot.byLabel) state.byLabel.set(kind, new Map(byKind));
  return state;
}

/** Steps back the working state can undo without a snapshot; beyond it a seek restores one. */
const MAX_UNDO = 20_000;
/** Events before its target for which a seek records undo entries (by default). */
const DEFAULT_UNDO_WINDOW = 32;

/** What one event changed: the previous version of every object (and node heartbeat) it touched. */
interface UndoEntry {
  position: Position;
  time: number;
  objects: Array<{ kind: string; key: string; previous: KubeObject | undefined }>;
  heartbeats: Array<{ node: string; previous: number | undefined }>;
  /** Nodes whose kubelet was stopped before the event, when the event may change that. */
  stoppedKubelets?: { node: string; wasStopped: boolean };
}

function streamKey(stream: string): { kind: string; key: string } | undefined {
  const slash = stream.indexOf('/');
  if (slash < 0) return undefined;
  return { kind: stream.slice(0, slash), key: stream.slice(slash + 1) };
}

/**
 * When states are built: `eager` applies every event as it is added; `on-demand` only as far as
 * a read needs (one-shot CLI commands); `background` like on-demand, plus a builder that works
 * through the rest in chunks between requests, so a session opens at once.
 */
export type Indexing = 'eager' | 'on-demand' | 'background';

export interface TimelineOptions {
  snapshotInterval?: number;
  /** Events before its target for which a seek records undo entries, so that steps back are cheap. */
  undoWindow?: number;
  indexing?: Indexing;
  onProgress?: (position: Position, head: Position) => void;
  /**
   * Where events not passed in come from (a log on disk): loaded in order in the background or as
   * reads need them, so that opening a recording does not wait for all of it to be decoded.
   */
  source?: EventSource;
  /**
   * A state known without building up to it (a server's snapshot plus the log after it): states
   * from its position on are read from it until the builder gets there, so the end of a large
   * recording can be inspected at once.
   */
  anchor?: ClusterState;
  /** Called as events are loaded from `source`. */
  onLoadProgress?: (loaded: Position, head: Position) => void;
}

/** Events read per step while loading from a source (about 80 ms of decoding). */
const LOAD_CHUNK = 10_000;
/** Events per block read at random from a source (a page of the event list, a cursor's event). */
const BLOCK = 256;
const MAX_BLOCKS = 64;

/**
 * A recording held in memory with a state kept every `snapshotInterval` events, so the state at any
 * position is one map copy plus fewer than `snapshotInterval` events away. Positions are dense from
 * 1 (`events[p - 1]` is position p).
 */
export class Timeline {
  /** Events loaded so far, dense from position 1 (`events[p - 1]` is position p); all of them unless a source is still loading. */
  private readonly events: StoredEvent[];
  private source: EventSource | undefined;
  private readonly sourceHead: Position;
  /** Blocks of events read at random from the source before loading reached them, most recently used last. */
  private readonly blocks = new Map<number, StoredEvent[]>();
  private readonly anchor: Snapshot | undefined;
  /** Events after the anchor, read when it was set. */
  private readonly anchorTail: StoredEvent[];
  private readonly onLoadProgress: ((loaded: Position, head: Position) => void) | undefined;
  private markLoaded: () => void = () => undefined;
  private failLoading: (error: unknown) => void = () => undefined;
  /** Why loading from the source stopped, if it failed (a damaged log): reads past what loaded fail with it. */
  loadFailure: Error | undefined;
  private closed = false;
  /** Settles once every event is in memory (at once without a source). */
  readonly loaded: Promise<void>;
  readonly interval: number;
  private readonly undoWindow: number;
  private readonly snapshots: Snapshot[] = [];
  /** The state as far as states have been built (snapshots exist up to its position). */
  private readonly built = createClusterState();
  private readonly indexing: Indexing;
  private readonly onProgress: ((position: Position, head: Position) => void) | undefined;
  private backgroundDone = false;
  /** Settles once every event has been applied once (background indexing). */
  indexed: Promise<void> = Promise.resolve();
  /** A scratch state the cursor moves; handed out by `stateAt`, valid until the next call. */
  private working: ClusterState | undefined;
  /** Undo entries for the events most recently applied to `working`, oldest first. */
  private undo: UndoEntry[] = [];
  private streamIndex: Map<string, number[]> | undefined;
  /** A recording repeats the same names a million times: keep one copy of each (about a third of the events' memory). */
  private readonly sharedStrings = new SharedStrings();

  /** `events` (dense positions from 1) becomes the timeline's own: callers must not change it. */
  constructor(options: TimelineOptions = {}, events: StoredEvent[] = []) {
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.position !== i + 1) throw new Error(`recording positions must be dense from 1: expected ${i + 1}, got ${events[i]!.position}`);
    }
    this.events = events;
    this.interval = Math.max(1, options.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL);
    this.undoWindow = Math.max(1, options.undoWindow ?? DEFAULT_UNDO_WINDOW);
    this.indexing = options.indexing ?? 'eager';
    this.onProgress = options.onProgress;
    this.onLoadProgress = options.onLoadProgress;
    this.source = options.source && options.source.head > events.length ? options.source : undefined;
    this.sourceHead = this.source?.head ?? 0;
    this.loaded = this.source
      ? new Promise((resolve, reject) => {
          this.markLoaded = resolve;
          this.failLoading = reject;
        })
      : Promise.resolve();
    // A failure is reported to whoever awaits it or reads past it, not as a crash.
    this.loaded.catch(() => undefined);
    if (options.source && !this.source) void options.source.close();
    this.snapshots.push(takeSnapshot(this.built, undefined));
    const anchor = options.anchor;
    this.anchorTail = [];
    if (anchor && anchor.position > events.length && anchor.position <= this.head) {
      if (this.source) this.anchorTail = this.source.read(anchor.position, this.head);
      this.anchor = takeSnapshot(anchor, undefined);
    }
  }

  /** A timeline over `events`; an array is taken over, not copied (opening a 1M-event recording copies nothing). */
  static from(events: Iterable<StoredEvent>, options: TimelineOptions = {}): Timeline {
    const timeline = new Timeline(options, Array.isArray(events) ? events : [...events]);
    if (timeline.indexing === 'eager') timeline.ensureBuilt(timeline.head);
    if (timeline.indexing === 'background') {
      timeline.indexed = timeline.buildInBackground();
      // A failure is reported to the read that needs the state (readyThrough), not as a crash.
      timeline.indexed.catch(() => undefined);
    }
    return timeline;
  }

  /** Events states have been built through. */
  get builtThrough(): Position {
    return this.built.position;
  }

  /** Events in memory, from position 1: all of them once `loaded` has settled. */
  get loadedThrough(): Position {
    return this.events.length;
  }

  /** The events in memory so far, from position 1 (callers must not change it). */
  loadedEvents(): readonly StoredEvent[] {
    return this.events;
  }

  /** Every event, loading the rest from the source first (blocking: prefer awaiting `loaded`). */
  allEvents(): StoredEvent[] {
    this.load(this.head);
    return this.events;
  }

  /** Stops loading and releases the source (a log held open); reads past what was loaded then fail. */
  async close(): Promise<void> {
    const source = this.source;
    this.closed = true;
    this.source = undefined;
    this.blocks.clear();
    await source?.close();
  }

  private load(through: Position): void {
    if (this.closed && this.events.length < Math.min(through, this.head)) throw new Error('this recording was closed');
    const source = this.source;
    if (!source) return;
    const target = Math.min(through, this.head);
    if (this.loadFailure) throw this.loadFailure;
    while (this.events.length < target) {
      const from = this.events.length;
      let chunk: StoredEvent[];
      try {
        chunk = source.read(from, Math.min(target, from + LOAD_CHUNK));
        if (chunk.length === 0) throw new Error(`the recording's log ends at position ${from}, though it held ${this.head} events when opened`);
      } catch (error) {
        this.loadFailure = error instanceof Error ? error : new Error(String(error));
        this.failLoading(this.loadFailure);
        throw this.loadFailure;
      }
      for (const event of chunk) {
        if (event.position !== this.events.length + 1) throw new Error(`recording positions must be dense from 1: expected ${this.events.length + 1}, got ${event.position}`);
        this.events.push(event);
      }
      this.onLoadProgress?.(this.events.length, this.head);
    }
    if (this.events.length >= this.head) {
      this.source = undefined;
      this.blocks.clear();
      this.anchorTail.length = 0;
      this.markLoaded();
      void source.close();
    }
  }

  /** A block of events read straight from the source (the loading has not reached it). */
  private readBlock(position: Position): StoredEvent | undefined {
    if (!this.source) throw new Error('this recording was closed');
    const block = Math.floor((position - 1) / BLOCK);
    let events = this.blocks.get(block);
    if (events) this.blocks.delete(block);
    else events = this.source!.read(block * BLOCK, Math.min(this.head, (block + 1) * BLOCK));
    this.blocks.set(block, events);
    if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    return events[position - 1 - block * BLOCK];
  }

  /** Whether the state at `target` comes from the anchor: past it, and the builder has not got there. */
  private fromAnchor(target: Position): boolean {
    return this.anchor !== undefined && target >= this.anchor.position && this.built.position < target;
  }

  private ensureBuilt(target: Position): void {
    const built = this.built;
    if (built.position >= target) return;
    this.load(target);
    for (let p = built.position + 1; p <= target; p++) {
      const event = this.events[p - 1]!;
      // Here rather than at open, which must stay instant: every event passes here once.
      this.sharedStrings.shareIn(event);
      applyEvent(built, event);
      if (p % this.interval === 0) this.snapshots.push(takeSnapshot(built, this.snapshots.at(-1)));
      if (this.onProgress && p % 50_000 === 0) this.onProgress(p, this.head);
    }
  }

  /**
   * Resolves once states are built through `position`: at once when they are, else as the
   * background builder passes it (a server stays responsive meanwhile); without a background
   * builder, builds them now.
   */
  async readyThrough(position: Position): Promise<void> {
    const target = this.clamp(position);
    if (this.fromAnchor(target)) return;
    while (this.indexing === 'background' && !this.backgroundDone && this.built.position < target) await new Promise((resolve) => setImmediate(resolve));
    // No builder (or it stopped): build here; a failure to apply an event surfaces to the caller.
    this.ensureBuilt(target);
  }

  private async buildInBackground(chunk = 20_000): Promise<void> {
    // Yield first: opening returns before any indexing work, and requests go between chunks.
    try {
      for (let step = 0; ; step++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.built.position >= this.head || this.closed) return;
        // Loading runs ahead of building (about three times cheaper per event), so that scans
        // over the whole recording (history, density) are soon served from memory.
        const loading = this.events.length < this.head;
        if (loading && (step % 4 !== 3 || this.built.position >= this.events.length)) this.load(this.events.length + LOAD_CHUNK);
        else this.ensureBuilt(Math.min(this.head, this.built.position + chunk));
      }
    } finally {
      this.backgroundDone = true;
    }
  }

  get head(): Position {
    return Math.max(this.events.length, this.sourceHead);
  }

  append(event: StoredEvent): void {
    if (event.position !== this.head + 1 || this.source) {
      throw new Error(`recording positions must be dense from 1: expected ${this.events.length + 1}, got ${event.position}`);
    }
    this.events.push(event);
    if (this.indexing === 'eager' || this.built.position === event.position - 1) this.ensureBuilt(event.position);
    if (this.streamIndex) for (const stream of streamsTouchedBy(event)) pushTo(this.streamIndex, stream, event.position);
  }

  event(position: Position): StoredEvent | undefined {
    if (position < 1 || position > this.head) return undefined;
    if (position <= this.events.length) return this.events[position - 1];
    if (this.anchor && position > this.anchor.position && this.anchorTail.length > 0) return this.anchorTail[position - this.anchor.position - 1];
    return this.readBlock(position);
  }

  /** Clamps to 0…head. */
  clamp(position: Position): Position {
    return Math.max(0, Math.min(this.head, Math.trunc(position)));
  }

  /** Position of the last event at or before `time` (0 when the recording starts later). */
  positionAtTime(time: number): Position {
    let lo = 0;
    let hi = this.head;
    // Times never go backwards in a log, so a binary search over event times works.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.event(mid + 1)!.metadata.time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The state just after `position`: the shared scratch state, moved forward when it is at or
   * before the target and close, otherwise restored from the nearest snapshot. Valid until the
   * next call; never mutate it, and copy it (`copyAt`) when two states are needed at once.
   */
  stateAt(position: Position): ClusterState {
    const target = this.clamp(position);
    const fromAnchor = this.fromAnchor(target);
    if (!fromAnchor) this.ensureBuilt(target);
    if (target === this.built.position) return this.built;
    let working = this.working;
    if (working && target < working.position && working.position - target <= this.undo.length) {
      // Stepping back a little: undo, far cheaper than restoring a snapshot.
      while (working.position > target) this.undoLast(working);
      return working;
    }
    const movingBack = working !== undefined && target < working.position;
    const base = fromAnchor ? this.anchor! : this.snapshots[Math.floor(target / this.interval)]!;
    if (!working || working.position > target || working.position < base.position) {
      working = this.working = restoreSnapshot(base);
      this.undo = [];
    }
    // Undo entries keep every replaced object alive, so a seek records them only for the events
    // just before its target (what stepping back needs first). Stepping back past them lands here
    // moving back, and then the whole way from the snapshot is recorded for the steps that follow.
    const recordFrom = movingBack ? working.position : Math.max(working.position, target - this.undoWindow);
    if (working.position < recordFrom) {
      this.undo = [];
      for (let p = working.position + 1; p <= recordFrom; p++) applyEvent(working, this.event(p)!);
    }
    for (let p = working.position + 1; p <= target; p++) this.applyWithUndo(working, this.event(p)!);
    if (this.undo.length > MAX_UNDO) this.undo.splice(0, this.undo.length - MAX_UNDO);
    return working;
  }

  private applyWithUndo(state: ClusterState, event: StoredEvent): void {
    const entry: UndoEntry = { position: state.position, time: state.time, objects: [], heartbeats: [] };
    for (const stream of streamsTouchedBy(event)) {
      const ref = streamKey(stream);
      if (!ref) continue;
      entry.objects.push({ ...ref, previous: state.objects.get(ref.kind)?.get(ref.key) });
      if (ref.kind === 'Node') {
        entry.heartbeats.push({ node: ref.key, previous: state.heartbeats.get(ref.key) });
        entry.stoppedKubelets = { node: ref.key, wasStopped: state.stoppedKubelets.has(ref.key) };
      }
    }
    if (event.type === 'NodeHeartbeat') for (const node of event.data.nodes) entry.heartbeats.push({ node, previous: state.heartbeats.get(node) });
    applyEvent(state, event);
    this.undo.push(entry);
  }

  private undoLast(state: ClusterState): void {
    const entry = this.undo.pop()!;
    for (let i = entry.objects.length - 1; i >= 0; i--) {
      const { kind, key, previous } = entry.objects[i]!;
      const objects = state.objects.get(kind);
      const current = objects?.get(key);
      if (current === previous) continue;
      if (current) unindexObject(state, kind, key, current);
      if (previous) {
        let map = objects;
        if (!map) state.objects.set(kind, (map = new Map()));
        map.set(key, previous);
        indexObject(state, kind, key, previous);
      } else objects!.delete(key);
    }
    for (const { node, previous } of entry.heartbeats) {
      if (previous === undefined) state.heartbeats.delete(node);
      else state.heartbeats.set(node, previous);
    }
    if (entry.stoppedKubelets) {
      if (entry.stoppedKubelets.wasStopped) state.stoppedKubelets.add(entry.stoppedKubelets.node);
      else state.stoppedKubelets.delete(entry.stoppedKubelets.node);
    }
    state.position = entry.position;
    state.time = entry.time;
  }

  /** A state at `position` that belongs to the caller. */
  copyAt(position: Position): ClusterState {
    const target = this.clamp(position);
    const fromAnchor = this.fromAnchor(target);
    if (!fromAnchor) this.ensureBuilt(target);
    const state = restoreSnapshot(fromAnchor ? this.anchor! : this.snapshots[Math.floor(target / this.interval)]!);
    for (let p = state.position + 1; p <= target; p++) applyEvent(state, this.event(p)!);
    return state;
  }

  /** Positions of every event that changed the object a stream names (built on first use). */
  positionsTouching(stream: string): readonly number[] {
    if (!this.streamIndex) {
      const index = new Map<string, number[]>();
      for (const event of this.allEvents()) for (const s of streamsTouchedBy(event)) pushTo(index, s, event.position);
      this.streamIndex = index;
    }
    return this.streamIndex.get(stream) ?? [];
  }
}

function pushTo(index: Map<string, number[]>, key: string, value: number): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}
