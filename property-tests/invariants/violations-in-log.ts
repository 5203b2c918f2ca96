import type { EventStore } from '../../core/store/event-store.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import type { Invariant } from './invariant.ts';

/** An invariant's per-event verdicts over a recorded log, each event seen with the state as of it (for tests). */
export async function violationsInLog(store: EventStore, invariant: Invariant): Promise<string[]> {
  const checker = invariant.start();
  const state = createClusterState();
  const found: string[] = [];
  for await (const event of store.readAll(0)) {
    applyEvent(state, event);
    const violation = checker.onEvent?.(event, state);
    if (violation) found.push(violation);
  }
  return found;
}
