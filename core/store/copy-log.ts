import type { NewEvent, StoredEvent } from '../events.ts';
import type { EventStore } from './event-store.ts';

/**
 * Appends `events` (a whole log, in position order, starting at position 1) to an empty store,
 * keeping positions and stream revisions. On a local store the appends are pipelined, so a
 * recording of a simulation is written with a handful of group commits instead of one fsync per
 * step. Throws if the target would number the events differently.
 */
export async function copyLog(events: readonly StoredEvent[], target: EventStore, onProgress?: (copied: number) => void): Promise<void> {
  if ((await target.head()) !== 0) throw new Error('copyLog: the target store is not empty');
  const pending: Promise<unknown>[] = [];
  let i = 0;
  while (i < events.length) {
    const first = events[i]!;
    let j = i + 1;
    while (j < events.length && events[j]!.stream === first.stream) j++;
    const batch: NewEvent[] = events.slice(i, j).map((e) => ({ type: e.type, data: e.data, metadata: e.metadata }) as NewEvent);
    const expectedRevision = first.streamRevision === 0 ? 'no_stream' : first.streamRevision - 1;
    if (target.appendNow) {
      const { events: stored, durable } = target.appendNow(first.stream, batch, { expectedRevision });
      if (stored[0]!.position !== first.position) throw new Error(`copyLog: position ${first.position} would become ${stored[0]!.position}`);
      pending.push(durable);
      if (pending.length >= 1024) await Promise.all(pending.splice(0));
    } else {
      const result = await target.append(first.stream, batch, { expectedRevision });
      if (result.events[0]!.position !== first.position) throw new Error(`copyLog: position ${first.position} would become ${result.events[0]!.position}`);
    }
    i = j;
    onProgress?.(i);
  }
  await Promise.all(pending);
}
