import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import { applyEvent, createClusterState } from '../projections/state/reducer.ts';
import { loadLatestSnapshot, restoreState, snapshotDirectory, writeSnapshot } from '../projections/state/snapshot-files.ts';
import { serializeState } from '../projections/state/snapshot.ts';
import { peakRssMiB, recordBenchmark, table } from './harness.ts';
import { cachedSyntheticLog } from './synthetic-cluster-log.ts';

/**
 * Time to serve-ready after a restart over a 1,000,000-event log: open the embedded log, load the
 * newest snapshot (`<dataDir>/snapshots/<position>.snap`) and apply the log's tail after it. Compared
 * with replaying the whole log, for tails of several lengths (a snapshot every 100,000 events leaves
 * at most that many to replay).
 */
const EVENTS = Number(process.env.ORRERY_BENCH_EVENTS ?? 1_000_000);
const TAILS = [0, 10_000, 100_000];
const RUNS = 3;
const gc = (globalThis as { gc?: () => void }).gc;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  gc?.();
  const start = process.hrtime.bigint();
  const result = await run();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

console.log(`startup: preparing a ${EVENTS.toLocaleString('en')}-event log`);
const logDir = await cachedSyntheticLog(EVENTS);
rmSync(snapshotDirectory(logDir), { recursive: true, force: true });
const head = await (async () => {
  const store = await createEmbeddedStore(logDir);
  const position = await store.head();
  await store.close();
  return position;
})();

// The states to snapshot, built once by replaying up to each cut.
const snapshotRows: Array<Array<string | number>> = [];
const dataDirs = new Map<number, string>();
{
  const store = await createEmbeddedStore(logDir);
  const state = createClusterState();
  const cuts = [...TAILS].map((tail) => head - tail).sort((a, b) => a - b);
  let next = 0;
  for await (const event of store.readAll(0)) {
    applyEvent(state, event);
    while (next < cuts.length && state.position === cuts[next]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'orrery-startup-'));
      const written = await timed(async () => writeSnapshot(dataDir, state));
      dataDirs.set(head - cuts[next]!, dataDir);
      snapshotRows.push([cuts[next]!.toLocaleString('en'), `${(written.result.bytes / 2 ** 20).toFixed(1)} MiB`, seconds(written.ms)]);
      next++;
    }
  }
  await store.close();
}

const openTimes: Record<'scan' | 'checkpoint', Array<{ ms: number; cpuMs: number }>> = { scan: [], checkpoint: [] };
async function serveReady(snapshotDir: string, indexCheckpoint = true, compacted = true) {
  const cpu = process.cpuUsage();
  const opened = await timed(() => createEmbeddedStore(logDir, { indexCheckpoint }));
  const used = process.cpuUsage(cpu);
  openTimes[indexCheckpoint ? 'checkpoint' : 'scan'].push({ ms: opened.ms, cpuMs: (used.user + used.system) / 1000 });
  const store = opened.result;
  const restored = await restoreState(store, snapshotDir, { compacted });
  await store.close();
  return restored;
}

const rows: Array<Array<string | number>> = [];
const emptyDir = mkdtempSync(join(tmpdir(), 'orrery-startup-'));
const starts = [...TAILS.map((tail) => [`snapshot + ${tail.toLocaleString('en')}-event tail`, dataDirs.get(tail)!] as const), ['no snapshot: the whole log', emptyDir] as const];
// Side by side, each start: the tail applied compacted (restoreState's default) and every event of it replayed.
const restoredStates = new Map<string, string>();
let compactedChecked = 0;
for (const [label, dir, compacted] of starts.flatMap(([start, dir]) => [[`${start}, compacted`, dir, true], [`${start}, every event replayed`, dir, false]] as const)) {
  const runs: number[] = [];
  let tailEvents = 0;
  // One plain full replay is enough to compare against (it is the rebuild benchmark's row).
  const runsHere = dir === emptyDir && !compacted ? 1 : RUNS;
  for (let run = 0; run < runsHere; run++) {
    const { result, ms } = await timed(() => serveReady(dir, true, compacted));
    if (result.state.position !== head) throw new Error(`restored to ${result.state.position}, log head ${head}`);
    tailEvents = result.tailEvents;
    runs.push(ms);
    if (run === 0) {
      // The two ways of applying the tail must give the same state, byte for byte.
      const serialized = serializeState(result.state).toString('latin1');
      const other = restoredStates.get(dir);
      if (other === undefined) restoredStates.set(dir, serialized);
      else if (other !== serialized) throw new Error(`${label}: the compacted and the plain restore differ`);
      else compactedChecked++;
    }
  }
  runs.sort((a, b) => a - b);
  const load = await timed(async () => loadLatestSnapshot(dir));
  rows.push([label, tailEvents.toLocaleString('en'), seconds(runs[0]!), seconds(runs[Math.floor(runs.length / 2)]!), load.result ? seconds(load.ms) : '–']);
  console.log(`  ${label}: best ${seconds(runs[0]!)}`);
}

// Side by side: the same restart with a full CRC scan of the log at open (no index checkpoint).
{
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) runs.push((await timed(() => serveReady(dataDirs.get(10_000)!, false))).ms);
  runs.sort((a, b) => a - b);
  rows.push(['snapshot + 10,000-event tail, full-scan open', '10,000', seconds(runs[0]!), seconds(runs[Math.floor(runs.length / 2)]!), '']);
}
const bestOpen = (runs: Array<{ ms: number; cpuMs: number }>) => `${seconds(Math.min(...runs.map((r) => r.ms)))} (${seconds(Math.min(...runs.map((r) => r.cpuMs)))} CPU)`;

for (const dir of [...dataDirs.values(), emptyDir]) rmSync(dir, { recursive: true, force: true });

recordBenchmark(
  'startup',
  'Startup to serve-ready from a 1M-event log',
  `Open the embedded log (${head.toLocaleString('en')} events, the rebuild benchmark's log), load the newest snapshot and apply the tail after it (\`restoreState\` in projections/state/snapshot-files.ts), the tail applied compacted (the default since 2026-11-23: only the events whose effect survives are read, see the rebuild section) or every event of it replayed, side by side. Best and median of ${RUNS} runs (one for the plain full replay). "events replayed" counts the tail's events, not those a compacted rebuild read. For each of the ${compactedChecked} starts, the compacted and the plain restore were checked to give the same state, byte for byte (serialised snapshot).

${table(['start from', 'events replayed', 'best', 'median', 'of which loading the snapshot'], rows)}

Opening the log alone, best wall (best CPU) over those runs: from the index checkpoint (\`events.idx\`, written on close; only records after it are CRC-scanned) ${bestOpen(openTimes.checkpoint)}; full CRC scan of every record ${bestOpen(openTimes.scan)}. Issue 6 target: open < 2 s.

Snapshots written (JSON state with a CRC-checked header, fsynced and renamed into place):

${table(['at position', 'size', 'write time'], snapshotRows)}

Peak RSS ${peakRssMiB().toFixed(0)} MiB. 1-minute load average when written: ${loadavg()[0]!.toFixed(1)}.`,
);
console.log('startup: written to BENCHMARKS.md');
