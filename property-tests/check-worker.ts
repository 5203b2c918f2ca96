import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../replay/scenario/scenario.ts';
import { type CheckSetup, resolveCheckSetup } from './check-setup.ts';
import { runHistory } from './run-history.ts';

/** What a check worker is started with (workerData). */
export interface CheckWorkerData {
  setup: CheckSetup;
  verifyDeterminism: boolean;
}

/** Main thread → worker: one history to run. */
export interface HistoryJob {
  index: number;
  scenario: Scenario;
}

/** Worker → main thread: `ready` once set up, then one verdict per job (a thrown error fails the history, as in fast-check). */
export type WorkerMessage = { ready: true } | { index: number; ok: boolean } | { setupError: string };

// One thread of a parallel check (check-in-workers.ts): rebuilds the invariants and controllers
// from the setup, then runs each history it is sent exactly as check() would in one thread.
const port = parentPort;
if (port) {
  const data = workerData as CheckWorkerData;
  const post = (message: WorkerMessage) => port.postMessage(message);
  try {
    const resolved = await resolveCheckSetup(data.setup);
    const historyOptions = {
      invariants: resolved.invariants,
      ...(resolved.controllers ? { controllers: resolved.controllers } : {}),
      verifyDeterminism: data.verifyDeterminism,
    };
    // Jobs arrive ahead of time (the next one waits here while this one runs) and run one at a time.
    const queued: HistoryJob[] = [];
    let running = false;
    const runNext = (): void => {
      const job = queued.shift();
      if (!job) {
        running = false;
        return;
      }
      running = true;
      runHistory(job.scenario, historyOptions)
        .then(
          (result) => post({ index: job.index, ok: result.violations.length === 0 }),
          () => post({ index: job.index, ok: false }),
        )
        .then(runNext);
    };
    port.on('message', (job: HistoryJob) => {
      queued.push(job);
      if (!running) runNext();
    });
    post({ ready: true });
  } catch (error) {
    post({ setupError: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
