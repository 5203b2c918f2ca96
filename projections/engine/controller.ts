import type { Observable } from 'rxjs';
import type { StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../cluster-state.ts';
import type { Command } from '../commands.ts';

/** One event from the log, with the cluster state as it stands once that event has been applied. */
export interface ReconcileInput {
  event: StoredEvent;
  /** The live projection (shared, read-only for controllers): level-based controllers read this, not the payload. */
  state: ClusterState;
}

/**
 * Requeue-after on the virtual clock: the engine makes sure time reaches `time` (in simulation
 * mode by jumping there, in server mode by a ClockAdvanced event when wall time gets there), and
 * the controller sees the ClockAdvanced event like any other input.
 */
export interface WakeAt {
  type: 'wakeAt';
  time: number;
}

export type ControllerOutput = Command | WakeAt;

/**
 * A controller is an RxJS pipeline: inputs in, commands out. It scans the inputs into whatever
 * it needs to remember (expectations, backoff), derives desired state from `state`, diffs against
 * actual and emits commands with `actor` = its name and `causationId` = the input event's position.
 * It must emit synchronously in response to each input (no async operators, no wall-clock timers),
 * which is what keeps the log deterministic.
 */
export interface Controller {
  name: string;
  reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput>;
  /** What it reacts to, when it can say so: the engine then skips the other events. Absent: every event. */
  interest?: ControllerInterest;
}

/**
 * The events a controller reacts to: those of the types in `events` and, when `kinds` is given,
 * about an object of one of those kinds (the kind of the event's `object` or `ref`; an event naming
 * neither, such as NodeRegistered or NodeHeartbeat, is matched on its type alone). In the default
 * order the engine hands such a controller only these events, plus the first event it reconciles
 * and every event at which a wake the controller asked for has fallen due (at or before the
 * state's time). Every other event must be one the controller would ignore: no output, nothing
 * remembered. Perturbed deliveries (interleavings) hand over every event.
 */
export interface ControllerInterest {
  events: readonly string[];
  kinds?: readonly string[];
}

export function isWakeAt(output: ControllerOutput): output is WakeAt {
  return output.type === 'wakeAt';
}
