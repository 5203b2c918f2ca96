import { Subject, Subscription } from 'rxjs';
import type { Position, StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import { isApiError } from '../../core/errors.ts';
import type { ClusterState } from '../cluster-state.ts';
import type { Command } from '../commands.ts';
import { type Controller, type ControllerInterest, type ControllerOutput, type ReconcileInput, isWakeAt } from './controller.ts';
import { type InterleavingSchedule, createScheduledDelivery } from './interleaving.ts';
import { type IdleWork, reconcileHandler, reconcileIdleWork } from './reconcile-each.ts';
import { createTimerQueue } from './timer-queue.ts';

/** What the engine needs of the write path (projections/write-path). */
export interface CommandExecutor {
  readonly state: ClusterState;
  execute(command: Command): Promise<unknown>;
  /** `execute` done synchronously, throwing a rejection and returning what to await for durability, if anything (write-path's executeNow). */
  executeNow?(command: Command): Promise<unknown> | undefined;
}

export type EngineMode = 'simulation' | 'server';

export interface EngineOptions {
  store: EventStore;
  writePath: CommandExecutor;
  controllers: Controller[];
  mode: EngineMode;
  /** Simulation mode: the clock the write path stamps events with; the engine moves it. */
  clock?: { now(): number; advanceTo(time: number): void };
  /** Server mode: the wall clock (injected so the engine itself never reads it). */
  wallClock?: () => number;
  /** Position already reconciled (events at or before it are not fed to controllers again). */
  fromPosition?: Position;
  /** Called for commands the write path rejected; controllers are level-based and retry on later events. */
  onRejected?: (command: Command, error: unknown) => void;
  /** Called when a command fails for a reason other than a Kubernetes-style rejection. */
  onError?: (error: unknown) => void;
  /**
   * Simulation mode, from an empty log: perturb what controllers observe and when (stale views,
   * coalesced notifications, reordering, crash-restarts; see interleaving.ts). Absent or empty: the
   * default order.
   */
  interleavings?: InterleavingSchedule;
}

export interface EngineStats {
  eventsProcessed: number;
  commandsExecuted: number;
  commandsRejected: number;
}

export interface Engine {
  readonly mode: EngineMode;
  /** Position of the last event fed to the controllers. */
  readonly processed: Position;
  readonly stats: EngineStats;
  /** Earliest virtual time a controller asked to be woken at. */
  nextWake(): number | undefined;
  /**
   * Simulation mode: reconciles every pending event, jumping the clock from timer to timer,
   * until nothing is left at or before `time`; then moves the clock to `time`.
   */
  runUntil(time: number, onProgress?: (time: number) => void): Promise<void>;
  /** Simulation mode: `runUntil(clock + ms)`. */
  runFor(ms: number): Promise<void>;
  /** Reconciles every pending event and command without moving the clock. */
  settle(): Promise<void>;
  /** Server mode: follows the store and fires timers on wall time. */
  start(): void;
  stop(): Promise<void>;
}

interface CompiledInterest {
  events: ReadonlySet<string>;
  kinds: ReadonlySet<string> | undefined;
}

function compileInterest(interest: ControllerInterest): CompiledInterest {
  return { events: new Set(interest.events), kinds: interest.kinds ? new Set(interest.kinds) : undefined };
}

/**
 * Runs controllers over the log. Every event is fed, in position order, to every controller in
 * the order given; their commands go to the write path in the order emitted. In simulation mode
 * one event is reconciled at a time, which is what makes the resulting log a pure function of its
 * starting log, seed and inputs. An interleaving schedule (`options.interleavings`) changes what
 * some controllers observe and when; it is data too, so the log stays a pure function of it.
 */
export function createEngine(options: EngineOptions): Engine {
  const { store, writePath, controllers, mode } = options;
  const state = writePath.state;
  const timers = createTimerQueue();
  const stats: EngineStats = { eventsProcessed: 0, commandsExecuted: 0, commandsRejected: 0 };
  const queue: StoredEvent[] = [];
  let queueHead = 0;
  let processed = options.fromPosition ?? 0;
  let inFlight = new Set<Promise<unknown>>();
  let failure: unknown;

  const outputs: ControllerOutput[] = [];
  const inputs = controllers.map(() => new Subject<ReconcileInput>());
  /**
   * Per controller, its handler when its pipeline is just `input$.pipe(reconcileEach(handle))`:
   * the engine then calls it directly rather than through the Subject (same outputs, same errors),
   * which saves the Observable machinery on every event for every controller.
   */
  const handlers: Array<((input: ReconcileInput) => readonly ControllerOutput[]) | undefined> = [];
  /** Per controller called directly, the work it holds back until the engine runs out of events. */
  const idleWork: Array<IdleWork<ControllerOutput> | undefined> = [];
  const controllerFailed = (controller: Controller, error: unknown): void => {
    failure ??= new Error(`controller ${controller.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
  };
  const subscribeController = (index: number): Subscription => {
    const controller = controllers[index]!;
    const input = inputs[index]!;
    const source = input.asObservable();
    const output = controller.reconcile(source);
    const handler = reconcileHandler(output, source);
    if (handler && !input.observed) {
      handlers[index] = handler;
      const idle = reconcileIdleWork(output, source);
      if (idle) idle.hooked = true;
      idleWork[index] = idle;
      return new Subscription();
    }
    handlers[index] = undefined;
    idleWork[index] = undefined;
    return output.subscribe({ next: (out) => outputs.push(out), error: (error) => controllerFailed(controller, error) });
  };
  const controllerSubscriptions: Subscription[] = controllers.map((_, i) => subscribeController(i));
  /** Controllers whose handler threw: like an errored stream, they take no more input. */
  const failed = new Set<number>();

  /**
   * Controllers that declared an interest (Controller.interest) are handed, in the default order,
   * only the events it names, the first event and those at which a wake they asked for is due:
   * most controllers ignore most events (heartbeats, clock ticks, other kinds' status), and each
   * call still cost them a Set, a key string and a lookup or two. `accepting` caches, per event type
   * and kind, which controllers take the event.
   */
  const interests = controllers.map((controller) => (controller.interest ? compileInterest(controller.interest) : undefined));
  const filtering = interests.some((interest) => interest !== undefined);
  const accepting = new Map<string, Map<string | undefined, Uint8Array>>();
  /** Per filtered controller, the wakes it asked for (unsorted) and the earliest of them. */
  const wakesOf: number[][] = controllers.map(() => []);
  const nextWakeOf = new Float64Array(controllers.length).fill(Number.POSITIVE_INFINITY);
  let firstEvent = true;

  function acceptingFor(event: StoredEvent): Uint8Array {
    const data = event.data as { object?: { kind?: string }; ref?: { kind?: string } } | undefined;
    const kind = data?.object?.kind ?? data?.ref?.kind;
    let byKind = accepting.get(event.type);
    if (!byKind) accepting.set(event.type, (byKind = new Map()));
    let flags = byKind.get(kind);
    if (!flags) {
      flags = new Uint8Array(controllers.length);
      for (let i = 0; i < flags.length; i++) {
        const interest = interests[i];
        flags[i] = !interest || (interest.events.has(event.type) && (!interest.kinds || kind === undefined || interest.kinds.has(kind))) ? 1 : 0;
      }
      byKind.set(kind, flags);
    }
    return flags;
  }

  function noteWake(index: number, time: number): void {
    if (!interests[index]) return;
    wakesOf[index]!.push(time);
    if (time < nextWakeOf[index]!) nextWakeOf[index] = time;
  }

  /** The controller's wakes due by `time` are spent (it is being handed an event at that time). */
  function spendWakes(index: number, time: number): void {
    if (nextWakeOf[index]! > time) return;
    const wakes = wakesOf[index]!;
    let next = Number.POSITIVE_INFINITY;
    let kept = 0;
    for (let i = 0; i < wakes.length; i++) {
      const wake = wakes[i]!;
      if (wake <= time) continue;
      wakes[kept++] = wake;
      if (wake < next) next = wake;
    }
    wakes.length = kept;
    nextWakeOf[index] = next;
  }

  function handOver(index: number, input: ReconcileInput): void {
    const handler = handlers[index];
    if (!handler) {
      inputs[index]!.next(input);
      return;
    }
    if (failed.has(index)) return;
    let emitted: readonly ControllerOutput[];
    try {
      emitted = handler(input);
    } catch (error) {
      failed.add(index);
      controllerFailed(controllers[index]!, error);
      return;
    }
    for (let i = 0; i < emitted.length; i++) outputs.push(emitted[i]!);
  }

  const scheduled = options.interleavings && options.interleavings.length > 0 ? options.interleavings : undefined;
  if (scheduled && (mode !== 'simulation' || processed !== 0)) throw new Error('interleavings need simulation mode and an engine that starts from an empty log');
  const delivery = scheduled ? createScheduledDelivery(scheduled, controllers.map((c) => c.name)) : undefined;
  const hooks = { deliver, restart };

  const storeSubscription = store.subscribe(processed).subscribe({
    next: (event) => {
      queue.push(event);
      if (mode === 'server') scheduleDrain();
    },
    error: (error) => {
      failure ??= error;
    },
  });

  /**
   * Commands of a local write path are executed at once and cost no promise unless the append
   * still has to become durable; a rejection takes the same asynchronous route as a failed
   * `execute`, so rejections are reported exactly when they were before.
   */
  function execute(command: Command): void {
    stats.commandsExecuted++;
    if (!writePath.executeNow) {
      track(command, writePath.execute(command));
      return;
    }
    let durable: Promise<unknown> | undefined;
    try {
      durable = writePath.executeNow(command);
    } catch (error) {
      track(command, Promise.reject(error));
      return;
    }
    if (durable) track(command, durable);
  }

  function track(command: Command, outcome: Promise<unknown>): void {
    const pending = outcome.then(
      () => undefined,
      (error: unknown) => {
        if (isApiError(error)) {
          stats.commandsRejected++;
          options.onRejected?.(command, error);
        } else {
          failure ??= error;
          options.onError?.(error);
        }
      },
    );
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
  }

  /** Returns how many commands the controller emitted; with `cutAfter`, only that many are executed. */
  function deliver(index: number, input: ReconcileInput, cutAfter?: number): number {
    handOver(index, input);
    if (outputs.length === 0) return 0;
    let commands = 0;
    for (const output of outputs.splice(0)) {
      if (cutAfter !== undefined && commands >= cutAfter) {
        if (!isWakeAt(output)) commands++;
        continue;
      }
      if (carryOut(index, output)) commands++;
    }
    return commands;
  }

  /** A controller's output taken up: a wake is scheduled, a command executed (true). */
  function carryOut(index: number, output: ControllerOutput): boolean {
    if (isWakeAt(output)) {
      timers.add(output.time);
      noteWake(index, output.time);
      return false;
    }
    execute(output);
    return true;
  }

  /**
   * The engine has handed every controller every event: each controller's held-back work (a
   * ReplicaSet's status after a burst of its pods turning ready) goes out now, controllers in
   * their fixed order. Returns whether any command was issued (their events are more work).
   */
  function flushIdle(): boolean {
    let commands = 0;
    for (let index = 0; index < idleWork.length; index++) {
      const idle = idleWork[index];
      if (!idle || failed.has(index)) continue;
      let emitted: readonly ControllerOutput[];
      try {
        emitted = idle.flush();
      } catch (error) {
        failed.add(index);
        controllerFailed(controllers[index]!, error);
        continue;
      }
      for (const output of emitted) if (carryOut(index, output)) commands++;
    }
    if (failure) throw failure;
    return commands > 0;
  }

  /** A controller process restarting: a fresh pipeline that remembers nothing of the old one. */
  function restart(index: number): void {
    controllerSubscriptions[index]!.unsubscribe();
    inputs[index]!.complete();
    inputs[index] = new Subject<ReconcileInput>();
    failed.delete(index);
    controllerSubscriptions[index] = subscribeController(index);
  }

  function reconcile(event: StoredEvent): void {
    processed = event.position;
    stats.eventsProcessed++;
    if (delivery) delivery.onEvent(event, state, hooks);
    else if (!filtering || firstEvent) {
      firstEvent = false;
      const input: ReconcileInput = { event, state };
      for (let i = 0; i < inputs.length; i++) {
        if (filtering) spendWakes(i, state.time);
        deliver(i, input);
      }
    } else {
      const input: ReconcileInput = { event, state };
      const flags = acceptingFor(event);
      for (let i = 0; i < inputs.length; i++) {
        // The state's time, read per controller: an earlier controller's commands may move it.
        const time = state.time;
        if (nextWakeOf[i]! <= time) spendWakes(i, time);
        else if (flags[i] === 0) continue;
        deliver(i, input);
      }
    }
    if (failure) throw failure;
  }

  function drainQueue(): void {
    while (queueHead < queue.length) {
      const event = queue[queueHead++]!;
      if (event.position <= processed) continue;
      reconcile(event);
    }
    queue.length = 0;
    queueHead = 0;
  }

  async function settle(): Promise<void> {
    for (;;) {
      drainQueue();
      if (inFlight.size === 0) {
        // Out of work: lagging informers catch up, which may give the controllers more to do.
        if (delivery?.flush(hooks)) {
          if (failure) throw failure;
          continue;
        }
        if (flushIdle()) continue;
        break;
      }
      const waiting = [...inFlight];
      inFlight = new Set();
      await Promise.all(waiting);
      if (failure) throw failure;
    }
    // A durable store's subscription may deliver after the append resolved; catch up to head.
    const head = await store.head();
    if (head > processed) {
      await waitForQueue(head);
      return settle();
    }
  }

  async function waitForQueue(position: Position): Promise<void> {
    for (let spins = 0; processed < position && queue.length - queueHead === 0; spins++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (spins > 100_000) throw new Error(`engine: subscription stalled before position ${position}`);
    }
  }

  function advanceClock(time: number): void {
    execute({ type: 'record', actor: 'clock', event: { type: 'ClockAdvanced', data: { time } } });
  }

  async function runUntil(time: number, onProgress?: (time: number) => void): Promise<void> {
    if (mode !== 'simulation' || !options.clock) throw new Error('runUntil needs simulation mode and a clock');
    const clock = options.clock;
    await settle();
    for (;;) {
      const next = timers.peek();
      if (next === undefined || next > time) break;
      timers.dropThrough(next);
      if (next > clock.now()) {
        clock.advanceTo(next);
        advanceClock(next);
        onProgress?.(next);
      }
      await settle();
    }
    if (clock.now() < time) {
      clock.advanceTo(time);
      advanceClock(time);
      await settle();
    }
  }

  // Server mode: a drain runs on the next tick after events arrive; one wall-clock timer targets
  // the earliest wake.
  let drainScheduled = false;
  let wallTimer: NodeJS.Timeout | undefined;
  let wallTimerAt: number | undefined;
  let running = false;

  function scheduleDrain(): void {
    if (!running || drainScheduled) return;
    drainScheduled = true;
    setImmediate(() => {
      drainScheduled = false;
      try {
        drainQueue();
        flushIdle();
      } catch (error) {
        options.onError?.(error);
        failure = undefined;
      }
      armWallTimer();
    });
  }

  function armWallTimer(): void {
    if (!running || !options.wallClock) return;
    const next = timers.peek();
    if (next === undefined || next === wallTimerAt) return;
    if (wallTimer) clearTimeout(wallTimer);
    wallTimerAt = next;
    const delay = Math.max(0, next - options.wallClock());
    wallTimer = setTimeout(() => {
      wallTimer = undefined;
      wallTimerAt = undefined;
      const now = Math.max(options.wallClock!(), next);
      timers.dropThrough(now);
      advanceClock(now);
      armWallTimer();
    }, Math.min(delay, 2 ** 31 - 1));
    wallTimer.unref?.();
  }

  return {
    mode,
    get processed() {
      return processed;
    },
    stats,
    nextWake: () => timers.peek(),
    runUntil,
    runFor(ms: number) {
      if (!options.clock) throw new Error('runFor needs simulation mode and a clock');
      return runUntil(options.clock.now() + ms);
    },
    settle,
    start() {
      if (mode !== 'server') throw new Error('start() is for server mode; use runUntil() in simulation mode');
      running = true;
      scheduleDrain();
    },
    async stop() {
      running = false;
      if (wallTimer) clearTimeout(wallTimer);
      storeSubscription.unsubscribe();
      await Promise.all([...inFlight]);
      for (const subject of inputs) subject.complete();
      for (const subscription of controllerSubscriptions) subscription.unsubscribe();
    },
  };
}
