import { SingleBar } from 'cli-progress';
import { availableParallelism } from 'node:os';
import { describePerturbation } from '../projections/engine/interleaving.ts';
import type { ScenarioShape } from './arbitraries/scenario.ts';
import { check } from './check.ts';
import { type CheckSetup, resolveCheckSetup } from './check-setup.ts';

export interface CheckCommandOptions {
  runs: number;
  seed: number;
  path?: string;
  invariants?: string;
  only?: string;
  out: string;
  minNodes: number;
  maxNodes: number;
  workloads: number;
  maxFaults?: number;
  maxActions?: number;
  faults: boolean;
  actions: boolean;
  shrink: boolean;
  determinism: boolean;
  /** Explore interleavings (stale views, coalesced notifications, reordering) too. */
  interleavings?: boolean;
  /** Worker threads checking histories side by side; default: see defaultWorkers. Same verdict and path as one thread. */
  workers?: number;
}

/**
 * Each worker warms up its own JIT (~1.5x the CPU of a warm history for its first hundred or so),
 * and one thread already keeps a second core partly busy with V8's background compilation: on two
 * cores, 100 histories check no faster on two workers than on one, 200 ~1.2x, 400 ~1.4x faster.
 * So a worker per core, but only as many as get ~100 histories each.
 */
export function defaultWorkers(runs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.floor(runs / 100)));
}

/** The generated histories' shape the command's options ask for. */
export function checkShape(options: Pick<CheckCommandOptions, 'minNodes' | 'maxNodes' | 'workloads' | 'maxFaults' | 'maxActions' | 'faults' | 'actions'>): ScenarioShape {
  return {
    cluster: { minNodes: options.minNodes, maxNodes: options.maxNodes },
    workloads: { maxWorkloads: options.workloads },
    timeline: { ...(options.maxFaults !== undefined ? { maxFaults: options.maxFaults } : {}), ...(options.maxActions !== undefined ? { maxActions: options.maxActions } : {}) },
    faults: options.faults,
    actions: options.actions,
  };
}

export async function runCheckCommand(options: CheckCommandOptions): Promise<number> {
  const setup: CheckSetup = {
    ...(options.invariants ? { invariantsModule: options.invariants } : {}),
    ...(options.only ? { only: options.only.split(',') } : {}),
  };
  const { invariants, controllers } = await resolveCheckSetup(setup);
  const interactive = process.stderr.isTTY;
  const bar = new SingleBar({ format: 'checking |{bar}| {value}/{total} histories {shrinking}', hideCursor: true, stream: process.stderr, noTTYOutput: false }, undefined);
  if (interactive) bar.start(options.runs, 0, { shrinking: '' });
  const started = process.hrtime.bigint();
  const report = await check({
    runs: options.runs,
    seed: options.seed,
    invariants,
    ...(options.path ? { path: options.path } : {}),
    ...(controllers ? { controllers } : {}),
    ...checkShape(options),
    shrink: options.shrink,
    verifyDeterminism: options.determinism,
    ...(options.interleavings ? { interleavings: true } : {}),
    outputDir: options.out,
    setup,
    workers: options.workers ?? defaultWorkers(options.runs),
    onProgress: (checked, total, shrinking) => {
      if (interactive) bar.update(Math.min(checked, total), { shrinking: shrinking ? `(shrinking a failure, ${checked} run)` : '' });
      else if (checked % 100 === 0) process.stderr.write(`checked ${checked} histories\n`);
    },
  });
  if (interactive) bar.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = (report.histories / seconds).toFixed(1);
  console.log(`invariants: ${invariants.map((i) => i.name).join(', ')}`);
  if (report.ok) {
    const threads = report.workers > 0 ? ` on ${report.workers} worker threads` : '';
    console.log(`OK: ${report.runs} histories passed (seed ${report.seed}) in ${seconds.toFixed(1)}s${threads}, ${rate} histories/s`);
    return 0;
  }
  const failure = report.failure!;
  const v = failure.violation;
  console.log(`FAILED: ${v.invariant}`);
  console.log(`  ${v.message}`);
  console.log(`  at ${v.position !== undefined ? `event position ${v.position}, ` : 'the end of the run, '}virtual time ${new Date(v.time).toISOString()}`);
  console.log(`  shrunk in ${failure.shrinks} steps to ${failure.scenario.cluster.nodes.length} nodes, ${failure.scenario.manifests.length} workloads, ${failure.scenario.timeline.length} timeline entries`);
  for (const p of failure.scenario.interleavings ?? []) console.log(`  interleaving: ${describePerturbation(p)}`);
  if (failure.scenarioFile) console.log(`  scenario:  ${failure.scenarioFile}`);
  if (failure.recordingDir) console.log(`  recording: ${failure.recordingDir} (an embedded log; the violating event is position ${v.position ?? 'last'})`);
  console.log(`  reproduce: orrery check --seed ${report.seed} --path ${failure.path}${options.interleavings ? ' --interleavings' : ''}${options.invariants ? ` --invariants ${options.invariants}` : ''}`);
  return 1;
}
