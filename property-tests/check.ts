import fc from 'fast-check';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { copyLog } from '../core/store/copy-log.ts';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import type { Controller } from '../projections/engine/controller.ts';
import { defaultControllers } from '../projections/engine/default-controllers.ts';
import { scenarioToYaml } from '../replay/scenario/scenario-file.ts';
import type { Scenario } from '../replay/scenario/scenario.ts';
import { type InterleavingShape, withInterleavings } from './arbitraries/interleavings.ts';
import { type ScenarioShape, scenarioArbitrary } from './arbitraries/scenario.ts';
import { type ScenarioSource, runInWorkers } from './check-in-workers.ts';
import { type CheckSetup, resolveCheckSetup } from './check-setup.ts';
import { builtInInvariants } from './invariants/index.ts';
import type { Invariant, Violation } from './invariants/invariant.ts';
import { type RunHistoryOptions, runHistory } from './run-history.ts';

export interface CheckOptions extends ScenarioShape {
  /** Histories to check; default generated from the shape options (cluster, workloads, timeline, faults, actions). */
  scenarios?: fc.Arbitrary<Scenario>;
  /** Default: every built-in invariant. */
  invariants?: readonly Invariant[];
  /** A fresh set of controllers per run (your own controller goes here); default the built-ins. */
  controllers?: () => Controller[];
  runs?: number;
  seed?: number;
  /** fast-check's replay path, printed with a failure, to go straight back to it. */
  path?: string;
  /** Shrink a failing history to a minimal one (default true); false reports the first failure found. */
  shrink?: boolean;
  /** Also re-run every history and require a byte-identical log. */
  verifyDeterminism?: boolean;
  /**
   * Explore interleavings too: each history gets a generated schedule of stale views, coalesced
   * notifications and reorderings of the controllers (docs/property-testing.md, "Interleavings").
   * `true` for the default shape. Off by default: every controller sees every event live, in order.
   */
  interleavings?: boolean | InterleavingShape;
  /** Where to write the shrunk counterexample (scenario file and recording). */
  outputDir?: string;
  /** Called after each history (including those tried while shrinking). */
  onProgress?: (checked: number, total: number, shrinking: boolean) => void;
  /**
   * Worker threads checking histories side by side (default 1: this thread only). The verdict,
   * counterexample, shrink and path are those of a run in one thread: histories are generated here
   * in fast-check's order, the workers find the first that fails, and it is shrunk here from its
   * path. With `invariants` or `controllers` of your own, `setup` must say how a worker rebuilds them.
   */
  workers?: number;
  /** How each worker (and this thread, when `invariants` is absent) builds its invariants and controllers. */
  setup?: CheckSetup;
}

export interface CheckFailure {
  violation: Violation;
  scenario: Scenario;
  /** fast-check's path to the shrunk counterexample: `check({ seed, path })` replays exactly it. */
  path: string;
  shrinks: number;
  scenarioFile?: string;
  recordingDir?: string;
}

export interface CheckReport {
  ok: boolean;
  runs: number;
  seed: number;
  /** Histories executed, including shrinking. */
  histories: number;
  /** Worker threads the histories were checked on (0: the calling thread). Shrinking is always on the calling thread. */
  workers: number;
  failure?: CheckFailure;
}

/**
 * Checks invariants over generated histories. On failure fast-check shrinks the history to a
 * small one, which is re-run once more and, with `outputDir`, written as a scenario file plus a
 * recording that `orrery replay` opens.
 */
