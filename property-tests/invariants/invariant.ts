import type { StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';

/** What an invariant sees when a run ends. */
export interface RunEnd {
  state: ClusterState;
  /** Every event of the run, in order. */
  events: readonly StoredEvent[];
  /** Virtual time the last fault or user action was applied (liveness bounds count from here). */
  quietSince: number;
}

/**
 * A checker for one run. `onEvent` sees every event with the state right after it and returns a
 * message when the event breaks the invariant; `atEnd` does the same for the whole run.
 */
export interface InvariantChecker {
  onEvent?(event: StoredEvent, state: ClusterState): string | undefined;
  atEnd?(end: RunEnd): string | undefined;
}

export interface Invariant {
  /** Short kebab-case name, printed on failure and accepted by `orrery check --invariants`. */
  name: string;
  /** One sentence saying what must hold. */
  description: string;
  category: 'safety' | 'liveness' | 'event-sourcing';
  /** A fresh checker per run: checkers may remember what they have seen. */
  start(): InvariantChecker;
}

export interface Violation {
  invariant: string;
  message: string;
  /** Position of the event that broke it; absent for end-of-run checks. */
  position?: number;
  /** Virtual time of the violation. */
  time: number;
}

export function defineInvariant(invariant: Invariant): Invariant {
  return invariant;
}
