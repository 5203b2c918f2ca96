import { Observable, Subject } from 'rxjs';
import type { NewEvent, OrreryEvent, Position, StoredEvent } from '../../core/events.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { type Controller, type ControllerOutput, type ReconcileInput, type WakeAt, isWakeAt } from '../../projections/engine/controller.ts';
import { defaultControllers } from '../../projections/engine/default-controllers.ts';
import { createEngine } from '../../projections/engine/engine.ts';
import { createVirtualClock } from '../../core/virtual-clock.ts';
import { createWritePath } from '../../projections/write-path/write-path.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { isInputEvent } from './event-summary.ts';

export interface EditEvent {
  type: string;
  data: unknown;
  metadata?: { actor?: string };
}

export type Edit =
  | { op: 'remove'; position: number }
  | { op: 'replace'; position: number; event: EditEvent }
  | { op: 'insert'; after: number; event: EditEvent };

export class ForkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForkError';
  }
}

export function isForkError(error: unknown): error is ForkError {
  return error instanceof ForkError;
}

export interface RerunOptions {
  /** The recording re-run. */
  events: readonly StoredEvent[];
  /** Events up to here are kept as recorded (after edits at or before it); default 1 (the cluster's initialisation). */
  at?: Position;
  edits?: readonly Edit[];
  /** Virtual time to keep running after the last input (ms). */
  runFor?: number;
  /** A fresh set of controllers; default the built-ins. */
  controllers?: () => Controller[];
  /** Called after each input is applied and its consequences settled. */
  onProgress?: (inputsDone: number, inputsTotal: number) => void;
  /** Stops early when it returns true (verify stops at the first divergence). */
  shouldStop?: (events: readonly StoredEvent[]) => boolean;
}

export interface RerunResult {
  events: StoredEvent[];
  state: ClusterState;
  /** Where the recorded prefix ends: the last position ≤ `at` at which the cluster was quiescent. */
  keptThrough: Position;
}

/**
 * The last position ≤ `at` after which an input comes: every command reacting to events up to there
 * has been written by then (simulation mode settles before each input), so controllers resuming
 * there lose nothing in flight.
 */
export function quiescentPoint(events: readonly StoredEvent[], at: Position): Position {
  let position = Math.max(1, Math.min(at, events.length));
  while (position > 1 && position < events.length && !isInputEvent(events[position]!)) position--;
  return position;
}

function asNewEvent(event: StoredEvent): NewEvent {
  return { type: event.type, data: event.data, metadata: event.metadata } as NewEvent;
}

function editedEvent(edit: EditEvent, like: StoredEvent | undefined, time: number): NewEvent {
  const actor = edit.metadata?.actor ?? 'user:admin';
  return { type: edit.type, data: edit.data, metadata: { actor, time: like?.metadata.time ?? time } } as NewEvent;
}

function streamFor(event: NewEvent): string {
  const e = event as unknown as OrreryEvent;
  switch (e.type) {
    case 'ClusterInitialized':
    case 'ClockAdvanced':
      return 'cluster';
    case 'ObjectCreated':
    case 'ObjectReplaced': {
      const m = e.data.object.metadata;
      return m.namespace ? `${e.data.object.kind}/${m.namespace}/${m.name}` : `${e.data.object.kind}/${m.name}`;
    }
    case 'NodeRegistered':
      return `Node/${e.data.node.metadata.name}`;
    case 'NodeHeartbeat':
    case 'NodeConditionChanged':
    case 'NodeUnschedulableChanged':
    case 'NodeTaintsChanged':
    case 'KubeletStopped':
    case 'KubeletStarted':
      return `Node/${e.data.node}`;
    default: {
      const ref = (e.data as { ref?: { kind: string; namespace?: string; name: string } }).ref;
      if (!ref) throw new ForkError(`cannot tell which object a ${e.type} event is about`);
      return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
    }
  }
}

interface PlannedEvent {
  event: NewEvent;
  stream: string;
}

/** Applies edits to the recording: the kept prefix (any event) and the inputs after it (inputs only). */
function plan(events: readonly StoredEvent[], keptThrough: Position, edits: readonly Edit[]): { prefix: PlannedEvent[]; inputs: PlannedEvent[] } {
  const removed = new Set<number>();
  const replaced = new Map<number, EditEvent>();
  const inserted = new Map<number, EditEvent[]>();
  for (const edit of edits) {
    const position = edit.op === 'insert' ? edit.after : edit.position;
    if (!Number.isInteger(position) || position < (edit.op === 'insert' ? 0 : 1) || position > events.length) {
      throw new ForkError(`edit ${edit.op} names position ${position}, outside the recording (1…${events.length})`);
    }
    if (edit.op !== 'insert' && position > keptThrough && !isInputEvent(events[position - 1]!)) {
      const event = events[position - 1]!;
      throw new ForkError(
        `event ${position} (${event.type} by ${event.metadata.actor}) is derived by the controllers and will be written again by the re-run; edit the input that caused it, or fork at or after ${position}`,
      );
    }
    if (edit.op === 'remove') removed.add(position);
    else if (edit.op === 'replace') replaced.set(position, edit.event);
    else inserted.set(position, [...(inserted.get(position) ?? []), edit.event]);
  }
  const prefix: PlannedEvent[] = [];
  const inputs: PlannedEvent[] = [];
  const add = (target: PlannedEvent[], event: NewEvent) => target.push({ event, stream: streamFor(event) });
  const at = (position: number) => (position <= keptThrough ? prefix : inputs);
  for (const edit of inserted.get(0) ?? []) add(prefix, editedEvent(edit, events[0], events[0]?.metadata.time ?? 0));
  for (const event of events) {
    const target = at(event.position);
    if (removed.has(event.position)) {
      // removed
    } else if (replaced.has(event.position)) add(target, editedEvent(replaced.get(event.position)!, event, event.metadata.time));
    else if (event.position <= keptThrough || isInputEvent(event)) target.push({ event: asNewEvent(event), stream: event.stream });
    for (const edit of inserted.get(event.position) ?? []) add(target, editedEvent(edit, event, event.metadata.time));
  }
  return { prefix, inputs };
}

