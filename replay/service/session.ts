import type { Position, StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { resolveResourceName } from '../../core/model/registry.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import { servedResourceTypes } from '../../projections/state/served-types.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { getObject, listObjects } from '../../projections/state/queries.ts';
import { applyEvent } from '../../projections/state/reducer.ts';
import { type Breakpoint, type CompiledBreakpoint, type ReplayInvariant, compileBreakpoint } from './breakpoints.ts';
import { streamsTouchedBy } from '../../projections/state/touched-refs.ts';
import { hasEventType } from '../../projections/state/container-updates.ts';
import { type EventSummary, describeEvent, eventKind, isFailureEvent, summarizeEvent } from './event-summary.ts';
import { NotFoundError, causationChain, explainPod } from './explain.ts';
import { type InvariantFailures, InvariantScan } from './invariant-scan.ts';
import { type StateDiff, diffStates } from './state-diff.ts';
import { type StateSummary, summarizeState } from './state-summary.ts';
import type { Timeline } from './timeline.ts';

export interface SessionSource {
  type: 'live' | 'dir' | 'file' | 'esdb' | 'import' | 'fork' | 'events';
  path?: string;
  url?: string;
  parent?: string;
  forkedAt?: number;
}

export interface Cursor {
  position: Position;
  time: string;
  event?: EventSummary;
}

export interface SessionInfo {
  id: string;
  source: SessionSource;
  head: Position;
  startTime: string;
  endTime: string;
  cursor: Cursor;
}

export interface RunResult {
  cursor: Cursor;
  hit: boolean;
  reason?: string;
}

export interface EventQuery {
  from?: Position;
  limit?: number;
  type?: string;
  actor?: string;
  kind?: string;
  /** `kind/ns/name` or `kind/name`. */
  object?: string;
  q?: string;
}

export interface DensityBucket {
  start: string;
  end: string;
  events: number;
  user: number;
  fault: number;
  failure: number;
}

export interface Density {
  start: string;
  end: string;
  buckets: DensityBucket[];
  /** False while the recording is still loading: the buckets count the events loaded so far. */
  complete: boolean;
  /** Events counted so far (the whole recording once complete). */
  loaded: number;
}

export interface Marker {
  position: Position;
  time: string;
  kind: 'user' | 'fault' | 'failure';
  summary: string;
}

export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export function isBadRequestError(error: unknown): error is BadRequestError {
  return error instanceof BadRequestError;
}

export const MAX_EVENT_PAGE = 1000;

/** Index of the first element ≥ value in a sorted array. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A kind as users type it (`pods`, `po`, `Deployment`, `deploy`) → its Kind. `served` adds the
 * kinds a recording's CustomResourceDefinitions serve (`crontabs`, `ct`).
 */
export function kindOf(name: string, served?: () => readonly ResourceType[]): string {
  const type = resolveResourceName(name) ?? (served ? resolveResourceName(name, served()) : undefined);
  if (!type) throw new BadRequestError(`the server doesn't have a resource type "${name}"`);
  return type.kind;
}

/** `kind/ns/name` or `kind/name` → the stream naming that object. */
export function streamOfObjectPath(path: string, served?: () => readonly ResourceType[]): string {
  const parts = path.split('/');
  if (parts.length < 2 || parts.length > 3) throw new BadRequestError(`object must be kind/namespace/name or kind/name, not "${path}"`);
  const kind = kindOf(parts[0]!, served);
  const namespace = parts.length === 3 && parts[1] !== '_' ? parts[1] : undefined;
  return namespace ? `${kind}/${namespace}/${parts.at(-1)}` : `${kind}/${parts.at(-1)}`;
}

/**
 * One recording opened for inspection, with its own cursor. The state "at" a position is the
 * cluster just after that event (0: before the first). Reads default to the cursor.
 */
export class ReplaySession {
  position: Position;
  private densityCache = new Map<number, { first: number; width: number; through: Position; density: Density }>();
  private markersFound: { through: Position; items: Marker[] } = { through: 0, items: [] };
  private filterCache = new Map<string, { through: Position; positions: number[] }>();
  private invariantScan: InvariantScan | undefined;

  constructor(
    readonly id: string,
    readonly source: SessionSource,
    readonly timeline: Timeline,
    private readonly invariants: readonly ReplayInvariant[] = [],
    /** Pulls events appended since open (live sessions). */
    private readonly refresh?: () => Promise<void>,
  ) {
    this.position = timeline.head;
  }

  get head(): Position {
    return this.timeline.head;
  }

  /** Live sessions catch up with their log before answering. */
  async sync(): Promise<void> {
    if (!this.refresh) return;
    const before = this.head;
    await this.refresh();
    if (this.head !== before) {
      this.densityCache.clear();
      this.markersFound = { through: 0, items: [] };
    }
  }

  info(): SessionInfo {
    const first = this.timeline.event(1);
    const last = this.timeline.event(this.head);
    return {
      id: this.id,
      source: this.source,
      head: this.head,
      startTime: toRfc3339(first?.metadata.time ?? 0),
      endTime: toRfc3339(last?.metadata.time ?? 0),
      cursor: this.cursor(),
    };
  }

  cursorAt(position: Position): Cursor {
    const event = this.timeline.event(position);
    const cursor: Cursor = { position, time: toRfc3339(event?.metadata.time ?? this.timeline.event(1)?.metadata.time ?? 0) };
    if (event) cursor.event = summarizeEvent(event);
    return cursor;
  }

  cursor(): Cursor {
    return this.cursorAt(this.position);
  }

  /** A position or an RFC 3339 time (the last event at or before it). */
  resolve(at: string | number | undefined): Position {
    if (at === undefined || at === '') return this.position;
    if (typeof at === 'number' || /^\d+$/.test(at)) {
      const position = Number(at);
      if (position > this.head) throw new BadRequestError(`position ${position} is beyond the end of the recording (${this.head})`);
      return position;
    }
    const time = Date.parse(at);
    if (Number.isNaN(time)) throw new BadRequestError(`"${at}" is neither a position nor an RFC 3339 time`);
    return this.timeline.positionAtTime(time);
  }

  seek(target: { position?: number; time?: string }): Cursor {
    if (target.position !== undefined) {
      if (!Number.isInteger(target.position) || target.position < 0) throw new BadRequestError('position must be a whole number');
      this.position = this.timeline.clamp(target.position);
    } else if (target.time !== undefined) {
      this.position = this.resolve(target.time);
    } else throw new BadRequestError('seek needs a position or a time');
    return this.cursor();
  }

  step(count = 1, unit: 'event' | 'reconcile' = 'event'): Cursor {
    if (!Number.isInteger(count)) throw new BadRequestError('count must be a whole number');
    if (unit === 'event') this.position = this.timeline.clamp(this.position + count);
    else if (unit === 'reconcile') for (let i = 0; i < Math.abs(count); i++) this.position = count > 0 ? this.reconcileEnd(this.position + 1) : this.reconcileStart(this.position);
    else throw new BadRequestError(`unit must be "event" or "reconcile", not "${String(unit)}"`);
    return this.cursor();
  }

  /**
   * The last event of the reconcile step that starts at `start`: that event plus everything it
   * caused, transitively (events are caused only by earlier ones, so one forward pass suffices).
   */
  private reconcileEnd(start: Position): Position {
    if (start > this.head) return this.head;
    const members = new Set<number>([start]);
    let end = start;
    for (let p = start + 1; p <= this.head; p++) {
      const cause = this.timeline.event(p)!.metadata.causationId;
      if (cause !== undefined && members.has(cause)) {
        members.add(p);
        end = p;
      } else if (p - end > 10_000) break;
    }
    return end;
  }

  /** Stepping back one reconcile step from `position`: to just before the step that contains it began. */
  private reconcileStart(position: Position): Position {
    if (position <= 0) return 0;
    // The root of the chain the event at `position` belongs to, staying on the causation path.
    let root = position;
    for (;;) {
      const cause = this.timeline.event(root)!.metadata.causationId;
      if (cause === undefined || cause >= root) break;
      root = cause;
    }
    return root - 1;
  }

  run(direction: 'forward' | 'back', breakpoint: Breakpoint): RunResult {
    let compiled: CompiledBreakpoint;
    try {
      compiled = compileBreakpoint(breakpoint, this.invariants);
    } catch (error) {
      throw new BadRequestError(error instanceof Error ? error.message : String(error));
    }
    const found = direction === 'forward' ? this.findForward(compiled, this.position) : direction === 'back' ? this.findBack(compiled, this.position) : undefined;
    if (direction !== 'forward' && direction !== 'back') throw new BadRequestError('direction must be "forward" or "back"');
    if (!found) {
      this.position = direction === 'forward' ? this.head : 0;
      return { cursor: this.cursor(), hit: false };
    }
    this.position = found.position;
    return { cursor: this.cursor(), hit: true, reason: found.reason };
  }

  private findForward(breakpoint: CompiledBreakpoint, from: Position): { position: Position; reason: string } | undefined {
    if (!breakpoint.needsState) {
      for (let p = from + 1; p <= this.head; p++) {
        const reason = breakpoint.test(this.timeline.event(p)!, undefined as unknown as ClusterState, undefined);
        if (reason) return { position: p, reason };
      }
      return undefined;
    }
    return this.scan(breakpoint, breakpoint.fromStart ? 0 : from, this.head, (p) => p > from, true);
  }

  private findBack(breakpoint: CompiledBreakpoint, from: Position): { position: Position; reason: string } | undefined {
    if (!breakpoint.needsState) {
      for (let p = from - 1; p >= 1; p--) {
        const reason = breakpoint.test(this.timeline.event(p)!, undefined as unknown as ClusterState, undefined);
        if (reason) return { position: p, reason };
      }
      return undefined;
    }
    if (breakpoint.fromStart) return this.scan(breakpoint, 0, from - 1, () => true, false);
    // Chunk by chunk backwards, each scanned forward from its snapshot.
    const interval = this.timeline.interval;
    for (let chunkStart = Math.floor((from - 1) / interval) * interval; chunkStart >= 0; chunkStart -= interval) {
      const found = this.scan(breakpoint, chunkStart, Math.min(from - 1, chunkStart + interval), () => true, false);
      if (found) return found;
    }
    return undefined;
  }

  /** Applies events start+1…end to a private state, testing each; first or last hit that `counts`. */
  private scan(breakpoint: CompiledBreakpoint, start: Position, end: Position, counts: (p: Position) => boolean, first: boolean): { position: Position; reason: string } | undefined {
    const state = this.timeline.copyAt(start);
    let last: { position: Position; reason: string } | undefined;
    for (let p = start + 1; p <= end; p++) {
      const event = this.timeline.event(p)!;
      const before = breakpoint.objectBefore?.(event, state);
      applyEvent(state, event);
      const reason = breakpoint.test(event, state, before);
      if (reason && counts(p)) {
        last = { position: p, reason };
        if (first) return last;
      }
    }
    return last;
  }

  /** Every kind served at the head, custom resources' included. */
  private readonly served = () => servedResourceTypes(this.stateAt());

  stateAt(at?: string | number): ClusterState {
    return this.timeline.stateAt(this.resolve(at));
  }

  summary(at?: string | number): StateSummary {
    return summarizeState(this.stateAt(at));
  }

  objects(kind: string, namespace?: string, at?: string | number): KubeObject[] {
    return listObjects(this.stateAt(at), kindOf(kind, this.served), namespace || undefined);
  }

  object(kind: string, namespace: string | undefined, name: string, at?: string | number): KubeObject {
    const resolved = kindOf(kind, this.served);
    const ns = namespace === '_' ? undefined : namespace;
    const object = getObject(this.stateAt(at), resolved, ns, name);
    if (!object) throw new NotFoundError(`${resolved} ${ns ? `${ns}/` : ''}${name} does not exist at position ${this.resolve(at)}`);
    return object;
  }

  history(kind: string, namespace: string | undefined, name: string): EventSummary[] {
    const stream = streamOfObjectPath(namespace && namespace !== '_' ? `${kind}/${namespace}/${name}` : `${kind}/${name}`, this.served);
    return this.timeline.positionsTouching(stream).map((p) => summarizeEvent(this.timeline.event(p)!));
  }

  events(query: EventQuery = {}): { items: EventSummary[]; total: number; next?: number } {
    const limit = Math.min(MAX_EVENT_PAGE, Math.max(1, query.limit ?? 100));
    const from = Math.max(1, query.from ?? 1);
    const matcher = this.eventMatcher(query);
    if (!matcher) {
      const items: EventSummary[] = [];
      for (let p = from; p <= this.head && items.length < limit; p++) items.push(summarizeEvent(this.timeline.event(p)!));
      const last = items.at(-1)?.position ?? from - 1;
      return { items, total: this.head, ...(last < this.head ? { next: last + 1 } : {}) };
    }
    const positions = this.matchingPositions(query, matcher);
    let index = lowerBound(positions, from);
    const items: EventSummary[] = [];
    for (; index < positions.length && items.length < limit; index++) items.push(summarizeEvent(this.timeline.event(positions[index]!)!));
    return { items, total: positions.length, ...(index < positions.length ? { next: positions[index]! } : {}) };
  }

  /** Positions matching a filter, remembered for the next page (the head only grows). */
  private matchingPositions(query: EventQuery, matcher: (event: StoredEvent) => boolean): number[] {
    const key = JSON.stringify([query.type, query.actor, query.kind, query.object, query.q]);
    let cached = this.filterCache.get(key);
    if (!cached) {
      cached = { through: 0, positions: [] };
      this.filterCache.set(key, cached);
      if (this.filterCache.size > 16) this.filterCache.delete(this.filterCache.keys().next().value!);
    }
    for (let p = cached.through + 1; p <= this.head; p++) if (matcher(this.timeline.event(p)!)) cached.positions.push(p);
    cached.through = this.head;
    return cached.positions;
  }

  private eventMatcher(query: EventQuery): ((event: StoredEvent) => boolean) | undefined {
    const tests: Array<(event: StoredEvent) => boolean> = [];
    if (query.type) tests.push((e) => hasEventType(e, query.type!));
    if (query.actor) tests.push((e) => e.metadata.actor === query.actor || e.metadata.actor.startsWith(`${query.actor}/`));
    if (query.kind) {
      const kind = kindOf(query.kind, this.served);
      tests.push((e) => streamsTouchedBy(e).some((s) => s.split('/')[0] === kind));
    }
    if (query.object) {
      const stream = streamOfObjectPath(query.object, this.served);
      tests.push((e) => streamsTouchedBy(e).includes(stream));
    }
    if (query.q) {
      const text = query.q.toLowerCase();
      tests.push((e) => describeEvent(e).toLowerCase().includes(text) || e.type.toLowerCase().includes(text) || e.metadata.actor.toLowerCase().includes(text));
    }
    if (tests.length === 0) return undefined;
    return (event) => tests.every((test) => test(event));
  }

  event(position: Position): { summary: EventSummary; event: StoredEvent } {
    const event = this.timeline.event(position);
    if (!event) throw new NotFoundError(`no event at position ${position} (the recording has ${this.head})`);
    return { summary: summarizeEvent(event), event };
  }

  /**
   * Events per bucket over virtual time. While the recording is still loading (a large log opened
   * lazily) it counts the events loaded so far and says `complete: false`: ask again for the rest.
   */
  density(bucketCount = 200): Density {
    const count = Math.min(10_000, Math.max(1, Math.trunc(bucketCount)));
    let cached = this.densityCache.get(count);
    if (!cached) {
      const first = this.timeline.event(1)?.metadata.time ?? 0;
      const last = this.timeline.event(this.head)?.metadata.time ?? first;
      const width = Math.max(1, (last - first + 1) / count);
      const buckets: DensityBucket[] = Array.from({ length: count }, (_, i) => ({
        start: toRfc3339(Math.floor(first + i * width)),
        end: toRfc3339(Math.floor(first + (i + 1) * width)),
        events: 0,
        user: 0,
        fault: 0,
        failure: 0,
      }));
      cached = { first, width, through: 0, density: { start: toRfc3339(first), end: toRfc3339(last), buckets, complete: false, loaded: 0 } };
      this.densityCache.set(count, cached);
    }
    const { first, width, density } = cached;
    if (this.timeline.loadFailure) throw this.timeline.loadFailure;
    const events = this.timeline.loadedEvents();
    for (let i = cached.through; i < events.length; i++) {
      const event = events[i]!;
      const bucket = density.buckets[Math.min(count - 1, Math.floor((event.metadata.time - first) / width))]!;
      bucket.events++;
      const kind = eventKind(event.metadata.actor);
      if (kind === 'user') bucket.user++;
      else if (kind === 'fault') bucket.fault++;
      if (isFailureEvent(event)) bucket.failure++;
    }
    cached.through = events.length;
    density.loaded = events.length;
    density.complete = events.length >= this.head;
    return density;
  }

  /** User actions, faults and failures, in order; like `density`, incomplete while the recording loads. */
  markers(): { items: Marker[]; complete: boolean } {
    const found = this.markersFound;
    if (this.timeline.loadFailure) throw this.timeline.loadFailure;
    const events = this.timeline.loadedEvents();
    for (let i = found.through; i < events.length; i++) {
      const event = events[i]!;
      const kind = eventKind(event.metadata.actor);
      const marker = kind === 'user' || kind === 'fault' ? kind : isFailureEvent(event) ? 'failure' : undefined;
      if (marker) found.items.push({ position: event.position, time: toRfc3339(event.metadata.time), kind: marker, summary: describeEvent(event) });
    }
    found.through = events.length;
    return { items: found.items, complete: events.length >= this.head };
  }

  /** Names of the invariants this session can check (breakpoints and failure markers). */
  invariantNames(): string[] {
    return this.invariants.map((invariant) => invariant.name);
  }

  /**
   * Where the loaded invariants fail, as far as checked so far. The first call starts checking the
   * recording in the background (one pass from the start: invariants remember what they saw); call
   * again for progress, until `complete`.
   */
  invariantFailures(): InvariantFailures {
    if (this.invariants.length === 0) return { items: [], total: 0, checkedThrough: this.head, head: this.head, complete: true };
    this.invariantScan ??= new InvariantScan(this.timeline, this.invariants);
    void this.invariantScan.checkInBackground();
    return this.invariantScan.result();
  }

  /** `invariantFailures` once every event so far has been checked. */
  async checkedInvariantFailures(): Promise<InvariantFailures> {
    this.invariantFailures();
    await this.invariantScan?.checkInBackground();
    return this.invariantFailures();
  }

  diff(from: string | number, to: string | number): StateDiff {
    const a = this.timeline.copyAt(this.resolve(from));
    const b = this.timeline.stateAt(this.resolve(to));
    return diffStates(a, b);
  }

  explainEvent(position: Position): { chain: EventSummary[] } {
    return { chain: causationChain(this.timeline, position) };
  }

  explainPod(namespace: string, name: string, at?: string | number) {
    return explainPod(this.timeline, namespace, name, at === undefined ? this.head : this.resolve(at));
  }
}
