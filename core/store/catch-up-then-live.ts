import { Observable, type Subject } from 'rxjs';
import type { Position, StoredEvent } from '../events.ts';

/**
 * A subscription that first replays stored events after `fromPosition`, then follows `live`
 * without a gap or a duplicate: live events that arrive during the catch-up are buffered and
 * only those past the last replayed position are passed on. `read(from, to)` returns the
 * stored events with positions in (from, to]; `head()` is the last durable position.
 */
export function catchUpThenLive(
  fromPosition: Position,
  read: (from: Position, to: Position) => readonly StoredEvent[],
  head: () => Position,
  live: Subject<StoredEvent>,
  batch = 4096,
): Observable<StoredEvent> {
  return new Observable<StoredEvent>((subscriber) => {
    let last = fromPosition;
    let caughtUp = false;
    const pending: StoredEvent[] = [];
    const liveSubscription = live.subscribe({
      next: (event) => {
        if (!caughtUp) pending.push(event);
        else if (event.position > last) {
          last = event.position;
          subscriber.next(event);
        }
      },
      error: (error) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    let stopped = false;
    const pump = () => {
      // Replays in chunks, yielding between them so a large catch-up does not starve the event loop.
      const target = head();
      const to = Math.min(target, last + batch);
      for (const event of read(last, to)) {
        if (stopped) return;
        last = event.position;
        subscriber.next(event);
      }
      if (stopped) return;
      if (last < head()) {
        setImmediate(pump);
        return;
      }
      caughtUp = true;
      for (const event of pending.splice(0)) {
        if (event.position > last) {
          last = event.position;
          subscriber.next(event);
        }
      }
    };
    pump();
    return () => {
      stopped = true;
      liveSubscription.unsubscribe();
    };
  });
}
