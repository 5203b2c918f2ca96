import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../core/events.ts';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import { createPrng, hashSeed } from '../core/prng.ts';
import { type OpenSource, ReplayService } from '../replay/service/replay-service.ts';
import type { ReplaySession } from '../replay/service/session.ts';
import { DEFAULT_SNAPSHOT_INTERVAL } from '../replay/service/timeline.ts';
import { peakRssMiB, percentile, recordBenchmark, table } from './harness.ts';
import { cachedSyntheticLog } from './synthetic-cluster-log.ts';
import { writeSnapshot } from '../projections/state/snapshot-files.ts';

/**
 * The replay service on a 1,000,000-event recording (bench/synthetic-cluster-log.ts: 1,000 nodes
 * heartbeating, 200 deployments × 20 pods with rolling churn). Targets: open < 2 s, seek p99 < 50 ms,
 * step back < 5 ms. A seek or step is measured until the state at the new cursor is materialised
 * (what any read at the cursor needs), not just the cursor move.
 */
const EVENTS = Number(process.env.ORRERY_BENCH_EVENTS ?? 1_000_000);
const SAMPLES = 1000;
const gc = (globalThis as { gc?: () => void }).gc;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function timed<T>(run: () => T): { result: T; wallMs: number; cpuMs: number } {
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = run();
  const used = process.cpuUsage(cpu);
  return { result, wallMs: ms(start), cpuMs: (used.user + used.system) / 1000 };
}

console.log(`replay: preparing a ${EVENTS.toLocaleString('en')}-event log`);
const dir = await cachedSyntheticLog(EVENTS);

interface DirOpen {
  answersMs: number;
  cursorStateMs: number;
  loadedMs: number;
  indexedMs: number;
}

/** Opening a log directory as the server does (lazily, background indexing), timed to each milestone; `then` sees the indexed session before it is closed. */
async function openTimed(source: OpenSource, then?: (session: ReplaySession) => void): Promise<DirOpen> {
  gc?.();
  const service = new ReplayService();
  const start = process.hrtime.bigint();
  const session = await service.open(source);
  const answersMs = ms(start);
  // What the UI asks first: the state at the cursor (the end of the recording).
  (await service.get(session.id)).stateAt();
  const cursorStateMs = ms(start);
  await session.timeline.loaded;
  const loadedMs = ms(start);
  await session.timeline.indexed;
  const indexedMs = ms(start);
  then?.(session);
  service.delete(session.id);
  await session.timeline.close();
  return { answersMs, cursorStateMs, loadedMs, indexedMs };
}

// A server's data directory holds its log and its newest snapshots (api/server/serve.ts writes one
// every so many events): first without one, then with the one a server would have written at the end.
const serverDir = mkdtempSync(join(tmpdir(), 'orrery-replay-bench-dir-'));
for (const name of ['events.log', 'events.idx']) copyFileSync(join(dir, name), join(serverDir, name));
const describeOpen = (t: DirOpen) => `answers ${t.answersMs.toFixed(0)} ms, state at the cursor ${t.cursorStateMs.toFixed(0)} ms, loaded ${t.loadedMs.toFixed(0)} ms, indexed ${t.indexedMs.toFixed(0)} ms`;
const noSnapshot = await openTimed({ type: 'dir', path: serverDir }, (session) => writeSnapshot(serverDir, session.timeline.stateAt(session.head)));
console.log(`  open a log directory with no snapshot: ${describeOpen(noSnapshot)}`);
const withSnapshot = await openTimed({ type: 'dir', path: serverDir });
console.log(`  open a server's data directory (snapshot at the end): ${describeOpen(withSnapshot)}`);
rmSync(serverDir, { recursive: true, force: true });
const dirRow = (label: string, t: DirOpen, target: string) => [label, `${t.answersMs.toFixed(0)} ms`, `${t.cursorStateMs.toFixed(0)} ms`, `${t.loadedMs.toFixed(0)} ms`, `${t.indexedMs.toFixed(0)} ms`, target];

// Reading the embedded log into memory (what opening a `dir` recording does before indexing).
gc?.();
const readStart = process.hrtime.bigint();
const readCpu = process.cpuUsage();
const store = await createEmbeddedStore(dir);
const events: StoredEvent[] = [];
for await (const event of store.readAll(0)) events.push(event);
await store.close();
const readMs = ms(readStart);
const readCpuMs = (process.cpuUsage(readCpu).user + process.cpuUsage(readCpu).system) / 1000;
console.log(`  read ${events.length.toLocaleString('en')} events from the embedded log in ${readMs.toFixed(0)} ms`);

