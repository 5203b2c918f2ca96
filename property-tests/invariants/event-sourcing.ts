import { rebuildState } from '../../projections/state/reducer.ts';
import { deserializeState, serializeState } from '../../projections/state/snapshot.ts';
import { applyEvent } from '../../projections/state/reducer.ts';
import { defineInvariant } from './invariant.ts';

export const rebuildEqualsLive = defineInvariant({
  name: 'rebuild-equals-live',
  description: 'Rebuilding the cluster state from the log gives exactly the live state the engine ran on.',
  category: 'event-sourcing',
  start() {
    return {
      atEnd({ state, events }) {
        const rebuilt = serializeState(rebuildState(events)).toString();
        const live = serializeState(state).toString();
        return rebuilt === live ? undefined : `state rebuilt from ${events.length} events differs from the live state`;
      },
    };
  },
});

export const snapshotPlusTailEqualsReplay = defineInvariant({
  name: 'snapshot-plus-tail-equals-replay',
  description: 'A snapshot taken at any position, loaded and followed by the rest of the log, equals a full replay.',
  category: 'event-sourcing',
  start() {
    return {
      atEnd({ events }) {
        const full = serializeState(rebuildState(events)).toString();
        // Three cut points: early, middle, late (deterministic, so a failure reproduces).
        for (const fraction of [0.1, 0.5, 0.9]) {
          const cut = Math.floor(events.length * fraction);
          const restored = deserializeState(serializeState(rebuildState(events.slice(0, cut))));
          for (const event of events.slice(cut)) applyEvent(restored, event);
          if (serializeState(restored).toString() !== full) return `snapshot at position ${cut} plus tail differs from a full replay`;
        }
        return undefined;
      },
    };
  },
});
