import type { DeliveryPerturbation, Position, StoredEvent } from '../../core/events.ts';
import type { ClusterState } from '../cluster-state.ts';
import { applyEvent, createClusterState } from '../state/reducer.ts';
import type { ReconcileInput } from './controller.ts';

export type { DeliveryPerturbation };

/**
 * An interleaving schedule: DeliveryPerturbations (core/events.ts), each changing what one controller
 * observes, and when, over a window of log positions, in the classes Sieve (OSDI '22) found
 * controller bugs in. An empty schedule is the default order. Only observation changes: every
 * controller still receives every event exactly once, in log order (but for a crashed one's down
 * time), and its commands still go through the write path against the live state (where a
 * resourceVersion it copied from a stale object is a precondition that fails with 409 Conflict, as
 * in Kubernetes).
 *
 * - `stale`: the controller's informer cache lags the log by `lag` events: it receives each event
 *   of the window `lag` events late, with the state exactly as of that event (lag 0: exactly as of
 *   the event, without the writes other controllers already made in reaction to it). It may react
 *   between two events of another controller's reconcile step, and before its own earlier writes
 *   are visible to it.
 * - `coalesce`: notifications are coalesced: the window's events are held and delivered together
 *   when the window ends (or the cluster goes quiet), all with the state as of the last of them, so
 *   the controller never observes the intermediate states.
 * - `first`: the controller reacts to each event of the window before every other controller, so its
 *   commands are applied first.
 * - `restart`: the controller crashes in the middle of a reconcile: at its first reaction in the
 *   window that issues commands, only the first `keep` of them reach the write path. It is then down
 *   (events pass it by) until the window ends or the engine runs out of work, and comes back as a
 *   fresh instance that remembers nothing (expectations, caches, timers) and must rebuild from the
 *   state it finds, half-finished writes included.
 *
 * Held events are delivered, in order, whenever the engine runs out of work (an informer catches
 * up), so a window never hides an event for ever.
 */
export type InterleavingSchedule = readonly DeliveryPerturbation[];

/** One line for people: `replicaset-controller sees a stale view (lag 0) at positions 1-24`. */
export function describePerturbation(p: DeliveryPerturbation): string {
  const at = p.from === p.to ? `position ${p.from}` : `positions ${p.from}-${p.to}`;
  switch (p.kind) {
    case 'stale':
      return `${p.controller} sees a stale view (lag ${p.lag ?? 0}) at ${at}`;
    case 'coalesce':
      return `${p.controller} has its notifications coalesced at ${at}`;
    case 'first':
      return `${p.controller} reacts first at ${at}`;
    case 'restart':
      return `${p.controller} crashes after ${p.keep ?? 0} command(s) of a reaction at ${at} and restarts`;
  }
}

export const PERTURBATION_KINDS: ReadonlyArray<DeliveryPerturbation['kind']> = ['stale', 'coalesce', 'first', 'restart'];

/** What the engine lends the schedule: controllers are named by their index in its list. */
export interface EngineHooks {
  /**
   * Hands one input to a controller and executes what it emits (only the first `cutAfter` commands
   * when given); returns how many commands it emitted.
   */
  deliver(index: number, input: ReconcileInput, cutAfter?: number): number;
  /** Replaces the controller's pipeline with a fresh one. */
  restart(index: number): void;
}

export interface ScheduledDelivery {
  /** Feeds one log event to every controller as the schedule says. */
  onEvent(event: StoredEvent, live: ClusterState, hooks: EngineHooks): void;
  /** Delivers every held event (the informers catch up) and restarts crashed controllers; returns whether any event was delivered. */
  flush(hooks: EngineHooks): boolean;
}

type Send = (input: ReconcileInput) => void;

interface Held {
  event: StoredEvent;
  coalesced: boolean;
}

interface View {
  perturbations: DeliveryPerturbation[];
  /** `restart` perturbations that have not crashed the controller yet. */
  armed: DeliveryPerturbation[];
  /** The crash the controller is down from. */
  down?: DeliveryPerturbation;
  /** The controller's informer cache: the log applied up to the last event it was handed. */
  cache?: ClusterState;
  held: Held[];
}

/**
 * The engine's delivery under a schedule. Controllers the schedule does not name see exactly what
 * the default order gives them (the live state, in list order).
 */
