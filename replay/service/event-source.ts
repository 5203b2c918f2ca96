import type { Position, StoredEvent } from '../../core/events.ts';
import type { EmbeddedStore } from '../../core/store/embedded/embedded-store.ts';

/**
 * A recording's events where they live (a log on disk), for a timeline that does not hold them all
 * in memory yet: read in order while loading, or a few at a time for a page, an explanation or the
 * cursor's event. Reads are synchronous so that every timeline read stays synchronous.
 */
export interface EventSource {
  /** The recording's last position: fixed when the source was opened. */
  readonly head: Position;
  /** Events with positions in (after, through], in order. */
  read(after: Position, through: Position): StoredEvent[];
  close(): Promise<void>;
}

/** An embedded log as a source, up to its durable head at open; closing the source closes the log unless someone else owns it (a server's live log). */
export async function embeddedEventSource(store: EmbeddedStore, options: { owned?: boolean } = {}): Promise<EventSource> {
  const head = await store.head();
  return {
    head,
    read(after, through) {
      const events: StoredEvent[] = [];
      for (const batch of store.readAllBatches(after, Math.min(through, head))) for (const event of batch) events.push(event);
      return events;
    },
    close: async () => {
      if (options.owned ?? true) await store.close();
    },
  };
}
