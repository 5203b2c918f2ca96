import type { StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Controller } from '../../projections/engine/controller.ts';
import type { DefaultControllerOptions } from '../../projections/engine/default-controllers.ts';
import { DEFAULT_START_TIME, type SimulatedCluster, createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { type ActionOutcome, applyScenarioAction } from './apply-action.ts';
import type { Scenario, TimelineEntry } from './scenario.ts';

export interface ScenarioRunOptions {
  /** Where the recording goes; default in memory. */
  store?: EventStore;
  controllers?: Controller[];
  controllerOptions?: DefaultControllerOptions;
  startTime?: number;
  /** Sees every event as it is appended, in order, from the first. */
  onEvent?: (event: StoredEvent) => void;
  /** Called as virtual time advances (for progress bars). */
  onProgress?: (elapsed: number, duration: number) => void;
  /** Stop early: checked after each timeline entry and timer jump. */
  shouldStop?: () => boolean;
}

export interface ScenarioRun {
  cluster: SimulatedCluster;
  startTime: number;
  outcomes: Array<{ entry: TimelineEntry; outcome: ActionOutcome }>;
  /** Virtual time of the last timeline entry (ms since the epoch). */
  lastActionTime: number;
}

/** Runs a scenario in simulation mode: manifests at time 0, then each timeline entry at its time. */
export async function runScenario(scenario: Scenario, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
  const store = options.store ?? createInMemoryStore();
  const subscription = options.onEvent ? store.subscribe(0).subscribe(options.onEvent) : undefined;
  const startTime = options.startTime ?? DEFAULT_START_TIME;
  const cluster = await createSimulatedCluster({
    seed: scenario.seed,
    startTime,
    nodes: scenario.cluster.nodes,
    store,
    ...(options.controllers ? { controllers: options.controllers } : {}),
    ...(options.controllerOptions ? { controllerOptions: options.controllerOptions } : {}),
  });
  const outcomes: ScenarioRun['outcomes'] = [];
  try {
    for (const manifest of scenario.manifests) {
      const outcome = await applyScenarioAction(cluster, { action: 'apply', manifest });
      outcomes.push({ entry: { at: 0, action: 'apply', manifest }, outcome });
    }
    const progress = (time: number) => options.onProgress?.(time - startTime, scenario.duration);
    let lastActionTime = startTime;
    for (const entry of scenario.timeline) {
      if (options.shouldStop?.()) break;
      await cluster.engine.runUntil(startTime + entry.at, progress);
      outcomes.push({ entry, outcome: await applyScenarioAction(cluster, entry) });
      lastActionTime = startTime + entry.at;
    }
    if (!options.shouldStop?.()) await cluster.engine.runUntil(startTime + Math.max(scenario.duration, lastActionTime - startTime), progress);
    return { cluster, startTime, outcomes, lastActionTime };
  } finally {
    subscription?.unsubscribe();
  }
}
