/**
 * Scheduler benchmark: 5,000 nodes, Deployments of 50 replicas.
 *
 * "End to end" runs the whole simulated cluster (Deployment, ReplicaSet, scheduler and kubelet
 * controllers, write path, in-memory log) in simulation mode: Deployments are created and the
 * clock runs until every pod is Running.
 *
 * "Scheduler alone" drives the scheduler controller over a prepared cluster state: pods are created
 * in the state, the controller sees each creation, and its PodScheduled events are applied back
 * (as the write path would) and fed to it again. Every event is kept, as the in-memory log keeps
 * them, so peak RSS includes the recorded decisions.
 */
import type { StoredEvent } from '../core/events.ts';
import type { KubeObject } from '../core/model/object.ts';
import { type ClusterState } from '../projections/cluster-state.ts';
import type { Command } from '../projections/commands.ts';
import { type SchedulerOptions, createSchedulerController } from '../projections/controllers/scheduler/scheduler-controller.ts';
import type { ControllerOutput, ReconcileInput } from '../projections/engine/controller.ts';
import { simulatedNodeObject, uniformNodes } from '../projections/engine/simulated-node.ts';
import { applyEvent, createClusterState } from '../projections/state/reducer.ts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Subject } from 'rxjs';
import { reconcileEach, reconcileHandler, reconcileIdleWork } from '../projections/engine/reconcile-each.ts';
import { createSimulatedCluster } from '../projections/engine/simulated-cluster.ts';
import { defaultControllers } from '../projections/engine/default-controllers.ts';
import type { Controller } from '../projections/engine/controller.ts';
import { formatRate, peakRssMiB, recordBenchmark, table } from './harness.ts';

const NODES = Number(process.env.BENCH_NODES ?? 5000); // wall-clock-ok (bench)
/**
 * End-to-end runs, each `[<pods already Running>+]<pods measured>`. `1000+10000` is the shape of
 * kube-scheduler's own anchor, scheduler_perf's SchedulingBasic/5000Nodes_10000Pods (threshold
 * 680 pods/s): 1,000 pods (initPods) are scheduled before the 10,000 measured ones (measurePods).
 * The runs without a prefix start measuring at the process's first pod, V8's compilation included.
 */
const END_TO_END_RUNS = (process.env.BENCH_PODS ?? '10000,1000+10000,150000').split(',').map((spec) => { // wall-clock-ok (bench)
  const [init, pods] = spec.includes('+') ? spec.split('+').map(Number) : [0, Number(spec)];
  return { init: init!, pods: pods! };
});
/** Scheduler-alone runs: the distinct measured counts. */
const RUNS = [...new Set(END_TO_END_RUNS.map((run) => run.pods))];
const REPLICAS = 50;
/** An end-to-end run that has not finished after this long (or with this much heap) stops; its parent kills it 300 s later. */
const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_S ?? 900); // wall-clock-ok (bench)
const HEAP_BUDGET_BYTES = 3.5 * 2 ** 30;
/** A child whose resident set passes this is stopped by its parent (the machine is shared). */
const RSS_BUDGET_MIB = Number(process.env.BENCH_RSS_BUDGET_MIB ?? 3072); // wall-clock-ok (bench)
/** BENCH_PCT overrides the scheduler's percentageOfNodesToScore. */
const schedulerOptions: SchedulerOptions = {
  ...(process.env.BENCH_PCT ? { percentageOfNodesToScore: Number(process.env.BENCH_PCT) } : {}), // wall-clock-ok (bench)
};

/** BENCH_OLD=1 runs the paths this bench's later changes replaced, for side-by-side figures. */
const OLD_PATHS = process.env.BENCH_OLD === '1'; // wall-clock-ok (bench)
/** BENCH_OLD_KUBELET=1 (or BENCH_OLD=1): the kubelet writes one event per status change, not one per status update. */
const OLD_KUBELET = OLD_PATHS || process.env.BENCH_OLD_KUBELET === '1'; // wall-clock-ok (bench)