export function createScheduledDelivery(schedule: InterleavingSchedule, controllerNames: readonly string[]): ScheduledDelivery {
  const views: View[] = controllerNames.map((name) => {
    const perturbations = schedule.filter((p) => p.controller === name);
    const view: View = { perturbations, armed: perturbations.filter((p) => p.kind === 'restart'), held: [] };
    if (perturbations.some((p) => p.kind === 'stale' || p.kind === 'coalesce')) view.cache = createClusterState();
    return view;
  });
  const firsts = schedule.filter((p) => p.kind === 'first');
  const defaultOrder = controllerNames.map((_, i) => i);

  const active = (p: DeliveryPerturbation, position: Position) => p.from <= position && position <= p.to;

  function orderAt(position: Position): number[] {
    const ahead: number[] = [];
    for (const p of firsts) {
      if (!active(p, position)) continue;
      const index = controllerNames.indexOf(p.controller);
      if (index >= 0 && !ahead.includes(index)) ahead.push(index);
    }
    return ahead.length === 0 ? defaultOrder : [...ahead, ...defaultOrder.filter((i) => !ahead.includes(i))];
  }

  /** Delivers held events while `due` says so; a coalesced run goes out with the state as of its last event. */
  function release(view: View, send: Send, due: (held: Held) => boolean): boolean {
    let released = 0;
    while (released < view.held.length && due(view.held[released]!)) {
      const first = view.held[released]!;
      let end = released + 1;
      if (first.coalesced) while (end < view.held.length && view.held[end]!.coalesced && due(view.held[end]!)) end++;
      for (let i = released; i < end; i++) applyEvent(view.cache!, view.held[i]!.event);
      for (let i = released; i < end; i++) send({ event: view.held[i]!.event, state: view.cache! });
      released = end;
    }
    if (released > 0) view.held.splice(0, released);
    if (view.down) dropHeld(view);
    return released > 0;
  }

  /** A crashed controller's pending notifications die with it (its cache still follows the log). */
  function dropHeld(view: View): void {
    for (const held of view.held) applyEvent(view.cache!, held.event);
    view.held.length = 0;
  }

  /** Delivery to one controller, which crashes at its first reaction with commands inside an armed restart window. */
  function sender(index: number, view: View, position: Position, hooks: EngineHooks): Send {
    const crash = view.armed.find((p) => active(p, position));
    if (!crash) return (input) => void (view.down ? 0 : hooks.deliver(index, input));
    return (input) => {
      if (view.down) return;
      if (hooks.deliver(index, input, crash.keep ?? 0) === 0) return;
      view.armed.splice(view.armed.indexOf(crash), 1);
      view.down = crash;
    };
  }

  function revive(index: number, view: View, hooks: EngineHooks): void {
    view.down = undefined;
    hooks.restart(index);
  }

  return {
    onEvent(event, live, hooks) {
      const position = event.position;
      for (const index of firsts.length === 0 ? defaultOrder : orderAt(position)) {
        const view = views[index]!;
        if (view.perturbations.length === 0) {
          hooks.deliver(index, { event, state: live });
          continue;
        }
        if (view.down) {
          if (position <= view.down.to) {
            if (view.cache) applyEvent(view.cache, event);
            continue;
          }
          revive(index, view, hooks);
        }
        const send = sender(index, view, position, hooks);
        if (!view.cache) {
          send({ event, state: live });
          continue;
        }
        const window = view.perturbations.find((p) => (p.kind === 'stale' || p.kind === 'coalesce') && active(p, position));
        if (!window) {
          release(view, send, () => true);
          applyEvent(view.cache, event);
          send({ event, state: live });
          continue;
        }
        if (window.kind === 'coalesce') {
          view.held.push({ event, coalesced: true });
          continue;
        }
        view.held.push({ event, coalesced: false });
        const through = position - (window.lag ?? 0);
        release(view, send, (held) => held.event.position <= through);
      }
    },
    flush(hooks) {
      let any = false;
      views.forEach((view, index) => {
        if (view.down) revive(index, view, hooks);
        if (view.held.length > 0) any = release(view, sender(index, view, view.held.at(-1)!.event.position, hooks), () => true) || any;
      });
      return any;
    },
  };
}
