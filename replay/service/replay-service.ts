import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Position, StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { Controller } from '../../projections/engine/controller.ts';
import type { ReplayInvariant } from './breakpoints.ts';
import { type EventSummary, summarizeEvent } from './event-summary.ts';
import { NotFoundError } from './explain.ts';
import { encodeRecording, openRecording } from './recording-file.ts';
import { type Edit, firstDivergence, rerun } from './rerun.ts';
import { BadRequestError, ReplaySession, type SessionSource } from './session.ts';
import { type StateDiff, diffStates } from './state-diff.ts';
import { type Indexing, Timeline } from './timeline.ts';
import { type EventSource, embeddedEventSource } from './event-source.ts';
import type { EmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { loadLatestSnapshot, writeSnapshot } from '../../projections/state/snapshot-files.ts';
import { parseDuration } from '../../core/virtual-clock.ts';

function isEmbedded(store: EventStore): store is EmbeddedStore {
  return typeof (store as Partial<EmbeddedStore>).readAllBatches === 'function';
}

export type OpenSource =
  | { type: 'live' }
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string }
  | { type: 'esdb'; url: string };

export interface ReplayServiceOptions {
  /** The server's own log, for `{ type: 'live' }`. */
  liveStore?: EventStore;
  /** The server's cluster state: a live session starts from a copy of it instead of building up to the end. */
  liveState?: () => ClusterState;
  /** Invariants the 'invariant' breakpoint may name (the API and CLI pass property-tests' built-ins). */
  invariants?: readonly ReplayInvariant[];
  /** Controllers for forks and verify; default the built-ins. */
  controllers?: () => Controller[];
  snapshotInterval?: number;
  /** When recordings are indexed (see Timeline): default 'background', so sessions open at once. */
  indexing?: Indexing;
  onProgress?: (what: string, done: number, total: number) => void;
}

export type VerifyResult =
  | { reproduces: true; events: number }
  | { reproduces: false; divergedAt: Position; recorded?: EventSummary; replayed?: EventSummary };

export interface ForkRequest {
  at: Position;
  edits?: Edit[];
  /** Virtual time to run on after the last input: "10m", "90s" (a string), or milliseconds (a number). */
  runFor?: string | number;
}

export interface Comparison {
  time: string;
  left: Position;
  right: Position;
  diff: StateDiff;
}

async function readStore(store: EventStore, from: Position = 0): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.readAll(from)) events.push(event);
  return events;
}

/**
 * Sessions over recordings: open, list, close, fork, compare, verify, export and import. Each
 * session holds its recording in memory with snapshots (see Timeline) and its own cursor.
 */
export class ReplayService {
  private readonly sessions = new Map<string, ReplaySession>();
  private nextId = 1;

  constructor(private readonly options: ReplayServiceOptions = {}) {}

  private newId(): string {
    return `s${this.nextId++}`;
  }

  private timeline(events: StoredEvent[], lazily: { source: EventSource; anchor?: ClusterState } | undefined = undefined): Timeline {
    const onProgress = this.options.onProgress;
    return Timeline.from(events, {
      indexing: this.options.indexing ?? 'background',
      ...(this.options.snapshotInterval ? { snapshotInterval: this.options.snapshotInterval } : {}),
      ...(onProgress ? { onProgress: (done: number, head: number) => onProgress('index', done, head), onLoadProgress: (done: number, head: number) => onProgress('load', done, head) } : {}),
      ...lazily,
    });
  }

  private addSession(source: SessionSource, timeline: Timeline, refresh?: () => Promise<void>): ReplaySession {
    const session = new ReplaySession(this.newId(), source, timeline, this.options.invariants ?? [], refresh);
    this.sessions.set(session.id, session);
    return session;
  }

  /** A session over events already in memory. */
  openEvents(events: StoredEvent[], source: SessionSource): ReplaySession {
    return this.addSession(source, this.timeline(events));
  }

