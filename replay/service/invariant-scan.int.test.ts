import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { ReplayInvariant } from './breakpoints.ts';
import { ReplayService } from './replay-service.ts';
import { recordWebRollout } from './test-recording.ts';

let recorded: StoredEvent[];
beforeAll(async () => {
  recorded = await recordWebRollout();
});

/** Remembers what it saw: fails on every second pod binding, and checks it is shown the state after the event. */
const everySecondBinding: ReplayInvariant = {
  name: 'every-second-binding',
  start() {
    let bindings = 0;
    return {
      onEvent(event, state) {
        if (event.type !== 'PodScheduled') return undefined;
        const pod = state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`);
        if (pod?.spec?.nodeName !== event.data.nodeName) return 'the state is not the one after the event';
        bindings++;
        return bindings % 2 === 0 ? `binding #${bindings} (${event.data.ref.name} to ${event.data.nodeName})` : undefined;
      },
    };
  },
};
const neverFails: ReplayInvariant = { name: 'never-fails', start: () => ({ onEvent: () => undefined }) };

function open(invariants: ReplayInvariant[]) {
  const service = new ReplayService({ snapshotInterval: 16, invariants });
  return service.openEvents(recorded, { type: 'events' });
}

describe('invariant failures over a recording', () => {
  it('lists every event a loaded invariant rejects, with the invariant and its message, once the background check is done', async () => {
    const session = open([neverFails, everySecondBinding]);
    const first = session.invariantFailures();
    // Nothing is checked inside the request that asks: the check runs between requests.
    expect(first).toMatchObject({ checkedThrough: 0, head: recorded.length, complete: false });

    const done = await session.checkedInvariantFailures();
    const bindings = recorded.filter((event) => event.type === 'PodScheduled');
    const expected = bindings.filter((_, i) => i % 2 === 1);
    expect(expected.length).toBeGreaterThan(1);
    expect(done).toMatchObject({ checkedThrough: recorded.length, complete: true, total: expected.length });
    expect(done.items.map((failure) => failure.position)).toEqual(expected.map((event) => event.position));
    expect(done.items.every((failure) => failure.invariant === 'every-second-binding' && failure.message.startsWith('binding #'))).toBe(true);
    expect(done.items[0]!.time).toBe(new Date(expected[0]!.metadata.time).toISOString().replace('.000Z', 'Z'));
  });

  it('agrees with running forward to the invariant breakpoint', async () => {
    const session = open([everySecondBinding]);
    const failures = (await session.checkedInvariantFailures()).items;
    session.seek({ position: 0 });
    const firstHit = session.run('forward', { type: 'invariant', invariant: 'every-second-binding' });
    expect(firstHit.cursor.position).toBe(failures[0]!.position);
    session.seek({ position: recorded.length });
    const lastHit = session.run('back', { type: 'invariant', invariant: 'every-second-binding' });
    expect(lastHit.cursor.position).toBe(failures.at(-1)!.position);
  });

  it('with no invariants loaded, answers at once that there is nothing to check', () => {
    expect(open([]).invariantFailures()).toEqual({ items: [], total: 0, checkedThrough: recorded.length, head: recorded.length, complete: true });
  });
});