interface Row {
  pods: number;
  seconds: number;
  /** CPU time of this process, which a busy machine distorts less than wall time. */
  cpuSeconds: number;
  decisionsPerSecond: number;
  rssMiB: number;
  /** Heap the recorded decisions hold, per pod (measured by dropping them from the kept events). */
  decisionBytes: number;
}

function schedulerAlone(podCount: number): Row {
  const state = createClusterState();
  const log: StoredEvent[] = [];
  const append = (event: Omit<StoredEvent, 'position' | 'stream' | 'streamRevision'>, stream: string): StoredEvent => {
    const stored = { ...event, position: log.length + 1, stream, streamRevision: 0 } as StoredEvent;
    log.push(stored);
    applyEvent(state, stored);
    return stored;
  };
  const meta = (actor: string) => ({ actor, time: Date.UTC(2026, 0, 1) });
  append({ type: 'ClusterInitialized', data: { seed: 1, startTime: Date.UTC(2026, 0, 1), mode: 'simulation' }, metadata: meta('orrery') }, 'cluster');
  uniformNodes(NODES).forEach((spec, index) => {
    const node = simulatedNodeObject(spec, index);
    node.status.conditions = [{ type: 'Ready', status: 'True' }];
    append({ type: 'NodeRegistered', data: { node }, metadata: meta(`kubelet/${spec.name}`) }, `Node/${spec.name}`);
  });

  const input$ = new Subject<ReconcileInput>();
  const outputs: ControllerOutput[] = [];
  createSchedulerController(schedulerOptions)
    .reconcile(input$)
    .subscribe((output) => outputs.push(output));
  const feed = (event: StoredEvent) => {
    input$.next({ event, state });
    for (const output of outputs.splice(0)) {
      const command = output as Extract<Command, { type: 'record' }>;
      const ref = (command.event.data as { ref: { namespace: string; name: string } }).ref;
      append({ ...command.event, metadata: { actor: command.actor, causationId: command.causationId, time: state.time } } as StoredEvent, `Pod/${ref.namespace}/${ref.name}`);
    }
  };
  for (const event of log.slice()) feed(event);

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let fed = log.length;
  for (let i = 0; i < podCount; i++) {
    const deployment = Math.floor(i / REPLICAS);
    append({ type: 'ObjectCreated', data: { object: deploymentPod(deployment, i) }, metadata: meta('replicaset-controller') }, `Pod/default/web-${deployment}-${i}`);
    while (fed < log.length) feed(log[fed++]!);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const bound = state.podsByNode.size;
  if (bound === 0) throw new Error('no pod was scheduled');
  const rssMiB = peakRssMiB();
  const withDecisions = settledHeap();
  for (const event of log) if (event.type === 'PodScheduled' || event.type === 'PodUnschedulable') (event.data as { decision?: unknown }).decision = undefined;
  const decisionBytes = (withDecisions - settledHeap()) / podCount;
  return { pods: podCount, seconds, cpuSeconds, decisionsPerSecond: podCount / seconds, rssMiB, decisionBytes };
}

/** Heap in use after full collections (the flag is set at run time: the child is started without it). */
function settledHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function deploymentPod(deployment: number, index: number): KubeObject {
  const rs = `web-${deployment}-5d8f7b`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${deployment}-${index}`,
      namespace: 'default',
      uid: `pod-${index}`,
      labels: { app: `web-${deployment}`, 'pod-template-hash': '5d8f7b' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${deployment}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
      schedulerName: 'default-scheduler',
    },
    status: { phase: 'Pending' },
  };
}

interface EndToEndRow {
  /** Pods created and Running before the measured ones (scheduler_perf's initPods). */
  initPods: number;
  pods: number;
  /** Pods Running when the run ended: all of them, unless it ran out of its wall-time or heap budget. */
  running: number;
  stoppedBecause?: string;
  seconds: number;
  cpuSeconds: number;
  schedulerSeconds: number;
  events: number;
  rssMiB: number;
}

/** Wraps a controller to add up the wall time spent inside it (its outputs are synchronous). */
/**
 * The controller with the wall time spent in its handler added to `spent`. Its handler stays
 * the engine's direct call (reconcileEach), and its declared interest stays, as in the product:
 * timing through a Subject of its own would add RxJS dispatch per event to what is measured.
 */
function timed(controller: Controller, spent: { ms: number }): Controller {
  return {
    ...controller,
    reconcile: (input$) => {
      const inner = controller.reconcile(input$);
      const handle = reconcileHandler(inner, input$);
      if (!handle) throw new Error(`${controller.name} does not reconcile through reconcileEach`);
      const timedHandle = (input: ReconcileInput) => {
        const started = performance.now();
        try {
          return handle(input);
        } finally {
          spent.ms += performance.now() - started;
        }
      };
      return input$.pipe(reconcileEach(timedHandle, reconcileIdleWork(inner, input$)));
    },
  };
}

async function endToEnd(initPods: number, podCount: number): Promise<EndToEndRow> {
  const spent = { ms: 0 };
  const controllers = defaultControllers({
    scheduler: schedulerOptions,
    ...(OLD_PATHS ? { replicaSet: { foldStatusWrites: false } } : {}),
    ...(OLD_KUBELET ? { kubelet: { mergeStatusWrites: false } } : {}),
  }).map((c) => (c.name === 'scheduler' ? timed(c, spent) : c));
  const cluster = await createSimulatedCluster({ seed: 1, nodes: NODES, controllers });
  await cluster.run(30_000);
  const countRunning = () => {
    let count = 0;
    for (const pod of cluster.state.objects.get('Pod')?.values() ?? []) if (pod.status?.phase === 'Running') count++;
    return count;
  };
  for (let d = 0; d < initPods / REPLICAS; d++) {
    await cluster.writePath.execute({ type: 'create', actor: 'user:bench', object: deploymentManifest(`init-${d}`) });
  }
  for (let step = 0; countRunning() < initPods; step++) {
    if (step >= 600) throw new Error(`the ${initPods} initial pods were not Running after 10 virtual minutes`);
    await cluster.run(1_000);
  }
  spent.ms = 0;
  const startPosition = cluster.state.position;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let d = 0; d < podCount / REPLICAS; d++) {
    await cluster.writePath.execute({ type: 'create', actor: 'user:bench', object: deploymentManifest(`web-${d}`) });
  }
  let running = 0;
  let stoppedBecause: string | undefined;
  for (let step = 0; running < podCount; step++) {
    await cluster.run(1_000);
    running = countRunning() - initPods;
    if (step >= 600) stoppedBecause = '10 virtual minutes';
    else if (performance.now() - started > BUDGET_SECONDS * 1000) stoppedBecause = `${BUDGET_SECONDS} s of wall time`;
    else if (process.memoryUsage().heapUsed > HEAP_BUDGET_BYTES) stoppedBecause = `${(HEAP_BUDGET_BYTES / 2 ** 30).toFixed(1)} GiB of heap`;
    if (stoppedBecause && running < podCount) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const row: EndToEndRow = {
    initPods,
    pods: podCount,
    running,
    ...(running < podCount && stoppedBecause ? { stoppedBecause } : {}),
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    schedulerSeconds: spent.ms / 1000,
    events: cluster.state.position - startPosition,
    rssMiB: peakRssMiB(),
  };
  await cluster.close();
  return row;
}

function deploymentManifest(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

const mode = process.env.BENCH_MODE ?? 'both'; // wall-clock-ok (bench)
const child = process.env.BENCH_CHILD; // wall-clock-ok (bench)

/**
 * Each run goes in a process of its own, so that its peak RSS is its own: the parent re-runs this
 * file with BENCH_CHILD=<kind>:[<initial pods>+]<pods> and reads the row back from the last line of its output.
 * The parent watches the child's resident set and CPU time (from /proc) and stops it past
 * RSS_BUDGET_MIB or the time budget: the engine settles a burst of work in one go without
 * yielding to timers, so the run's own checks between virtual seconds cannot stop it mid-burst.
 */
async function inChild<T>(kind: 'e2e' | 'alone', pods: number, initPods = 0): Promise<T | { failed: string }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const started = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, join(here, '..', 'bin', 'run-ts.js'), fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD: `${kind}:${initPods}+${pods}` }, // wall-clock-ok (bench)
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  let peakMiB = 0;
  let cpuSeconds = 0;
  let stopped: string | undefined;
  const watch = setInterval(() => {
    const usage = procUsage(child.pid!);
    if (!usage) return;
    peakMiB = Math.max(peakMiB, usage.rssMiB);
    cpuSeconds = usage.cpuSeconds;
    const seconds = (performance.now() - started) / 1000;
    if (usage.rssMiB > RSS_BUDGET_MIB) stopped = `past ${RSS_BUDGET_MIB.toLocaleString('en')} MiB RSS`;
    else if (seconds > BUDGET_SECONDS + 300) stopped = `after ${BUDGET_SECONDS + 300} s`;
    if (stopped) {
      stopped += ` (stopped after ${seconds.toFixed(0)} s, cpu ${cpuSeconds.toFixed(0)} s)`;
      child.kill('SIGKILL');
    }
  }, 500);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearInterval(watch);
  const last = stdout.trim().split('\n').pop() ?? '';
  if (status !== 0 || !last.startsWith('{')) {
    if (stopped) return { failed: stopped };
    const heap = /heap out of memory/i.test(stdout) || signal === 'SIGABRT' || status === 134;
    return { failed: heap ? 'ran out of heap (4 GiB)' : `failed (exit ${status ?? signal})` };
  }
  return JSON.parse(last) as T;
}

/** A process's resident set and CPU time, from /proc (Linux); undefined once it is gone. */
function procUsage(pid: number): { rssMiB: number; cpuSeconds: number } | undefined {
  try {
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return { rssMiB: rssKiB / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return undefined;
  }
}

if (child) {
  const [kind, counts] = child.split(':');
  const [initPods, pods] = counts!.includes('+') ? counts!.split('+').map(Number) : [0, Number(counts)];
  const row = kind === 'e2e' ? await endToEnd(initPods!, pods!) : schedulerAlone(pods!);
  console.log(JSON.stringify(row));
  process.exit(0);
}

const endToEndRows: EndToEndRow[] = [];
if (mode !== 'alone') {
  for (const { init, pods } of END_TO_END_RUNS) {
    const outcome = await inChild<EndToEndRow>('e2e', pods, init);
    const row: EndToEndRow =
      'failed' in outcome ? { initPods: init, pods, running: 0, stoppedBecause: outcome.failed, seconds: Number.NaN, cpuSeconds: Number.NaN, schedulerSeconds: Number.NaN, events: 0, rssMiB: Number.NaN } : outcome;
    endToEndRows.push(row);
    if (!Number.isFinite(row.seconds)) {
      console.log(`end to end: ${pods} pods did not finish: ${row.stoppedBecause}`);
      continue;
    }
    console.log(
      `end to end: ${init ? `${init} pods Running, then ` : ''}${row.running}/${pods} pods Running${row.stoppedBecause ? ` (stopped after ${row.stoppedBecause})` : ''} on ${NODES} nodes in ${row.seconds.toFixed(2)} s (cpu ${row.cpuSeconds.toFixed(2)} s), ` +
        `${formatRate(row.running / row.seconds)} pods, scheduler ${row.schedulerSeconds.toFixed(2)} s (${formatRate(row.pods / row.schedulerSeconds)} decisions), ` +
        `${row.events} events (${(row.events / pods).toFixed(2)} per pod), peak RSS ${row.rssMiB.toFixed(0)} MiB`,
    );
  }
}

const rows: Row[] = [];
for (const pods of mode === 'e2e' ? [] : RUNS) {
  const outcome = await inChild<Row>('alone', pods);
  if ('failed' in outcome) {
    console.log(`scheduler alone: ${pods} pods ${outcome.failed}`);
    continue;
  }
  const row = outcome;
  rows.push(row);
  console.log(
    `scheduler alone: ${pods} pods on ${NODES} nodes in ${row.seconds.toFixed(2)} s (cpu ${row.cpuSeconds.toFixed(2)} s), ${formatRate(row.decisionsPerSecond)} decisions, peak RSS ${row.rssMiB.toFixed(0)} MiB, ${row.decisionBytes.toFixed(0)} B of heap per decision`,
  );
}

recordBenchmark(
  'scheduler',
  `Scheduler: ${NODES.toLocaleString('en')} nodes, Deployments of ${REPLICAS} replicas`,
  [
    '### End to end',
    '',
    `Deployments of ${REPLICAS} replicas (10m cpu, 16Mi each) created at once on a simulated cluster of ${NODES.toLocaleString('en')} Ready nodes, in simulation mode with every built-in controller and the in-memory log, until every pod is Running. "Already Running": pods created and Running before the measured ones, in the same process. The 1,000 + 10,000 row is the shape of the anchor, kube-scheduler's scheduler_perf \`SchedulingBasic/5000Nodes_10000Pods\` (threshold 680 pods/s), which schedules 1,000 initial pods before measuring 10,000; the rows with none start measuring at the process's first pod, so they include V8 compiling the code. "Scheduler" is the wall time spent inside the scheduler controller. Targets: ≥ 8,000 pods/s to Running, 150,000 Running in < 30 s, peak RSS < 2 GiB.`,
    '',
    endToEndRows.length === 0
      ? '_not run (BENCH_MODE=alone)_'
      : table(
          ['pods', 'already Running', 'Running', 'time (cpu)', 'pods/s to Running', 'scheduler time', 'decisions/s', 'events (per pod)', 'peak RSS'],
          endToEndRows.map((r) =>
            Number.isFinite(r.seconds)
              ? [
                  r.pods.toLocaleString('en'),
                  r.initPods ? r.initPods.toLocaleString('en') : 'none (cold process)',
                  `${r.running.toLocaleString('en')}${r.stoppedBecause ? ` (stopped: ${r.stoppedBecause})` : ''}`,
                  `${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(1)} s)`,
                  formatRate(r.running / r.seconds),
                  `${r.schedulerSeconds.toFixed(1)} s`,
                  formatRate(r.pods / r.schedulerSeconds),
                  `${r.events.toLocaleString('en')} (${(r.events / r.pods).toFixed(2)})`,
                  `${r.rssMiB.toFixed(0)} MiB`,
                ]
              : [r.pods.toLocaleString('en'), r.initPods.toLocaleString('en'), `did not finish: ${r.stoppedBecause}`, '—', '—', '—', '—', '—', '—'],
          ),
        ),
    '',
    '### Scheduler alone',
    '',
    'The scheduler controller over a prepared state (no write path, no other controllers): each pod creation is fed to it and its PodScheduled event applied back and fed again. Every event, with its recorded decision (the verdict table of every evaluated node), is kept as the in-memory log would keep it; "heap per decision" is what those decisions hold (measured by dropping them at the end). Anchor: kube-scheduler\'s scheduler_perf reaches 680–810 pods/s at 5,000 nodes.',
    '',
    rows.length === 0
      ? '_not run (BENCH_MODE=e2e)_'
      : table(
          ['pods', 'time (cpu)', 'decisions/s', 'cpu per decision', 'peak RSS', 'heap per decision'],
          rows.map((r) => [
            r.pods.toLocaleString('en'),
            `${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} s)`,
            formatRate(r.decisionsPerSecond),
            `${((r.cpuSeconds / r.pods) * 1e6).toFixed(0)} µs`,
            `${r.rssMiB.toFixed(0)} MiB`,
            `${r.decisionBytes.toFixed(0)} B`,
          ]),
        ),
    '',
    `Load average when the runs ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores (wall times stretch with it; CPU times in parentheses stretch less).`,
    '',
    ...(OLD_PATHS ? ['**BENCH_OLD=1: the ReplicaSet controller writes status at every pod (the path replaced on 2026-11-23), for comparison.**', ''] : []),
    ...(OLD_KUBELET ? ['**The kubelet writes one event per status change (phase and each container apart: the path replaced on 2026-11-23), for comparison.**', ''] : []),
    `Scheduler options: ${JSON.stringify(schedulerOptions)} (empty = defaults: adaptive percentageOfNodesToScore, which evaluates 10% = 500 nodes per pod at 5,000 nodes; every evaluated node's verdict recorded in the decision's verdict table).`,
  ].join('\n'),
);
