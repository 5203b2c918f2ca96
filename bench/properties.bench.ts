import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { check } from '../property-tests/check.ts';
import checkOnlyNodeFlags from '../bin/check-node-flags.json' with { type: 'json' };
import { engineNodeFlags } from '../projections/engine/engine-node-flags.ts';
import { formatRate, recordBenchmark, table } from './harness.ts';

// Histories checked per second against every built-in invariant, for the shape the issue names:
// 3–5 nodes, up to 20 workloads, up to 100 timeline events (faults and user actions).
const SHAPE = {
  cluster: { minNodes: 3, maxNodes: 5 },
  workloads: { maxWorkloads: 20 },
  timeline: { maxFaults: 30, maxActions: 70 },
} as const;

/** The V8 flags `orrery check` runs with (bin/orrery.js). */
const checkNodeFlags = [...engineNodeFlags, ...checkOnlyNodeFlags];

const worker = process.argv[2] === '--worker';
const threadsChild = process.argv[2] === '--threads';
const runs = Number(process.env.ORRERY_BENCH_RUNS ?? 200);
/**
 * Histories checked first and counted apart: V8 compiles the hot code over the first hundred or so
 * (a fresh process spends seconds of CPU above the warm rate), so they are reported as the cold
 * figure and the warm figure is what a long run (`--runs 10000`) settles at.
 */
const WARMUP = Number(process.env.ORRERY_BENCH_WARMUP ?? 100);
/** Histories of the long check: the nightly run's size (docs/property-testing.md), where the workers' warm-up is a small part. */
const LONG_RUNS = Number(process.env.ORRERY_BENCH_LONG_RUNS ?? 10_000);

interface Measured {
  histories: number;
  seconds: number;
  cpuSeconds: number;
  cold: { histories: number; seconds: number; cpuSeconds: number };
}

async function timed(histories: number, seed: number): Promise<{ histories: number; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = histories > 0 ? await check({ ...SHAPE, runs: histories, seed, shrink: false }) : { histories: 0 };
  const used = process.cpuUsage(cpu);
  return { histories: report.histories, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function measure(seed: number): Promise<Measured> {
  const cold = await timed(WARMUP, seed + 1000);
  return { ...(await timed(runs, seed)), cold };
}

/** One check whose histories run on `workers` threads, as `orrery check` runs them; CPU of every thread. */
async function measureThreads(seed: number, histories: number): Promise<{ histories: number; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await check({ ...SHAPE, runs: histories, seed, shrink: false, workers: 2 });
  const used = process.cpuUsage(cpu);
  return { histories: report.histories, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function runChild<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited with ${code}`))));
  });
}

if (worker) {
  const result = await measure(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
} else if (threadsChild) {
  process.stdout.write(JSON.stringify(await measureThreads(Number(process.argv[3]), Number(process.argv[4]))));
} else {
  const single = await measure(1);
  // Both cores: two processes, each checking its own seed.
  const here = fileURLToPath(import.meta.url);
  const runTs = join(dirname(here), '..', 'bin', 'run-ts.js');
  const children = await Promise.all([2, 3].map((seed) => runChild<Measured>([runTs, here, '--worker', String(seed)])));
  const parallel = {
    histories: children.reduce((sum, c) => sum + c.histories, 0),
    seconds: Math.max(...children.map((c) => c.seconds)),
    cpuSeconds: children.reduce((sum, c) => sum + c.cpuSeconds, 0),
  };
  // What `orrery check` does: one check, histories run on a worker thread per core (cold workers: their warm-up is counted),
  // in a process started with the V8 flags bin/orrery.js gives it.
  const threads = await runChild<{ histories: number; seconds: number; cpuSeconds: number }>([...checkNodeFlags, runTs, here, '--threads', '4', String(runs * 2)]);
  // A long check, as a nightly run is: the workers' warm-up is a small part of it.
  const long = await runChild<{ histories: number; seconds: number; cpuSeconds: number }>([...checkNodeFlags, runTs, here, '--threads', '5', String(LONG_RUNS)]);
  const row = (label: string, m: { histories: number; seconds: number; cpuSeconds: number }, cores: number) => [
    label,
    m.histories,
    m.seconds.toFixed(1),
    (m.histories / m.seconds).toFixed(1),
    ((m.seconds / m.histories) * 1000 * cores).toFixed(0),
    ((m.cpuSeconds / m.histories) * 1000).toFixed(0),
  ];
  const rows = [
    row(`1 process, its first ${WARMUP} histories (cold)`, single.cold, 1),
    row(`1 process, the next ${runs} (warm)`, single, 1),
    row('2 processes, warm (both cores)', parallel, 2),
    row('1 check on 2 worker threads (cold)', threads, 2),
    row(`1 check on 2 worker threads, ${LONG_RUNS.toLocaleString('en-US')} histories (cold start included)`, long, 2),
  ];
  const headers = ['', 'histories', 'seconds', 'histories/s', 'ms per history per core', 'CPU ms per history'];
  console.log(table(headers, rows));
  recordBenchmark(
    'properties',
    'Property testing: histories checked per second',
    `Shape: 3–5 nodes, up to 20 workloads, up to 100 timeline events (≤ 30 node faults with recovery, ≤ 70 user actions) over 10 virtual minutes, then 15 virtual minutes to settle; every built-in invariant checked at every event (and the event-sourcing ones at the end). No shrinking. Each process first checks ${WARMUP} histories, reported as its cold figure (V8 compiles the hot code meanwhile: what a short \`orrery check --runs ${WARMUP}\` sees), then ${runs} more, the warm figure (what a long run such as the nightly \`--runs 10000\` settles at).

${table(headers, rows)}

The last two rows are what \`orrery check --runs ${runs * 2}\` and \`--runs ${LONG_RUNS}\` do by default: one check, its histories run on one worker thread per core (same verdict, counterexample and path as one thread), the workers' start and warm-up included, in a process started with the V8 flags \`orrery check\` runs with (\`${checkNodeFlags.join(' ')}\`, bin/engine-node-flags.json and bin/check-node-flags.json). CPU ms per history is the process's own CPU time (all its threads, so V8's compiler and GC threads too), what a busy machine distorts least. Two processes each run slower than one alone: the two cores share caches and memory bandwidth. 1-minute load average when written: ${(await import('node:os')).loadavg()[0]!.toFixed(1)}.

Target: ≥ 100 histories/s on this 2-core machine. Anchor: Acto (SOSP '23) takes 5.9–44 minutes of real cluster time per bug reproduced; Orrery checks ${formatRate(parallel.histories / parallel.seconds).replace('/s', '').trim()} whole simulated cluster histories per second, warm, on both cores, and ${formatRate(long.histories / long.seconds).replace('/s', '').trim()} per second over a ${LONG_RUNS.toLocaleString('en-US')}-history check.`,
  );
}
