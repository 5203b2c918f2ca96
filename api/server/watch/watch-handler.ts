import type { KubeObject } from '../../../core/model/object.ts';
import { apiErrors } from '../../../core/errors.ts';
import { type ObjectFilter, objectMatches } from '../selectors.ts';
import { columnDefinitions, includeObjectOf, tableRow, wantsTable } from '../table.ts';
import { filterOf } from '../resources/read-handlers.ts';
import { type ResourceScope, servedAs } from '../resources/request-scope.ts';
import type { ChangeBatch } from './watch-hub.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** Kubernetes' watch semantics for one change seen through a filter: entering it is ADDED, leaving it DELETED. */
export function watchEventFor(before: KubeObject | undefined, after: KubeObject | undefined, position: number, filter: ObjectFilter): { type: WatchEventType; object: KubeObject } | undefined {
  const wasIn = !!before && objectMatches(before, filter);
  const isIn = !!after && objectMatches(after, filter);
  if (wasIn && isIn) return { type: 'MODIFIED', object: after! };
  if (!wasIn && isIn) return { type: 'ADDED', object: after! };
  if (wasIn && !isIn) return { type: 'DELETED', object: after ?? tombstoneOf(before!, position) };
  return undefined;
}

/**
 * A removed object as its DELETED event shows it: the last version, at the removal's position. One
 * copy for all watchers, so that they also share its serialised line (an object is removed once).
 */
const tombstones = new WeakMap<KubeObject, KubeObject>();
function tombstoneOf(last: KubeObject, position: number): KubeObject {
  let tombstone = tombstones.get(last);
  if (tombstone?.metadata.resourceVersion !== String(position)) {
    tombstone = { ...last, metadata: { ...last.metadata, resourceVersion: String(position) } };
    tombstones.set(last, tombstone);
  }
  return tombstone;
}

const DEFAULT_TIMEOUT_SECONDS = 30 * 60;
/** Output a watcher may leave unread before it is closed. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * One event's JSON line, shared by every watcher that sends the same object in the same version:
 * state objects are never mutated (each change is a new copy), so an object is a safe cache key.
 */
const lines = new WeakMap<KubeObject, Map<string, string>>();
function sharedLine(eventType: WatchEventType, object: KubeObject, servedVersion: string, payload: unknown): string {
  let byKey = lines.get(object);
  if (!byKey) lines.set(object, (byKey = new Map()));
  // One object is sent as one event type (ADDED, MODIFIED or DELETED) by nearly every watcher: key by version first.
  const key = eventType === 'MODIFIED' ? servedVersion : `${eventType} ${servedVersion}`;
  let line = byKey.get(key);
  if (line === undefined) {
    line = `${JSON.stringify({ type: eventType, object: payload })}\n`;
    byKey.set(key, line);
  }
  return line;
}
/**
 * A Table watch's line after its first (which carries the column definitions): rows depend on the
 * object, the format and the time ages are counted from, so watches asking the same at the same
 * instant (one delivery) share it. Only the latest instant is kept per object and format.
 */
const tableLines = new WeakMap<KubeObject, Map<string, { now: number; line: string }>>();
function sharedTableLine(eventType: WatchEventType, object: KubeObject, format: string, now: number, payload: () => unknown): string {
  let byFormat = tableLines.get(object);
  if (!byFormat) tableLines.set(object, (byFormat = new Map()));
  const key = `${eventType} ${format}`;
  const cached = byFormat.get(key);
  if (cached?.now === now) return cached.line;
  const line = `${JSON.stringify({ type: eventType, object: payload() })}\n`;
  byFormat.set(key, { now, line });
  return line;
}

const BOOKMARK_INTERVAL_MS = 30_000;

/**
 * Watch output goes out in ticks, every watch's queued lines in one write. A write per event per
 * watcher (a system call each) was most of the fan-out's cost: at 1,000 events/s the log commits
 * nearly every event on its own, so coalescing by commit saves little. Ticks are 0.2 ms apart per
 * open watch, between 1 and 20 ms (20 ms from 100 watches), which bounds the writes to about
 * 5,000/s however many watch; a few milliseconds is nothing next to the watch latency clients
 * tolerate. (0.1 ms per watch, 10,000 writes/s, cost ~18 % more main-thread CPU per create with 100
 * watches of a 1,000 creates/s stream: the socket writes are most of what fan-out still costs.)
 */
