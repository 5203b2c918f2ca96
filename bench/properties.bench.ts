import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { check } from '../property-tests/check.ts';
import { formatRate, recordBenchmark, table } from './harness.ts';

// Histories checked per second against every built-in invariant, for the shape the issue names:
// 3–5 nodes, up to 20 workloads, up to 100 timeline events (faults and user actions).
const SHAPE = {
  cluster: { minNodes: 3, maxNodes: 5 },
  workloads: { maxWorkloads: 20 },
  timeline: { maxFaults: 30, maxActions: 70 },
} as const;

const worker = process.argv[2] === '--worker';
const runs = Number(process.env.ORRERY_BENCH_RUNS ?? 100);
/** Histories checked first and not counted: V8 compiles the hot code during the first few dozen (cold figures are reported apart). */
const WARMUP = Number(process.env.ORRERY_BENCH_WARMUP ?? 20);

async function measure(seed: number): Promise<{ histories: number; seconds: number; cpuSeconds: number; coldCpuMs: number }> {
  const coldCpu = process.cpuUsage();
  if (WARMUP > 0) await check({ ...SHAPE, runs: WARMUP, seed: seed + 1000, shrink: false });
  const cold = process.cpuUsage(coldCpu);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await check({ ...SHAPE, runs, seed, shrink: false });
  const used = process.cpuUsage(cpu);
  return { histories: report.histories, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, coldCpuMs: WARMUP > 0 ? (cold.user + cold.system) / 1000 / WARMUP : 0 };
}

/** One check whose histories run on `workers` threads, as `orrery check` runs them; CPU of every thread. */
async function measureThreads(seed: number, histories: number): Promise<{ histories: number; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await check({ ...SHAPE, runs: histories, seed, shrink: false, workers: 2 });
  const used = process.cpuUsage(cpu);
  return { histories: report.histories, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function runWorker(runTs: string, script: string, seed: number): Promise<{ histories: number; seconds: number; cpuSeconds: number; coldCpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runTs, script, '--worker', String(seed)], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited with ${code}`))));
  });
}

if (worker) {
  const result = await measure(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
} else {
  const single = await measure(1);
  // Both cores: two processes, each checking its own seed.
  const here = fileURLToPath(import.meta.url);
  const runTs = join(dirname(here), '..', 'bin', 'run-ts.js');
  const children = await Promise.all([2, 3].map((seed) => runWorker(runTs, here, seed)));
  const parallelHistories = children.reduce((sum, c) => sum + c.histories, 0);
  const parallelSeconds = Math.max(...children.map((c) => c.seconds));
  const parallelCpu = children.reduce((sum, c) => sum + c.cpuSeconds, 0);
  // What `orrery check` does: one check, histories run on a worker thread per core (cold workers: their warm-up is counted).
  const threads = await measureThreads(4, runs * 2);
  const rows = [
    ['1 process', single.histories, single.seconds.toFixed(1), (single.histories / single.seconds).toFixed(1), ((single.seconds / single.histories) * 1000).toFixed(0), ((single.cpuSeconds / single.histories) * 1000).toFixed(0)],
    ['2 processes (both cores)', parallelHistories, parallelSeconds.toFixed(1), (parallelHistories / parallelSeconds).toFixed(1), ((parallelSeconds / parallelHistories) * 1000 * 2).toFixed(0), ((parallelCpu / parallelHistories) * 1000).toFixed(0)],
    ['1 check on 2 worker threads (cold)', threads.histories, threads.seconds.toFixed(1), (threads.histories / threads.seconds).toFixed(1), ((threads.seconds / threads.histories) * 1000 * 2).toFixed(0), ((threads.cpuSeconds / threads.histories) * 1000).toFixed(0)],
  ];
  const headers = ['', 'histories', 'seconds', 'histories/s', 'ms per history per core', 'CPU ms per history'];
  console.log(table(headers, rows));
  recordBenchmark(
    'properties',
    'Property testing: histories checked per second',
    `Shape: 3–5 nodes, up to 20 workloads, up to 100 timeline events (≤ 30 node faults with recovery, ≤ 70 user actions) over 10 virtual minutes, then 15 virtual minutes to settle; every built-in invariant checked at every event (and the event-sourcing ones at the end). ${runs} histories per process, no shrinking, after ${WARMUP} histories per process that are not counted (V8 compiles the hot code meanwhile: those first histories cost ${single.coldCpuMs.toFixed(0)} CPU ms each in the single process, what a short \`orrery check --runs 20\` sees).

${table(headers, rows)}

The last row is what \`orrery check --runs ${runs * 2}\` does by default: one check, its histories run on one worker thread per core (as many as get ~100 histories each) (same verdict, counterexample and path as one thread), the workers' start and warm-up included. CPU ms per history is the process's own CPU time (all its threads) (what a busy machine distorts least): two free cores would check about ${formatRate((2 * parallelHistories) / parallelCpu).replace('/s', '').trim()} histories per second. 1-minute load average when written: ${(await import('node:os')).loadavg()[0]!.toFixed(1)}.

Target: ≥ 100 histories/s on this 2-core machine. Anchor: Acto (SOSP '23) takes 5.9–44 minutes of real cluster time per bug reproduced; Orrery checks ${formatRate(parallelHistories / parallelSeconds).replace('/s', '').trim()} whole simulated cluster histories per second.`,
  );
}
