import type { Position } from '../../core/events.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import type { ReplayInvariant } from './breakpoints.ts';
import type { Timeline } from './timeline.ts';

export interface InvariantFailure {
  position: Position;
  time: string;
  invariant: string;
  message: string;
}

export interface InvariantFailures {
  /** The first failures found, in log order (at most MAX_INVARIANT_FAILURES). */
  items: InvariantFailure[];
  /** Every failure found so far, listed or not. */
  total: number;
  /** Events checked so far (1…checkedThrough). */
  checkedThrough: Position;
  head: Position;
  /** Every event of the recording (as far as its head) has been checked. */
  complete: boolean;
  /** Why checking stopped early (an event the reducer or a checker could not handle). */
  error?: string;
}

/** Failures listed for the scrubber; beyond this they are only counted (a scrubber draws one per pixel anyway). */
export const MAX_INVARIANT_FAILURES = 10_000;

/**
 * Work per turn of the event loop, so a server answers other requests (seeks) meanwhile: events are
 * checked in small batches until this much time has passed. Invariants differ widely in cost, so a
 * time budget rather than an event count.
 */
const TURN_MS = 8;
const BATCH = 256;

/**
 * Where the session's invariants fail: every event applied once, in order, to a private state, and
 * each invariant's checker shown the event and the state after it (checkers remember what they saw,
 * so only one pass from the start gives their verdicts). Nothing is checked until asked; then
 * `checkInBackground` works through the recording in chunks, and a live recording's new events when
 * asked again.
 */
export class InvariantScan {
  private readonly state = createClusterState();
  private readonly checkers: Array<{ name: string; onEvent: NonNullable<ReturnType<ReplayInvariant['start']>['onEvent']> }>;
  private readonly failures: InvariantFailure[] = [];
  private total = 0;
  private running: Promise<void> | undefined;
  private error: string | undefined;

  constructor(
    private readonly timeline: Timeline,
    invariants: readonly ReplayInvariant[],
  ) {
    this.checkers = [];
    for (const invariant of invariants) {
      const checker = invariant.start();
      if (checker.onEvent) this.checkers.push({ name: invariant.name, onEvent: checker.onEvent.bind(checker) });
    }
  }

  get checkedThrough(): Position {
    return this.state.position;
  }

  /** Checks every event through `target` now. */
  checkThrough(target: Position): void {
    const end = Math.min(target, this.timeline.head);
    for (let p = this.state.position + 1; p <= end; p++) {
      const event = this.timeline.event(p)!;
      applyEvent(this.state, event);
      for (const { name, onEvent } of this.checkers) {
        const message = onEvent(event, this.state);
        if (message === undefined) continue;
        this.total++;
        if (this.failures.length < MAX_INVARIANT_FAILURES) this.failures.push({ position: p, time: toRfc3339(event.metadata.time), invariant: name, message });
      }
    }
  }

  /** Checks the rest of the recording a chunk per turn of the event loop; settles once it reaches the head. */
  checkInBackground(): Promise<void> {
    this.running ??= (async () => {
      try {
        while (this.error === undefined && this.checkedThrough < this.timeline.head) {
          await new Promise((resolve) => setImmediate(resolve));
          const until = performance.now() + TURN_MS; // wall-clock-ok: paces the work, what is found does not depend on it
          do this.checkThrough(this.checkedThrough + BATCH);
          while (this.checkedThrough < this.timeline.head && performance.now() < until); // wall-clock-ok: pacing
        }
      } catch (error) {
        this.error = `checking stopped at position ${this.checkedThrough + 1}: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  result(): InvariantFailures {
    const head = this.timeline.head;
    const result: InvariantFailures = { items: this.failures.slice(), total: this.total, checkedThrough: this.checkedThrough, head, complete: this.checkedThrough >= head };
    if (this.error !== undefined) result.error = this.error;
    return result;
  }
}
