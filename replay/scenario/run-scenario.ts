import type { StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import type { Controller } from '../../projections/engine/controller.ts';
import { type DefaultControllerOptions, defaultControllers } from '../../projections/engine/default-controllers.ts';
import { DEFAULT_START_TIME, type SimulatedCluster, createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { type ActionOutcome, applyScenarioAction } from './apply-action.ts';
import { type ExpectationResult, createExpectationTracker, customTypesOf, parseExpectation } from './expectations.ts';
import type { Scenario, TimelineEntry } from './scenario.ts';
import { createScenarioDriver } from './scenario-driver.ts';

export interface ScenarioRunOptions {
  /** Where the recording goes; default in memory. */
  store?: EventStore;
  controllers?: Controller[];
  controllerOptions?: DefaultControllerOptions;
  startTime?: number;
  /**
   * Sees every event as it is appended, in order, from the first, with the cluster state exactly
   * as of that event (a replica rebuilt in lockstep from the log).
   */
  onEvent?: (event: StoredEvent, state: ClusterState) => void;
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
  /** One per `expect` line, in order. */
  expectations: ExpectationResult[];
}

/**
 * Runs a scenario in simulation mode: manifests at time 0, then each timeline entry at its time,
 * checking the scenario's expectations as it goes.
 */
export async function runScenario(scenario: Scenario, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
  const store = options.store ?? createInMemoryStore();
  const startTime = options.startTime ?? DEFAULT_START_TIME;
  const custom = customTypesOf([...scenario.manifests, ...scenario.timeline.flatMap((entry) => (entry.action === 'apply' ? [entry.manifest] : []))]);
  const expectations = (scenario.expect ?? []).map((text) => parseExpectation(text, custom));
  const tracker = createExpectationTracker(expectations, startTime);
  const needsReplica = options.onEvent !== undefined || expectations.length > 0;
  const replica = createClusterState();
  const subscription = needsReplica
    ? store.subscribe(0).subscribe((event) => {
        applyEvent(replica, event);
        options.onEvent?.(event, replica);
        if (expectations.length > 0) tracker.observe(replica, event);
      })
    : undefined;
  // The driver goes first so a standing fault reaches a new pod before anything else reacts to it.
  const driver = createScenarioDriver();
  const cluster = await createSimulatedCluster({
    seed: scenario.seed,
    startTime,
    nodes: scenario.cluster.nodes,
    store,
    controllers: [driver.controller, ...(options.controllers ?? defaultControllers(options.controllerOptions))],
    ...(scenario.interleavings && scenario.interleavings.length > 0 ? { interleavings: scenario.interleavings } : {}),
  });
  const outcomes: ScenarioRun['outcomes'] = [];
  const progress = (time: number) => options.onProgress?.(time - startTime, scenario.duration);
  const end = Math.max(scenario.duration, scenario.timeline.at(-1)?.at ?? 0);
  // Timeline entries and the instants assertions are decided at, in time order (checks first).
  const stops: Array<{ at: number; entry?: TimelineEntry }> = [
    ...tracker.checkpoints().filter((at) => at <= end).map((at): { at: number; entry?: TimelineEntry } => ({ at })),
    ...scenario.timeline.map((entry) => ({ at: entry.at, entry })),
  ].sort((a, b) => a.at - b.at || (a.entry ? 1 : 0) - (b.entry ? 1 : 0));
  let lastActionTime = startTime;
  try {
    for (const manifest of scenario.manifests) {
      const outcome = await applyScenarioAction(cluster, { action: 'apply', manifest }, driver);
      outcomes.push({ entry: { at: 0, action: 'apply', manifest }, outcome });
    }
    for (const stop of stops) {
      if (options.shouldStop?.()) break;
      await cluster.engine.runUntil(startTime + stop.at, progress);
      if (!stop.entry) {
        tracker.checkAt(replica, stop.at);
        continue;
      }
      outcomes.push({ entry: stop.entry, outcome: await applyScenarioAction(cluster, stop.entry, driver) });
      lastActionTime = startTime + stop.at;
    }
    if (!options.shouldStop?.()) await cluster.engine.runUntil(startTime + end, progress);
    return { cluster, startTime, outcomes, lastActionTime, expectations: tracker.finish(replica) };
  } finally {
    subscription?.unsubscribe();
  }
}