  async open(source: OpenSource): Promise<ReplaySession> {
    switch (source?.type) {
      case 'live': {
        const store = this.options.liveStore;
        if (!store) throw new BadRequestError('this server has no live log to open (open a dir, file or esdb recording)');
        // An embedded log is read lazily, and the server's own state is the state at the end.
        const lazily = isEmbedded(store) ? await this.liveSource(store) : undefined;
        const timeline = this.timeline(lazily ? [] : await readStore(store), lazily);
        const refresh = async () => {
          // The log keeps growing: follow it once what it held at open has loaded.
          if (timeline.loadedThrough < timeline.head) return;
          for await (const event of store.readAll(timeline.head)) timeline.append(event);
        };
        return this.addSession({ type: 'live' }, timeline, refresh);
      }
      case 'dir': {
        if (!source.path || !existsSync(source.path) || !statSync(source.path).isDirectory()) throw new BadRequestError(`no event log directory at "${source.path}"`);
        // The log is read lazily (decoding a million events takes seconds); a server's newest
        // snapshot in the directory gives the state at the end at once.
        const { createEmbeddedStore } = await import('../../core/store/embedded/embedded-store.ts');
        const eventSource = await embeddedEventSource(await createEmbeddedStore(source.path));
        try {
          const anchor = loadLatestSnapshot(source.path, { maxPosition: eventSource.head })?.state;
          const timeline = this.timeline([], { source: eventSource, ...(anchor ? { anchor } : {}) });
          // Once indexed, leave a snapshot at the end as a server would, so the next open is instant
          // (best effort: a read-only directory simply stays without one).
          const path = source.path;
          if (!anchor && timeline.head > 0 && this.options.indexing !== 'on-demand' && this.options.indexing !== 'eager') {
            void timeline.indexed.then(() => {
              if (timeline.builtThrough === timeline.head) writeSnapshot(path, timeline.stateAt(timeline.head));
            }).catch(() => undefined);
          }
          return this.addSession({ type: 'dir', path }, timeline);
        } catch (error) {
          await eventSource.close();
          throw error;
        }
      }
      case 'file': {
        if (!source.path || !existsSync(source.path)) throw new BadRequestError(`no recording file at "${source.path}"`);
        return this.openRecordingBytes(readFileSync(source.path), { type: 'file', path: source.path });
      }
      case 'esdb': {
        if (!source.url) throw new BadRequestError('an esdb source needs a url (esdb://host:2113?tls=false)');
        const { createEsdbStore } = await import('../../core/store/esdb/esdb-store.ts');
        const store = await createEsdbStore(source.url);
        try {
          return this.openEvents(await readStore(store), { type: 'esdb', url: source.url });
        } finally {
          await store.close();
        }
      }
      default:
        throw new BadRequestError(`source.type must be live, dir, file or esdb, not ${JSON.stringify((source as { type?: unknown })?.type)}`);
    }
  }

  /** A recording file's events are parsed as they are read; the state it carries at its end anchors the timeline. */
  private openRecordingBytes(bytes: Buffer, source: SessionSource): ReplaySession {
    const opened = openRecording(bytes);
    return this.addSession(source, this.timeline([], { source: opened.source, ...(opened.finalState ? { anchor: opened.finalState } : {}) }));
  }

  private async liveSource(store: EmbeddedStore): Promise<{ source: EventSource; anchor?: ClusterState }> {
    const source = await embeddedEventSource(store, { owned: false });
    const state = this.options.liveState?.();
    return state && state.position <= source.head && state.position > 0 ? { source, anchor: state } : { source };
  }

  /** Opens a recording named on the command line: a directory (embedded log) or a file (exported recording). */
  async openPath(path: string): Promise<ReplaySession> {
    if (path.startsWith('esdb://') || path.startsWith('esdb+discover://')) return this.open({ type: 'esdb', url: path });
    if (existsSync(path) && statSync(path).isDirectory()) return this.open({ type: 'dir', path });
    return this.open({ type: 'file', path });
  }

  import(bytes: Buffer): ReplaySession {
    try {
      return this.openRecordingBytes(bytes, { type: 'import' });
    } catch (error) {
      throw new BadRequestError(error instanceof Error ? error.message : String(error));
    }
  }

  list(): ReplaySession[] {
    return [...this.sessions.values()];
  }

