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

/**
 * Runs the histories in `scenarios` on worker threads and finds the first one (in generation
 * order) that fails. Histories are handed out in order; once one fails, no later one is started,
 * and every earlier one still runs, so the first failure is the one a single thread would find.
 */
export async function runInWorkers(scenarios: readonly Scenario[], options: WorkerRunOptions): Promise<WorkerRunResult> {
  const threads = Math.max(1, Math.min(options.workers, scenarios.length));
  const data: CheckWorkerData & { tsx: string; entry: string } = {
    setup: options.setup,
    verifyDeterminism: options.verifyDeterminism,
    tsx: import.meta.resolve('tsx/esm/api'),
    entry: new URL('./check-worker.ts', import.meta.url).href,
  };
  const workers: Worker[] = [];
  let next = 0;
  let checked = 0;
  let running = 0;
  let firstFailure: number | undefined;
  try {
    await new Promise<void>((resolveRun, rejectRun) => {
      const dispatch = (worker: Worker): void => {
        if (next < scenarios.length && (firstFailure === undefined || next < firstFailure)) {
          const job: HistoryJob = { index: next, scenario: scenarios[next]! };
          next++;
          running++;
          worker.postMessage(job);
        } else if (running === 0) resolveRun();
      };
      for (let i = 0; i < threads; i++) {
        const worker = new Worker(BOOT, { eval: true, workerData: data });
        workers.push(worker);
        worker.on('message', (message: WorkerMessage) => {
          if ('setupError' in message) return rejectRun(new Error(`check worker could not set up: ${message.setupError}`));
          if ('index' in message) {
            running--;
            checked++;
            if (!message.ok && (firstFailure === undefined || message.index < firstFailure)) firstFailure = message.index;
            options.onChecked?.(checked);
          }
          dispatch(worker);
        });
        worker.on('error', rejectRun);
        worker.on('exit', (code) => {
          if (code !== 0) rejectRun(new Error(`check worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return { ...(firstFailure !== undefined ? { firstFailure } : {}), checked };
}