/**
 * Controllers that have already seen the kept prefix: each is fed every prefix event with the state
 * just after it, its commands dropped (the prefix holds their results) and its timers kept, so it
 * resumes with the memory (expectations, back-offs, pending timers) it had in the recording.
 */
function warmUp(controllers: Controller[], prefix: readonly StoredEvent[], state: ClusterState): Controller[] {
  const warmed = controllers.map((controller) => {
    const feed = new Subject<ReconcileInput>();
    const live = new Subject<ControllerOutput>();
    const timers: WakeAt[] = [];
    let warming = true;
    controller.reconcile(feed.asObservable()).subscribe({
      next: (output) => {
        if (!warming) live.next(output);
        else if (isWakeAt(output)) timers.push(output);
      },
      error: (error) => live.error(error),
      complete: () => live.complete(),
    });
    return { controller, feed, live, timers, done: () => (warming = false) };
  });
  for (const event of prefix) {
    applyEvent(state, event);
    for (const { feed } of warmed) feed.next({ event, state });
  }
  return warmed.map(({ controller, feed, live, timers, done }) => ({
    name: controller.name,
    reconcile: (input$) =>
      new Observable<ControllerOutput>((subscriber) => {
        done();
        for (const timer of timers) if (timer.time > state.time) subscriber.next(timer);
        const out = live.subscribe(subscriber);
        const input = input$.subscribe(feed);
        return () => {
          input.unsubscribe();
          out.unsubscribe();
        };
      }),
  }));
}

/**
 * Re-runs the controllers over a recording's inputs (user actions, faults, the clock): the events up
 * to the quiescent point at or before `at` are kept (edited), then each later input is applied in
 * order at its recorded time and everything it causes is derived again in simulation mode.
 */
export async function rerun(options: RerunOptions): Promise<RerunResult> {
  const { events } = options;
  if (events.length === 0) throw new ForkError('the recording is empty');
  const keptThrough = quiescentPoint(events, options.at ?? 1);
  const { prefix, inputs } = plan(events, keptThrough, options.edits ?? []);
  if (prefix.length === 0) throw new ForkError('the edits remove every event of the kept prefix, including the cluster initialisation');

  const store = createInMemoryStore();
  const written: StoredEvent[] = [];
  for (const { event, stream } of prefix) written.push(...store.appendNow(stream, [event]).events);
  const state = createClusterState();
  const controllers = warmUp((options.controllers ?? (() => defaultControllers()))(), written, state);
  // Not createSimulatedCluster: resuming, it writes a ClockAdvanced of its own, which the recording
  // does not have; the warmed-up controllers need no such nudge.
  const clock = createVirtualClock(state.time);
  const writePath = createWritePath({ store, state, now: () => Math.max(clock.now(), state.time) });
  const engine = createEngine({ store, writePath, controllers, mode: 'simulation', clock, fromPosition: state.position });
  const cluster = { state, clock, engine };

  try {
    for (const [index, { event, stream }] of inputs.entries()) {
      if (options.shouldStop?.(store.events())) break;
      if (event.type === 'ClockAdvanced') {
        const time = (event.data as { time: number }).time;
        if (time > cluster.clock.now()) await cluster.engine.runUntil(time);
      } else {
        if (event.metadata.time > cluster.clock.now()) cluster.clock.advanceTo(event.metadata.time);
        const stored = store.appendNow(stream, [event]);
        for (const appended of stored.events) applyEvent(cluster.state, appended);
        await stored.durable;
        await cluster.engine.settle();
      }
      options.onProgress?.(index + 1, inputs.length);
    }
    if (options.runFor && options.runFor > 0 && !options.shouldStop?.(store.events())) await cluster.engine.runFor(options.runFor);
    return { events: [...store.events()], state: cluster.state, keptThrough };
  } finally {
    await engine.stop();
    await store.close();
  }
}

/** Position of the first event that differs between two logs, or undefined when they are identical. */
export function firstDivergence(recorded: readonly StoredEvent[], replayed: readonly StoredEvent[], from = 0): number | undefined {
  const length = Math.max(recorded.length, replayed.length);
  for (let i = from; i < length; i++) {
    const a = recorded[i];
    const b = replayed[i];
    if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) return i + 1;
  }
  return undefined;
}