function flushIntervalMs(openWatches: number): number {
  return Math.min(20, Math.max(1, openWatches / 5));
}
let openWatches = 0;
const flushesDue = new Set<() => void>();
let flushTimer: NodeJS.Timeout | undefined;
let lastFlushAt = Number.NEGATIVE_INFINITY;

function flushSoon(flush: () => void): void {
  flushesDue.add(flush);
  if (flushTimer) return;
  const wait = lastFlushAt + flushIntervalMs(openWatches) - performance.now(); // wall-clock-ok: output pacing, not state
  flushTimer = setTimeout(flushAll, Math.max(0, wait));
}

function flushAll(): void {
  flushTimer = undefined;
  lastFlushAt = performance.now(); // wall-clock-ok: output pacing, not state
  const due = [...flushesDue];
  flushesDue.clear();
  for (const flush of due) flush();
  // Between ticks every queued line has just gone out: live watches may move into their channel now.
  for (const joinChannel of joiningChannels) if (joinChannel()) joiningChannels.delete(joinChannel);
}

/**
 * Watches that send the same lines (same resource, served version, namespace, name and selectors,
 * as JSON) share a channel once they are live: the channel follows the hub once, makes each change's
 * line once, and at each tick encodes the tick's lines into one Buffer that it writes, the same
 * bytes, to every member. A watch first catches up on its own (its resourceVersion, its initial
 * ADDEDs) and joins between ticks, when all it was sent so far has gone out and the channel's
 * queue is empty, so that it gets every line exactly once. 100 watches of one resource otherwise
 * each filtered every change, looked its line up, and joined and encoded their own copy of it.
 */
interface WatchChannel {
  members: Set<ChannelMember>;
  /** Lines since the last tick. */
  pending: string[];
  flush(): void;
  stop(): void;
}

interface ChannelMember {
  /** Writes the channel's bytes for this tick (if any), then what the watch queued itself (a bookmark). */
  receive(data: Buffer | undefined): void;
}

type Hub = ResourceScope['context']['hub'];
/** Each hub's channels (a process may serve several clusters: tests, reads of the past). */
const channelsByHub = new WeakMap<Hub, Map<string, WatchChannel>>();
function channelsOf(hub: Hub): Map<string, WatchChannel> {
  let channels = channelsByHub.get(hub);
  if (!channels) channelsByHub.set(hub, (channels = new Map()));
  return channels;
}
/** Live watches waiting for a tick to join their channel; each returns true once it has joined (or no longer needs to). */
const joiningChannels = new Set<() => boolean>();

function openChannel(key: string, hub: Hub, kind: string, filter: ObjectFilter, lineOf: (eventType: WatchEventType, object: KubeObject) => string): WatchChannel {
  const channel: WatchChannel = {
    members: new Set(),
    pending: [],
    flush() {
      const out = channel.pending;
      channel.pending = [];
      const data = out.length === 0 ? undefined : Buffer.from(out.length === 1 ? out[0]! : out.join(''));
      for (const member of channel.members) member.receive(data);
    },
    stop() {
      stopFollowing();
      channelsOf(hub).delete(key);
    },
  };
  const stopFollowing = hub.followLive((batch) => {
    for (const change of batch.changes) {
      if (change.kind !== kind) continue;
      const event = watchEventFor(change.before, change.after, change.position, filter);
      if (!event) continue;
      if (channel.pending.length === 0) flushSoon(channel.flush);
      channel.pending.push(lineOf(event.type, event.object));
    }
  }, kind);
  channelsOf(hub).set(key, channel);
  return channel;
}

/**
 * `?watch=true`: newline-delimited JSON watch events over a chunked response. From a
 * resourceVersion N it streams every change strictly after N (old positions work: the log is never
 * compacted); without one (or "0") it first sends the current objects as ADDED.
 */
