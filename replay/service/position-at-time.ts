import type { Position, StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';

async function eventAt(store: EventStore, position: Position): Promise<StoredEvent | undefined> {
  for await (const event of store.readAll(position - 1, position)) return event;
  return undefined;
}

/**
 * Position of the last event at or before `time` in a log (0 when it starts later), by binary
 * search: event times never go backwards, so about log2(head) single-event reads.
 */
export async function positionAtTime(store: EventStore, time: number, head?: Position): Promise<Position> {
  let lo = 0;
  let hi = head ?? (await store.head());
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const event = await eventAt(store, mid);
    if (event && event.metadata.time <= time) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