// Indexing the whole recording: every event applied once, a snapshot every K events.
const indexedRun = (() => {
  const eager = new ReplayService({ indexing: 'eager' });
  const run = timed(() => eager.openEvents(events, { type: 'events' }).id);
  eager.delete(run.result);
  return { wallMs: run.wallMs, cpuMs: run.cpuMs };
})();
console.log(`  index the whole recording (eager): ${indexedRun.wallMs.toFixed(0)} ms wall, ${indexedRun.cpuMs.toFixed(0)} ms CPU`);

interface Moves {
  seeks: Sample[];
  stepsBack: Sample[];
  heldBack: Sample[];
  stepsForward: Sample[];
}
interface Sample {
  wallMs: number;
  cpuMs: number;
}
interface MovableSession {
  seek(target: { position: number }): unknown;
  step(count: number): unknown;
  stateAt(): { position: number };
}

function sample(run: () => void): Sample {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
  const used = process.cpuUsage(cpu);
  return { wallMs: ms(start), cpuMs: (used.user + used.system) / 1000 };
}

/** Seeks and steps, each timed until the state at the new cursor is materialised. Same positions for every session measured. */
function measureMoves(session: MovableSession, head: number): Moves {
  const prng = createPrng(hashSeed('replay-bench'));
  const seeks: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const target = 1 + prng.int(head);
    let position = -1;
    seeks.push(
      sample(() => {
        session.seek({ position: target });
        position = session.stateAt().position;
      }),
    );
    if (position !== target) throw new Error(`seek landed at ${position}, not ${target}`);
  }
  // Step back one event from random positions (the state at the previous position materialised).
  const stepsBack: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    session.seek({ position: 2 + prng.int(head - 1) });
    session.stateAt();
    stepsBack.push(sample(() => (session.step(-1), session.stateAt())));
  }
  // Steps back in a row, as a user holding the key does.
  const heldBack: Sample[] = [];
  session.seek({ position: Math.floor(head / 2) + 777 });
  session.stateAt();
  for (let i = 0; i < SAMPLES; i++) heldBack.push(sample(() => (session.step(-1), session.stateAt())));
  const stepsForward: Sample[] = [];
  session.seek({ position: Math.floor(head / 3) });
  session.stateAt();
  for (let i = 0; i < SAMPLES; i++) stepsForward.push(sample(() => (session.step(1), session.stateAt())));
  return { seeks, stepsBack, heldBack, stepsForward };
}

// The code before this change, measured in this same process for a side-by-side comparison: a
// checkout of an older commit (ORRERY_REPLAY_BASELINE=<its directory>) over the same events and
// positions, measured first and dropped before the current code opens the recording.
async function measureBaseline(dir: string): Promise<{ moves: Moves; heapMiB: number; commit: string }> {
  const { ReplayService: BaselineService } = (await import(join(dir, 'replay/service/replay-service.ts'))) as { ReplayService: typeof ReplayService };
  const commit = (await import('node:child_process')).execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const before = new BaselineService();
  const old = before.openEvents(events, { type: 'events' });
  await old.timeline.indexed;
  gc?.();
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(`  baseline ${commit}: indexed, heap ${heapMiB.toFixed(0)} MiB; measuring`);
  const moves = measureMoves(old, events.length);
  before.delete(old.id);
  return { moves, heapMiB, commit };
}
const baselineDir = process.env.ORRERY_REPLAY_BASELINE;
const baseline = baselineDir ? await measureBaseline(baselineDir) : undefined;
gc?.();

