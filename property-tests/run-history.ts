import type { StoredEvent } from '../core/events.ts';
import { createInMemoryStore } from '../core/store/in-memory-store.ts';
import type { EventStore } from '../core/store/event-store.ts';
import type { Controller } from '../projections/engine/controller.ts';
import type { ClusterState } from '../projections/cluster-state.ts';
import { type ScenarioRun, runScenario } from '../replay/scenario/run-scenario.ts';
import type { Scenario } from '../replay/scenario/scenario.ts';
import type { Invariant, Violation } from './invariants/invariant.ts';

export interface RunHistoryOptions {
  invariants: readonly Invariant[];
  /** A fresh set of controllers per run; default the built-ins. */
  controllers?: () => Controller[];
  /** Stop at the first violation (default true): the run's log then ends at the failing event. */
  stopAtFirst?: boolean;
  /** Re-run the scenario and require a byte-identical log (default false). */
  verifyDeterminism?: boolean;
  store?: EventStore;
}

export interface HistoryResult {
  violations: Violation[];
  events: readonly StoredEvent[];
  run: ScenarioRun;
}

export const DETERMINISM_INVARIANT = 'controllers-reproduce-log';

/**
 * Runs one history with every invariant checked at every event, against the state exactly as of
 * that event (runScenario's lockstep replica).
 */
export async function runHistory(scenario: Scenario, options: RunHistoryOptions): Promise<HistoryResult> {
  const stopAtFirst = options.stopAtFirst ?? true;
  const checkers = options.invariants.map((invariant) => ({ invariant, checker: invariant.start() }));
  // The checkers that look at events, their onEvent in an array: a call per checker per event, so
  // no lookup of a method on two dozen kinds of checker object at each.
  const watching = checkers.filter(({ checker }) => checker.onEvent !== undefined);
  const onEvents = watching.map(({ checker }) => checker.onEvent!);
  const events: StoredEvent[] = [];
  const violations: Violation[] = [];
  const onEvent = (event: StoredEvent, state: ClusterState) => {
    events.push(event);
    if (stopAtFirst && violations.length > 0) return;
    for (let i = 0; i < onEvents.length; i++) {
      const message = onEvents[i]!.call(watching[i]!.checker, event, state);
      if (message) violations.push({ invariant: watching[i]!.invariant.name, message, position: event.position, time: event.metadata.time });
    }
  };
  const run = await runScenario(scenario, {
    store: options.store ?? createInMemoryStore(),
    onEvent,
    shouldStop: () => stopAtFirst && violations.length > 0,
    ...(options.controllers ? { controllers: options.controllers() } : {}),
  });
  if (!(stopAtFirst && violations.length > 0)) {
    for (const { invariant, checker } of checkers) {
      const message = checker.atEnd?.({ state: run.cluster.state, events, quietSince: run.lastActionTime });
      if (message) violations.push({ invariant: invariant.name, message, time: run.cluster.state.time });
    }
  }
  if (options.verifyDeterminism && violations.length === 0) {
    const again = await runScenario(scenario, { ...(options.controllers ? { controllers: options.controllers() } : {}) });
    const replayed = await collect(again.cluster.store);
    const diverged = firstDivergence(events, replayed);
    if (diverged !== undefined) {
      violations.push({
        invariant: DETERMINISM_INVARIANT,
        message: `re-running the controllers diverged from the recorded log at position ${diverged}`,
        position: diverged,
        time: events[diverged - 1]?.metadata.time ?? run.cluster.state.time,
      });
    }
    await again.cluster.close();
  }
  await run.cluster.engine.stop();
  return { violations, events, run };
}

async function collect(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.readAll(0)) events.push(event);
  return events;
}

/** Position of the first event that differs between two logs, or undefined when they are identical. */
export function firstDivergence(recorded: readonly StoredEvent[], replayed: readonly StoredEvent[]): number | undefined {
  const length = Math.max(recorded.length, replayed.length);
  for (let i = 0; i < length; i++) {
    const a = recorded[i];
    const b = replayed[i];
    if (!a || !b || JSON.stringify(a) !== JSON.stringify(b)) return i + 1;
  }
  return undefined;
}
