import type { DeliveryPerturbation, NewEvent, OrreryEvent, Position, StoredEvent } from '../../core/events.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import type { Controller } from '../../projections/engine/controller.ts';
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
  /** The fork point: edits must come after it; default 0 (a plain re-run). */
  at?: Position;
  edits?: readonly Edit[];
  /** Virtual time to keep running after the last input (ms). */
  runFor?: number;
  /** A fresh set of controllers; default the built-ins. */
  controllers?: () => Controller[];
  /** Called after each input is applied. */
  onProgress?: (inputsDone: number, inputsTotal: number) => void;
  /** Stops early when it returns true (verify stops at the first divergence). */
  shouldStop?: (events: readonly StoredEvent[]) => boolean;
}

export interface RerunResult {
  events: StoredEvent[];
  state: ClusterState;
  /** Inputs applied (recorded, edited and inserted). */
  inputs: number;
}

function asNewEvent(event: StoredEvent): NewEvent {
  return { type: event.type, data: event.data, metadata: event.metadata } as NewEvent;
}

function editedEvent(edit: EditEvent, time: number): NewEvent {
  const actor = edit.metadata?.actor ?? 'user:admin';
  return { type: edit.type, data: edit.data, metadata: { actor, time } } as NewEvent;
}

function streamFor(event: NewEvent): string {
  const e = event as unknown as OrreryEvent;
  switch (e.type) {
    case 'ClusterInitialized':
    case 'ClockAdvanced':
    case 'NodeHeartbeat':
      return 'cluster';
    case 'ObjectCreated':
    case 'ObjectReplaced': {
      const m = e.data.object?.metadata;
      if (!m?.name) throw new ForkError(`${e.type} needs data.object with metadata.name`);
      return m.namespace ? `${e.data.object.kind}/${m.namespace}/${m.name}` : `${e.data.object.kind}/${m.name}`;
    }
    case 'NodeRegistered':
      return `Node/${e.data.node.metadata.name}`;
    case 'NodeConditionChanged':
    case 'NodeUnschedulableChanged':
    case 'NodeTaintsChanged':
    case 'KubeletStopped':
    case 'KubeletStarted':
      return `Node/${e.data.node}`;
    default: {
      const ref = (e.data as { ref?: { kind: string; namespace?: string; name: string } } | undefined)?.ref;
      if (!ref) throw new ForkError(`cannot tell which object a ${e.type} event is about`);
      return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
    }
  }
}

interface PlannedInput {
  event: NewEvent;
  stream: string;
  /** In the recording the next event is another input: both went in before the controllers ran. */
  batchWithNext: boolean;
}

/** The recording's inputs with the edits applied. */
function planInputs(events: readonly StoredEvent[], at: Position, edits: readonly Edit[]): PlannedInput[] {
  const removed = new Set<number>();
  const replaced = new Map<number, EditEvent>();
  const inserted = new Map<number, EditEvent[]>();
  for (const edit of edits) {
    const position = edit.op === 'insert' ? edit.after : edit.position;
    const lowest = edit.op === 'insert' ? Math.max(at, 1) : at + 1;
    if (!Number.isInteger(position) || position < lowest || position > events.length) {
      throw new ForkError(`edit ${edit.op} at position ${position} is outside the branch (${lowest}…${events.length}, after the fork point ${at})`);
    }
    if (edit.op !== 'insert' && !isInputEvent(events[position - 1]!)) {
      const event = events[position - 1]!;
      throw new ForkError(
        `event ${position} (${event.type} by ${event.metadata.actor}) is derived by the controllers and is written again by the re-run; edit the user action or fault that caused it (explain ${position})`,
      );
    }
    if (edit.op === 'remove') removed.add(position);
    else if (edit.op === 'replace') replaced.set(position, edit.event);
    else inserted.set(position, [...(inserted.get(position) ?? []), edit.event]);
  }
  const inputs: PlannedInput[] = [];
  const add = (event: NewEvent, batchWithNext: boolean) => inputs.push({ event, stream: streamFor(event), batchWithNext });
  for (const event of events) {
    const batch = events[event.position] !== undefined && isInputEvent(events[event.position]!);
    if (isInputEvent(event) && !removed.has(event.position)) {
      const replacement = replaced.get(event.position);
      add(replacement ? editedEvent(replacement, event.metadata.time) : asNewEvent(event), batch && !inserted.has(event.position));
    }
    for (const edit of inserted.get(event.position) ?? []) add(editedEvent(edit, event.metadata.time), false);
  }
  return inputs;
}

/**
 * Re-runs the controllers over a recording's inputs (the events nothing caused: user actions, faults,
 * the clock, the cluster's initialisation), in simulation mode from an empty log: each input is
 * written as recorded at its recorded time and everything it causes is derived again. Edits after
 * the fork point replace, remove or add inputs; derived events cannot be edited, since the re-run
 * writes them again. A deterministic recording re-runs into an identical log.
 */
export async function rerun(options: RerunOptions): Promise<RerunResult> {
  const { events } = options;
  if (events.length === 0) throw new ForkError('the recording is empty');
  const inputs = planInputs(events, options.at ?? 0, options.edits ?? []);
  if (inputs[0]?.event.type !== 'ClusterInitialized') throw new ForkError('the recording does not start with ClusterInitialized');

  const store = createInMemoryStore();
  const state = createClusterState();
  const clock = createVirtualClock((inputs[0].event.data as { startTime: number }).startTime);
  const writePath = createWritePath({ store, state, now: () => Math.max(clock.now(), state.time) });
  const controllers = (options.controllers ?? (() => defaultControllers()))();
  // A recording made under an interleaving schedule is re-run under the same one.
  const { interleavings } = inputs[0].event.data as { interleavings?: DeliveryPerturbation[] };
  const engine = createEngine({ store, writePath, controllers, mode: 'simulation', clock, fromPosition: 0, ...(interleavings ? { interleavings } : {}) });

  let applied = 0;
  try {
    for (const [index, { event, stream, batchWithNext }] of inputs.entries()) {
      if (options.shouldStop?.(store.events())) break;
      const time = event.type === 'ClockAdvanced' ? (event.data as { time: number }).time : event.metadata.time;
      if (event.type === 'ClockAdvanced' && time > clock.now()) {
        // The engine writes the clock event itself, firing the timers due before it on the way.
        await engine.runUntil(time);
      } else {
        if (time > clock.now()) clock.advanceTo(time);
        const appended = store.appendNow(stream, [event]);
        for (const stored of appended.events) applyEvent(state, stored);
        await appended.durable;
        if (!batchWithNext) await engine.settle();
      }
      applied++;
      options.onProgress?.(index + 1, inputs.length);
    }
    await engine.settle();
    if (options.runFor && options.runFor > 0 && !options.shouldStop?.(store.events())) await engine.runFor(options.runFor);
    return { events: [...store.events()], state, inputs: applied };
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