// Opening events already in memory as the server does (usable at once, indexing in the background),
// seeks and steps, then export. In a function, so that nothing of it stays alive for the file's open.
const fileDir = mkdtempSync(join(tmpdir(), 'orrery-replay-bench-'));
const file = join(fileDir, 'recording.orrec');
async function measureInMemory() {
  const service = new ReplayService();
  const opened = timed(() => service.openEvents(events, { type: 'events' }));
  const session = opened.result;
  const backgroundStart = process.hrtime.bigint();
  await session.timeline.indexed;
  const backgroundMs = ms(backgroundStart) + opened.wallMs;
  console.log(`  open (background indexing): ${opened.wallMs.toFixed(1)} ms to a usable session, fully indexed after ${backgroundMs.toFixed(0)} ms`);
  gc?.();
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const moves = measureMoves(session, events.length);
  gc?.();
  const heapAfterMovesMiB = process.memoryUsage().heapUsed / 2 ** 20;
  // Export as `orrery replay DIR export` does: the events in blocks and the state at the end.
  const exportStart = process.hrtime.bigint();
  writeFileSync(file, service.export(session));
  const exportMs = ms(exportStart);
  service.delete(session.id);
  return { openedMs: opened.wallMs, backgroundMs, heapMiB, heapAfterMovesMiB, moves, exportMs };
}
const { openedMs, backgroundMs, heapMiB, heapAfterMovesMiB, moves, exportMs } = await measureInMemory();
const fileMiB = statSync(file).size / 2 ** 20;
const recordingHead = events.length;
events.length = 0;
gc?.();
const fileOpen = await openTimed({ type: 'file', path: file });
rmSync(fileDir, { recursive: true, force: true });
console.log(`  export ${exportMs.toFixed(0)} ms (${fileMiB.toFixed(0)} MiB), open the file: ${describeOpen(fileOpen)}`);

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const p = (samples: Sample[], key: keyof Sample, q: number) => percentile(sorted(samples.map((x) => x[key])), q).toFixed(2);
const row = (label: string, pick: (m: Moves) => Sample[], target: string) => {
  const mine = pick(moves);
  const s = sorted(mine.map((x) => x.wallMs));
  const cells = [label, SAMPLES, p(mine, 'wallMs', 50), p(mine, 'wallMs', 99), s.at(-1)!.toFixed(2), p(mine, 'cpuMs', 50), p(mine, 'cpuMs', 99)];
  if (baseline) {
    const old = pick(baseline.moves);
    cells.push(p(old, 'wallMs', 99), p(old, 'cpuMs', 99));
  }
  cells.push(target);
  return cells;
};
const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
const rows = [
  row('seek to a random position', (m) => m.seeks, 'p99 < 50 ms'),
  row('step back 1 event (random positions)', (m) => m.stepsBack, '< 5 ms'),
  row('step back 1 event, 1000 in a row', (m) => m.heldBack, '< 5 ms'),
  row('step forward 1 event', (m) => m.stepsForward, ''),
];
for (const r of rows) console.log(`  ${r[0]}: wall p50 ${r[2]} ms, p99 ${r[3]} ms, max ${r[4]} ms; CPU p50 ${r[5]} ms, p99 ${r[6]} ms${baseline ? `; baseline p99 ${r[7]} ms wall, ${r[8]} ms CPU` : ''}`);
const header = ['operation', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'CPU p50 ms', 'CPU p99 ms', ...(baseline ? [`before (${baseline.commit}): p99 ms`, 'before: CPU p99 ms'] : []), 'target'];

recordBenchmark(
  'replay',
  'Replay service on a 1M-event recording',
  `${recordingHead.toLocaleString('en')} events (bench/synthetic-cluster-log.ts: 1,000 nodes heartbeating every 10 s, 200 deployments × 20 pods with rolling churn). Snapshots every ${DEFAULT_SNAPSHOT_INTERVAL.toLocaleString('en')} events, in memory (shallow map copies: objects and index sets shared). Seeks and steps are timed until the state at the new cursor is materialised; CPU is the process's CPU time over the same interval (less sensitive to the machine's load than wall time). Load average while measuring: ${load} on ${(await import('node:os')).cpus().length} cores${Number(load) > (await import('node:os')).cpus().length ? ' (other work was running: wall times are pessimistic, CPU times less so)' : ''}.${baseline ? ` "Before" is commit ${baseline.commit} measured in the same process on the same events and positions, just before (heap with its snapshots: ${baseline.heapMiB.toFixed(0)} MiB).` : ''}

${table(header, rows)}

Opening, as the server does (background indexing), wall time to each milestone: the session answers; the state at its cursor (the end of the recording, what the UI shows first) is read; every event is in memory; every event has been applied once (snapshots built, any position a copy plus < ${DEFAULT_SNAPSHOT_INTERVAL} events away). A log directory is read lazily (core/store/embedded + replay/service/event-source.ts): the session answers at once, events load in the background, and reads before loading reaches them read blocks of the log directly. The seeks and steps above are on an indexed session: until indexing is done (last column), a seek to a position before the snapshot waits for the indexer to get there.

${table(['open', 'answers', 'state at the cursor', 'all loaded', 'indexed', 'target'], [
  dirRow("a server's data directory: the log and its newest snapshot (here at the last event), as `orrery serve` leaves it", withSnapshot, 'open < 2 s'),
  dirRow('a log directory with no snapshot (the state at the end waits for loading and indexing)', noSnapshot, ''),
  dirRow(`an exported recording file (${fileMiB.toFixed(0)} MiB: blocks of events and the state at the end, gzip)`, fileOpen, 'open < 2 s'),
  ['events already in memory (`openEvents`)', `${openedMs.toFixed(1)} ms`, '', '', `${backgroundMs.toFixed(0)} ms`, ''],
])}

Separately: reading and decoding the whole embedded log into memory ${readMs.toFixed(0)} ms (${readCpuMs.toFixed(0)} ms CPU); indexing every event eagerly ${indexedRun.wallMs.toFixed(0)} ms (${indexedRun.cpuMs.toFixed(0)} ms CPU).

Export to a recording file: ${exportMs.toFixed(0)} ms. Heap after open (events + snapshots): ${heapMiB.toFixed(0)} MiB (after the seeks: ${heapAfterMovesMiB.toFixed(0)} MiB); peak RSS of the benchmark: ${peakRssMiB().toFixed(0)} MiB.`,
);
