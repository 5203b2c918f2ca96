import type { NewEvent } from '../../../core/events.ts';
import type { AppendOptions, EventStore } from '../../../core/store/event-store.ts';

/** Appends to a log since it was wrapped: calls, and events by type. Plain numbers, read when /metrics is scraped. */
export interface AppendCounts {
  appends: number;
  byType: Map<string, number>;
}

/**
 * The same log, counting what is appended to it (`orrery_log_appends_total`,
 * `orrery_log_events_appended_total`). Everything else is the store's own: any member the store
 * has besides EventStore's (the embedded log's index checkpoint, its record reads) stays reachable,
 * bound to the store. Wrap before the cluster is built, so that its write path appends through it.
 * Counted when the log accepts the append (`appendNow` returns, `append` resolves); an append the
 * log refuses (a wrong expected revision) is not counted.
 */
export function countingStore<S extends EventStore>(store: S): { store: S; counts: AppendCounts } {
  const counts: AppendCounts = { appends: 0, byType: new Map() };
  const count = (events: readonly NewEvent[]) => {
    counts.appends++;
    for (const event of events) counts.byType.set(event.type, (counts.byType.get(event.type) ?? 0) + 1);
  };
  const appendNow: EventStore['appendNow'] = store.appendNow
    ? (stream: string, events: NewEvent[], options?: AppendOptions) => {
        const appended = store.appendNow!(stream, events, options);
        count(events);
        return appended;
      }
    : undefined;
  const append: EventStore['append'] = async (stream, events, options) => {
    const result = await store.append(stream, events, options);
    count(events);
    return result;
  };
  const bound = new Map<PropertyKey, unknown>();
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      if (property === 'appendNow') return appendNow;
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      let method = bound.get(property);
      if (method === undefined) bound.set(property, (method = (value as (...args: unknown[]) => unknown).bind(target)));
      return method;
    },
  });
  return { store: counted, counts };
}
