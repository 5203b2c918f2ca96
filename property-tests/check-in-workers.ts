import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../replay/scenario/scenario.ts';
import type { CheckSetup } from './check-setup.ts';
import type { CheckWorkerData, HistoryJob, WorkerMessage } from './check-worker.ts';

export interface WorkerRunOptions {
  workers: number;
  setup: CheckSetup;
  verifyDeterminism: boolean;
  /** Called as each history's verdict arrives (in completion order). */
  onChecked?: (checked: number) => void;
}

/** Histories in generation order, made as they are asked for (index by index, in order). */
export interface ScenarioSource {
  length: number;
  get(index: number): Promise<Scenario>;
  /** No more will be asked for. */
  stop(): Promise<void>;
}

export interface WorkerRunResult {
  /** Index of the first failing history in generation order, if any failed. */
  firstFailure?: number;
  /** Histories run. */
  checked: number;
}

// tsx's loader is registered per thread: a worker registers it before importing the TypeScript entry.
const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

const WORKER_SOURCE = fileURLToPath(new URL('./check-worker.ts', import.meta.url));

/**
 * How the workers start. Through tsx, each worker spends ~1 s of CPU resolving and loading the
 * project's ~400 modules one by one (about ten histories' worth); the worker entry bundled once
 * into one plain module (esbuild, as tsx itself compiles) loads in ~0.1 s. Its logs are
 * byte-identical to tsx's (40 generated histories hashed). A setup that names a
 * module of the user's keeps tsx, so that module and the controllers it builds share the project's
 * modules with the worker rather than loading second copies of them.
 */
async function workerEntry(setup: CheckSetup): Promise<{ start: (data: object) => Worker; dispose: () => Promise<void> }> {
  const viaTsx = {
    start: (data: object) => new Worker(BOOT, { eval: true, workerData: { ...data, tsx: import.meta.resolve('tsx/esm/api'), entry: pathToFileURL(WORKER_SOURCE).href } }),
    dispose: async () => {},
  };
  if (setup.invariantsModule) return viaTsx;
  let dir: string | undefined;
  try {
    const { build } = await import('esbuild');
    dir = await mkdtemp(join(tmpdir(), 'orrery-check-'));
    const outfile = join(dir, 'check-worker.mjs');
    await build({
      entryPoints: [WORKER_SOURCE],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Workers only report verdicts (the main thread re-runs a failure itself), and nothing reads
      // a function's runtime name: without keepNames, no __name call per closure made (~4% CPU).
      keepNames: false,
      logLevel: 'silent',
      // Bundled CommonJS dependencies call require.
      banner: { js: "import { createRequire as __orreryRequire } from 'node:module'; const require = __orreryRequire(import.meta.url);" },
    });
    const bundled = pathToFileURL(outfile);
    const made = dir;
    return { start: (data: object) => new Worker(bundled, { workerData: data }), dispose: () => rm(made, { recursive: true, force: true }) };
  } catch {
    if (dir) await rm(dir, { recursive: true, force: true });
    return viaTsx;
  }
}

/**
 * Histories each worker holds: the one it runs and the next, already sent, so that it never waits
 * for the main thread between two (handing out only on a verdict left each worker idle ~1 ms per
 * ~20 ms history: the main thread, sharing the two cores with the workers, answers late).
 */
const JOBS_PER_WORKER = 2;

/**
 * Runs the histories in `scenarios` on worker threads and finds the first one (in generation
 * order) that fails. Histories are handed out in order; once one fails, no later one is handed out
 * (one already queued at a worker still runs), and every earlier one still runs, so the first
 * failure is the one a single thread would find.
 */
export async function runInWorkers(scenarios: ScenarioSource, options: WorkerRunOptions): Promise<WorkerRunResult> {
  const threads = Math.max(1, Math.min(options.workers, scenarios.length));
  const data: CheckWorkerData = { setup: options.setup, verifyDeterminism: options.verifyDeterminism };
  const entry = await workerEntry(options.setup);
  const workers: Worker[] = [];
  let next = 0;
  let checked = 0;
  let running = 0;
  let firstFailure: number | undefined;
  // Histories are asked for one at a time, in order, whichever worker frees up first.
  let handedOut: Promise<unknown> = Promise.resolve();
  try {
    await new Promise<void>((resolveRun, rejectRun) => {
      const dispatch = (worker: Worker): void => {
        if (next < scenarios.length && (firstFailure === undefined || next < firstFailure)) {
          const index = next++;
          running++;
          handedOut = handedOut.then(() => scenarios.get(index)).then((scenario) => {
            const job: HistoryJob = { index, scenario };
            worker.postMessage(job);
          });
          handedOut.catch(rejectRun);
        } else if (running === 0) resolveRun();
      };
      for (let i = 0; i < threads; i++) {
        const worker = entry.start(data);
        workers.push(worker);
        worker.on('message', (message: WorkerMessage) => {
          if ('setupError' in message) return rejectRun(new Error(`check worker could not set up: ${message.setupError}`));
          if ('index' in message) {
            running--;
            checked++;
            if (!message.ok && (firstFailure === undefined || message.index < firstFailure)) firstFailure = message.index;
            options.onChecked?.(checked);
            dispatch(worker);
          } else for (let job = 0; job < JOBS_PER_WORKER; job++) dispatch(worker);
        });
        worker.on('error', rejectRun);
        worker.on('exit', (code) => {
          if (code !== 0) rejectRun(new Error(`check worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all([...workers.map((worker) => worker.terminate()), scenarios.stop()]);
    await entry.dispose();
  }
  return { ...(firstFailure !== undefined ? { firstFailure } : {}), checked };
}