export async function watchHandler(scope: ResourceScope) {
  const { context, query, type } = scope;
  const hub = context.hub;
  const filter = filterOf(scope);
  if (scope.name) filter.name = scope.name;
  const rv = query.resourceVersion;
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw apiErrors.badRequest(`invalid resource version "${rv}"`);
  const sendInitial = query.sendInitialEvents === 'true' || !rv || rv === '0';
  const bookmarks = query.allowWatchBookmarks === 'true';
  const timeoutSeconds = query.timeoutSeconds ? Number(query.timeoutSeconds) : DEFAULT_TIMEOUT_SECONDS;
  const table = wantsTable(scope.request.headers.accept);
  const include = includeObjectOf(query.includeObject);

  const reply = scope.reply;
  reply.hijack();
  // Open in apiserver_longrunning_requests until it ends, then counted as one WATCH.
  const endLongRunning = context.metrics?.longRunning(scope.request, reply);
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
  raw.flushHeaders?.();

  let sentColumns = false;
  // Set once the watch has joined the channel of watches sending the same lines (JSON watches only).
  let channel: WatchChannel | undefined;
  let bookmarkDue = false;
  let joinChannel: (() => boolean) | undefined;
  let lastPosition = rv && /^\d+$/.test(rv) ? Number(rv) : 0;
  const servedVersion = `${scope.group}/${scope.version}`;
  let stop: (() => void) | undefined;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  // Lines queued until the next flush tick (see flushIntervalMs) go out in one write.
  let pending: string[] = [];
  const flush = () => {
    const out = pending;
    pending = [];
    if (closed || out.length === 0 || raw.destroyed || raw.writableEnded) return;
    raw.write(out.length === 1 ? out[0]! : out.join(''));
    dropIfSlow();
  };
  // Kubernetes' watch cache closes a watcher that stops reading; the client re-watches from its
  // last resourceVersion. Buffering for it without limit would let one slow client eat memory.
  const dropIfSlow = () => {
    if (raw.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const member: ChannelMember = {
    receive(data) {
      if (closed || raw.destroyed || raw.writableEnded) return;
      // A channel member's bookmark is made here, after the channel's lines: everything up to the hub's position has been queued by then.
      if (bookmarkDue) {
        bookmarkDue = false;
        pending.push(bookmarkLine(Math.max(lastPosition, hub.position())));
      }
      const own = pending.length === 0 ? undefined : pending.join('');
      pending = [];
      if (data && own) raw.write(Buffer.concat([data, Buffer.from(own)]));
      else if (data || own) raw.write((data ?? own)!);
      dropIfSlow();
    },
  };
  const tableFormat = `${servedVersion} ${table} ${include}`;
  const tableEvent = (object: KubeObject, now: number, withColumns: boolean) => ({
    kind: 'Table',
    apiVersion: `meta.k8s.io/${table}`,
    metadata: { resourceVersion: object.metadata.resourceVersion },
    columnDefinitions: withColumns ? columnDefinitions(type) : [],
    rows: [tableRow(type, servedAs(scope, object), { now }, include)],
  });
  const write = (eventType: WatchEventType, object: KubeObject) => {
    let line: string;
    if (eventType === 'BOOKMARK') line = `${JSON.stringify({ type: eventType, object })}\n`;
    else if (!table) line = jsonLine(eventType, object);
    else {
      const now = context.now();
      if (sentColumns) line = sharedTableLine(eventType, object, tableFormat, now, () => tableEvent(object, now, false));
      else {
        line = `${JSON.stringify({ type: eventType, object: tableEvent(object, now, true) })}\n`;
        sentColumns = true;
      }
    }
    if (pending.length === 0) flushSoon(flush);
    pending.push(line);
  };
  const jsonLine = (eventType: WatchEventType, object: KubeObject) => sharedLine(eventType, object, servedVersion, servedAs(scope, object));
  const bookmarkObject = (position: number, initialEventsEnd: boolean) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(position) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { kind: type.kind, apiVersion: scope.group ? `${scope.group}/${scope.version}` : scope.version, metadata };
  };
  const bookmarkLine = (position: number) => `${JSON.stringify({ type: 'BOOKMARK', object: bookmarkObject(position, false) })}\n`;
  const bookmark = (position: number, initialEventsEnd = false) => {
    if (channel) {
      bookmarkDue = true;
      flushSoon(channel.flush);
    } else write('BOOKMARK', bookmarkObject(position, initialEventsEnd));
  };

  let stopFollowingDefinition: (() => void) | undefined;
  const finish = () => {
    if (closed) return;
    // What is queued still goes out before the end (a timeout ends the stream after its last events).
    const queued = channel ? [...channel.pending, ...pending] : pending;
    if (queued.length > 0 && !raw.destroyed && !raw.writableEnded) raw.write(queued.join(''));
    pending = [];
    closed = true;
    if (joinChannel) joiningChannels.delete(joinChannel);
    openWatches--;
    endLongRunning?.();
    stop?.();
    stopFollowingDefinition?.();
    for (const timer of timers) clearTimeout(timer);
    if (!raw.writableEnded) raw.end();
  };
  openWatches++;
  raw.on('close', finish);
  scope.request.raw.on('close', finish);
  timers.push(setTimeout(finish, Math.max(0, timeoutSeconds) * 1000));

  const onBatch = (batch: ChangeBatch) => {
    if (closed) return;
    lastPosition = batch.position;
    for (const change of batch.changes) {
      if (change.kind !== type.kind) continue;
      const event = watchEventFor(change.before, change.after, change.position, filter);
      if (event) write(event.type, event.object);
    }
  };

  let from: number;
  if (sendInitial) {
    // The hub's durable state, then everything after it: no gap, no duplicate.
    from = hub.position();
    const objects: KubeObject[] = [];
    if (type.kind === 'Event') objects.push(...hub.kubeEvents.list(filter.namespace));
    for (const object of hub.state.objects.get(type.kind)?.values() ?? []) objects.push(object);
    for (const object of objects) if (objectMatches(object, filter)) write('ADDED', object);
    if (bookmarks && query.sendInitialEvents === 'true') bookmark(from, true);
    lastPosition = from;
  } else from = Number(rv);
  stop = await hub.follow(from, onBatch, type.kind);
  // A custom kind's watches end when its definition goes (after every object of the kind has:
  // the crd-finalizer deletes them first), as the apiserver ends them when it drops the kind's storage.
  if (type.definedBy !== undefined) {
    const definition = type.definedBy;
    stopFollowingDefinition = await hub.follow(
      from,
      (batch) => {
        for (const change of batch.changes) if (change.kind === 'CustomResourceDefinition' && change.after === undefined && change.before?.metadata.name === definition) finish();
      },
      'CustomResourceDefinition',
    );
  }
  if (closed) {
    stop();
    stopFollowingDefinition?.();
  }
  else if (!table) {
    const key = `${type.kind} ${servedVersion} ${filter.namespace ?? ''} ${filter.name ?? ''} ${query.labelSelector ?? ''} ${query.fieldSelector ?? ''}`;
    joinChannel = () => {
      if (closed) return true;
      // Its own lines have all gone out at this tick; so have the channel's, or the watch waits a tick.
      const existing = channelsOf(hub).get(key);
      if (pending.length > 0 || (existing && existing.pending.length > 0)) return false;
      let joined: WatchChannel;
      try {
        joined = existing ?? openChannel(key, hub, type.kind, filter, jsonLine);
      } catch {
        // The hub has failed (the log stopped): end the stream, the client re-watches.
        finish();
        return true;
      }
      stop!();
      channel = joined;
      joined.members.add(member);
      stop = () => {
        joined.members.delete(member);
        if (joined.members.size === 0) joined.stop();
      };
      return true;
    };
    joiningChannels.add(joinChannel);
  }
  if (bookmarks) {
    const tick = () => {
      if (closed) return;
      // Every change up to the hub's position has reached this watch (the hub only calls it for its kind's).
      bookmark(Math.max(lastPosition, hub.position()));
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }
}