export async function check(options: CheckOptions = {}): Promise<CheckReport> {
  const resolved = options.setup && !options.invariants ? await resolveCheckSetup(options.setup) : undefined;
  const invariants = options.invariants ?? resolved?.invariants ?? builtInInvariants;
  const controllers = options.controllers ?? resolved?.controllers;
  const runs = options.runs ?? 100;
  const seed = options.seed ?? 1;
  const generated = options.scenarios ?? scenarioArbitrary(options);
  const arbitrary = options.interleavings ? withInterleavings(generated, controllerNames(controllers), options.interleavings === true ? {} : options.interleavings) : generated;
  let histories = 0;
  let failedOnce = false;
  const historyOptions = {
    invariants,
    ...(controllers ? { controllers } : {}),
    verifyDeterminism: options.verifyDeterminism ?? false,
  };
  let path = options.path;
  const requestedWorkers = Math.floor(options.workers ?? 1);
  const workers = requestedWorkers > 1 && path === undefined && runs > 1 ? requestedWorkers : 0;
  if (workers > 0) {
    if ((options.invariants || options.controllers) && !options.setup) throw new Error('check({ workers }) with invariants or controllers of your own needs `setup` (a module path) so each worker can build them');
    const scenarios = generateInOrder(arbitrary, runs, seed);
    const parallel = await runInWorkers(scenarios, {
      workers,
      setup: options.setup ?? {},
      verifyDeterminism: historyOptions.verifyDeterminism,
      onChecked: (checked) => options.onProgress?.(checked, runs, false),
    });
    histories = parallel.checked;
    if (parallel.firstFailure === undefined) return { ok: true, runs, seed, histories, workers };
    // fast-check's path to a generated history is its index: replaying it here shrinks it exactly
    // as a run in one thread would have.
    failedOnce = true;
    path = String(parallel.firstFailure);
  }
  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    const result = await runHistory(scenario, historyOptions);
    histories++;
    if (result.violations.length > 0) failedOnce = true;
    options.onProgress?.(histories, runs, failedOnce);
    return result.violations.length === 0;
  });
  const details = await fc.check(property, {
    numRuns: runs,
    seed,
    endOnFailure: options.shrink === false,
    ...(path ? { path } : {}),
  });
  if (!details.failed) return { ok: true, runs, seed, histories, workers };
  if (!details.counterexample) throw details.errorInstance ?? new Error('the property failed without a counterexample');
  const [scenario] = details.counterexample;
  const rerun = await runHistory(scenario, historyOptions);
  const violation = rerun.violations[0];
  if (!violation) throw new Error('the shrunk counterexample passed when re-run: the run is not deterministic');
  const failure: CheckFailure = { violation, scenario, path: details.counterexamplePath ?? '', shrinks: details.numShrinks };
  if (options.outputDir) Object.assign(failure, await writeCounterexample(options.outputDir, scenario, violation, historyOptions));
  return { ok: false, runs, seed, histories, workers, failure };
}

/** Names of the controllers a run has, which an interleaving schedule may perturb. */
function controllerNames(controllers: (() => Controller[]) | undefined): string[] {
  return (controllers?.() ?? defaultControllers()).map((controller) => controller.name);
}

/** Histories generated before a worker asks for them, so that none waits for the next. */
const GENERATED_AHEAD = 4;

/**
 * The first `runs` histories fast-check generates for `seed`, in the order it would check them,
 * made as the workers ask for them: the workers start checking while the rest are generated
 * (generating 400 up front kept both cores idle for over a second).
 */
function generateInOrder(arbitrary: fc.Arbitrary<Scenario>, runs: number, seed: number): ScenarioSource {
  // Each history is asked for once; it is let go once handed out, so a long check holds only those ahead.
  const made: Array<Scenario | undefined> = [];
  let wanted = 0;
  let stopped = false;
  let finished = false;
  let error: unknown;
  let wake: (() => void) | undefined;
  let arrived: (() => void) | undefined;
  const done = fc
    .check(
      fc.asyncProperty(arbitrary, async (scenario) => {
        made.push(scenario);
        arrived?.();
        while (!stopped && made.length >= wanted + GENERATED_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
        // Returning false ends fast-check's run at once (endOnFailure: nothing is shrunk).
        return !stopped;
      }),
      { numRuns: runs, seed, endOnFailure: true },
    )
    .then(
      (details) => {
        if (!stopped && details.failed) error = details.errorInstance ?? new Error(`fast-check stopped after ${made.length} of ${runs} histories`);
      },
      (thrown) => (error = thrown),
    )
    .finally(() => {
      finished = true;
      arrived?.();
    });
  return {
    length: runs,
    async get(index) {
      wanted = Math.max(wanted, index + 1);
      wake?.();
      while (made.length <= index && !finished) await new Promise<void>((resolve) => (arrived = resolve));
      const scenario = made[index];
      if (!scenario) throw error ?? new Error(`fast-check generated ${made.length} histories, not ${runs}`);
      made[index] = undefined;
      return scenario;
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

async function writeCounterexample(
  outputDir: string,
  scenario: Scenario,
  violation: Violation,
  historyOptions: Omit<RunHistoryOptions, 'store'>,
): Promise<{ scenarioFile: string; recordingDir: string }> {
  const dir = resolve(outputDir);
  await mkdir(dir, { recursive: true });
  const scenarioFile = join(dir, 'counterexample.scenario.yaml');
  const header = `# Counterexample: ${violation.invariant}\n# ${violation.message}\n# ${violation.position ? `at position ${violation.position}, ` : ''}virtual time ${new Date(violation.time).toISOString()}\n`;
  await writeFile(scenarioFile, header + scenarioToYaml({ ...scenario, name: `counterexample: ${violation.invariant}` }));
  const recordingDir = join(dir, 'recording');
  await rm(recordingDir, { recursive: true, force: true });
  // The same run again (it stops at the same violating event), written out as a durable recording.
  const rerun = await runHistory(scenario, historyOptions);
  const store = await createEmbeddedStore(recordingDir);
  await copyLog(rerun.events, store);
  await store.close();
  return { scenarioFile, recordingDir };
}