  async get(id: string): Promise<ReplaySession> {
    const session = this.sessions.get(id);
    if (!session) throw new NotFoundError(`replay session "${id}" not found`);
    await session.sync();
    // Reads at the cursor need states built through it; while a recording is still being indexed
    // in the background, wait for the builder rather than block the server building it here.
    await session.timeline.readyThrough(session.position);
    return session;
  }

  delete(id: string): void {
    const session = this.sessions.get(id);
    if (!session) throw new NotFoundError(`replay session "${id}" not found`);
    this.sessions.delete(id);
    void session.timeline.close();
  }

  export(session: ReplaySession): Buffer {
    const events = session.timeline.allEvents();
    return encodeRecording(events, session.source.path ?? session.source.url ?? session.source.type, session.timeline.stateAt(events.length));
  }

  async fork(session: ReplaySession, request: ForkRequest): Promise<ReplaySession> {
    if (!Number.isInteger(request.at) || request.at < 0 || request.at > session.head) {
      throw new BadRequestError(`fork point must be a position in 0…${session.head}`);
    }
    const runFor = typeof request.runFor === 'string' ? parseRunFor(request.runFor) : (request.runFor ?? 0);
    const result = await rerun({
      events: session.timeline.allEvents(),
      at: request.at,
      edits: request.edits ?? [],
      runFor,
      ...(this.options.controllers ? { controllers: this.options.controllers } : {}),
      ...(this.options.onProgress ? { onProgress: (done: number, total: number) => this.options.onProgress!('fork', done, total) } : {}),
    }).catch((error: unknown) => {
      throw new BadRequestError(error instanceof Error ? error.message : String(error));
    });
    const branch = this.openEvents(result.events, { type: 'fork', parent: session.id, forkedAt: request.at });
    branch.position = Math.min(request.at, branch.head);
    return branch;
  }

  /** Both sessions at the same virtual time (default: each at its end). */
  compare(left: ReplaySession, right: ReplaySession, time?: string): Comparison {
    let at: number;
    if (time) {
      at = Date.parse(time);
      if (Number.isNaN(at)) throw new BadRequestError(`"${time}" is not an RFC 3339 time`);
    } else {
      at = Math.min(left.timeline.event(left.head)?.metadata.time ?? 0, right.timeline.event(right.head)?.metadata.time ?? 0);
    }
    const leftPosition = left.timeline.positionAtTime(at);
    const rightPosition = right.timeline.positionAtTime(at);
    const leftState = left.timeline.copyAt(leftPosition);
    const rightState = right.timeline.stateAt(rightPosition);
    return { time: toRfc3339(at), left: leftPosition, right: rightPosition, diff: diffStates(leftState, rightState) };
  }

  async verify(session: ReplaySession): Promise<VerifyResult> {
    const recorded = session.timeline.allEvents();
    let checked = 0;
    let diverged: Position | undefined;
    // Compare as the re-run goes, so a divergence stops it at once.
    const shouldStop = (replayed: readonly StoredEvent[]) => {
      const upTo = Math.min(replayed.length, recorded.length);
      const found = firstDivergence(recorded.slice(checked, upTo), replayed.slice(checked, upTo));
      if (found !== undefined) {
        diverged = checked + found;
        return true;
      }
      checked = upTo;
      return false;
    };
    const result = await rerun({
      events: recorded,
      shouldStop,
      ...(this.options.controllers ? { controllers: this.options.controllers } : {}),
      ...(this.options.onProgress ? { onProgress: (done: number, total: number) => this.options.onProgress!('verify', done, total) } : {}),
    });
    diverged ??= firstDivergence(recorded, result.events, checked);
    if (diverged === undefined) return { reproduces: true, events: recorded.length };
    const answer: VerifyResult = { reproduces: false, divergedAt: diverged };
    const a = recorded[diverged - 1];
    const b = result.events[diverged - 1];
    if (a) answer.recorded = summarizeEvent(a);
    if (b) answer.replayed = summarizeEvent(b);
    return answer;
  }
}

/** Go-style durations ("10m", "90s"); bare numbers are seconds, as parseDuration reads them. */
export function parseRunFor(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new BadRequestError(`runFor must be a duration like 10m or 90s, not "${text}"`);
  }
}
