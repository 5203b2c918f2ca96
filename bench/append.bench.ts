// Durable append throughput of the embedded log, side by side with a raw write + fdatasync loop over
// the same bytes (the physical limit of this disk), and the time to open a million-event log.
import { closeSync, constants, fdatasync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, write, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../core/events.ts';
import { createEmbeddedStore, type EmbeddedStoreOptions, LOG_FILE_NAME } from '../core/store/embedded/embedded-store.ts';
import { LOG_MAGIC, encodeRecord, maxRecordBytes, prepareEvents } from '../core/store/embedded/record-format.ts';
import { formatRate, peakRssMiB, recordBenchmark, table } from './harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const BATCHES = [1, 10, 100, 1000];
const CONCURRENCY = [1, 16, 256];
const READ_BACK = 100_000;
const root = mkdtempSync(join(tmpdir(), 'orrery-append-bench-'));
let dirs = 0;

/** A ~300-byte event, the size of a typical status fact. */
function benchEvent(i: number): NewEvent {
  return {
    type: 'PodPhaseChanged',
    data: {
      ref: { apiVersion: 'v1', kind: 'Pod', namespace: 'bench', name: `web-7d4b9c8f6d-${(i % 100000).toString(36).padStart(5, 'x')}`, uid: '3f0e2a52-4c1b-4d6e-9a8f-1b2c3d4e5f60' },
      phase: 'Running',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      hostIP: '172.18.0.2',
    },
    metadata: { actor: 'kubelet/node-0001', causationId: i, correlationId: 'c0ffee00-0000-4000-8000-000000000000', time: 1_763_856_000_000 + i },
  } as NewEvent;
}
const EVENT_BYTES = Buffer.byteLength(JSON.stringify(benchEvent(123456)));

function batchOf(size: number, seed: number): NewEvent[] {
  return Array.from({ length: size }, (_, i) => benchEvent(seed + i));
}

/** Durable events per wall-clock second, and the process's CPU time per event (which the machine's load does not inflate). */
async function storeRun(batch: number, concurrency: number, options: EmbeddedStoreOptions = {}): Promise<{ rate: number; cpuMicros: number }> {
  const dir = join(root, `s${dirs++}`);
  const store = await createEmbeddedStore(dir, options);
  const events = batchOf(batch, 0);
  let acknowledged = 0;
  let stop = false;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const worker = async (w: number) => {
    for (let n = 0; !stop; n++) {
      await store.append(`Pod/bench/w${w}-${n % 8}`, events);
      acknowledged += batch;
    }
  };
  const timer = setTimeout(() => (stop = true), SECONDS * 1000);
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearTimeout(timer);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rate: acknowledged / elapsed, cpuMicros: (cpu.user + cpu.system) / acknowledged };
}

/**
 * The physical limit: one durable write per batch of the very bytes the log writes, nothing else:
 * `write` + `fdatasync`, and `write` on an O_DSYNC file, each with blocking calls and through
 * libuv's thread pool; the fastest of the four counts.
 */
async function rawRun(batch: number): Promise<number> {
  const prepared = prepareEvents(batchOf(batch, 0));
  const bytes = Buffer.allocUnsafe(maxRecordBytes('Pod/bench/w0-0', prepared));
  const length = encodeRecord(bytes, 0, 'Pod/bench/w0-0', 1, 0, prepared);
  // On an O_DSYNC file each write is already durable: those loops write only (`syncEach` false).
  const blocking = (syncEach: boolean) => (fd: number) => {
    let written = 0;
    const started = performance.now();
    while (performance.now() - started < (SECONDS * 1000) / 2) {
      writeSync(fd, bytes, 0, length, written * length);
      if (syncEach) fdatasyncSync(fd);
      written++;
    }
    return (written * batch) / ((performance.now() - started) / 1000);
  };
  const threadPool = (syncEach: boolean) => async (fd: number) => {
    let written = 0;
    const started = performance.now();
    while (performance.now() - started < (SECONDS * 1000) / 2) {
      await new Promise<void>((resolve, reject) =>
        write(fd, bytes, 0, length, written * length, (error) => (error ? reject(error) : syncEach ? fdatasync(fd, (e) => (e ? reject(e) : resolve())) : resolve())),
      );
      written++;
    }
    return (written * batch) / ((performance.now() - started) / 1000);
  };
  const plain = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
  const rates: number[] = [];
  for (const [loop, flags] of [
    [blocking(true), plain],
    [threadPool(true), plain],
    [blocking(false), plain | constants.O_DSYNC],
    [threadPool(false), plain | constants.O_DSYNC],
  ] as const) {
    const file = join(root, `raw${dirs++}`);
    const fd = openSync(file, flags, 0o644);
    rates.push(await loop(fd));
    closeSync(fd);
    rmSync(file);
  }
  return Math.max(...rates);
}

/** Writes a log of `count` one-event appends directly (no fsync per record), then times opening it. */
async function openRun(count: number): Promise<{ openMs: number; openCpuMs: number; heapMiB: number; readAllMs: number; fileMiB: number }> {
  const dir = join(root, `open${dirs++}`);
  const store = await createEmbeddedStore(dir);
  await store.close();
  const fd = openSync(join(dir, LOG_FILE_NAME), 'w');
  writeSync(fd, LOG_MAGIC);
  const chunk = Buffer.allocUnsafe(16 << 20);
  let used = 0;
  let fileBytes = LOG_MAGIC.length;
  const revisions = new Map<string, number>();
  for (let position = 1; position <= count; position++) {
    const stream = `Pod/bench/p${position % 10000}`;
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    const prepared = prepareEvents([benchEvent(position)]);
    if (used + maxRecordBytes(stream, prepared) > chunk.length) {
      writeSync(fd, chunk, 0, used);
      fileBytes += used;
      used = 0;
    }
    used += encodeRecord(chunk, used, stream, position, revision, prepared);
  }
  writeSync(fd, chunk, 0, used);
  fileBytes += used;
  closeSync(fd);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const opened = await createEmbeddedStore(dir);
  const openMs = performance.now() - started;
  const openCpu = process.cpuUsage(cpuBefore);
  const openCpuMs = (openCpu.user + openCpu.system) / 1000;
  globalThis.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if ((await opened.head()) !== count) throw new Error('open lost events');
  const readStarted = performance.now();
  let read = 0;
  for await (const _ of opened.readAll(count / 2, count / 2 + READ_BACK)) read++;
  const readAllMs = performance.now() - readStarted;
  if (read !== READ_BACK) throw new Error('readAll lost events');
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
  return { openMs, openCpuMs, heapMiB, readAllMs, fileMiB: fileBytes / 2 ** 20 };
}

/** How busy this machine was: CPU pressure (share of time some task waited for a CPU) and a fixed JS loop's time. */
function cpuLoad(): string {
  let pressure = 'unavailable';
  try {
    pressure = `${/avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? '?'} %`;
  } catch {}
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < 20_000_000; i++) sum += i & 7;
  if (sum < 0) console.log(sum);
  return `CPU pressure (avg60) ${pressure}; a 20M-iteration JS loop took ${(performance.now() - started).toFixed(0)} ms`;
}

const rows: Array<Array<string | number>> = [];
let best = 0;
const bestRatio: Record<number, number> = {};
for (const batch of BATCHES) {
  // Best of two runs, for the raw loop and for each configuration of the log alike: one 1.5 s run
  // of either varies by up to a fifth from run to run on these machines.
  const raw = Math.max(await rawRun(batch), await rawRun(batch));
  for (const concurrency of CONCURRENCY) {
    const runs = [await storeRun(batch, concurrency), await storeRun(batch, concurrency)];
    const rate = Math.max(...runs.map((run) => run.rate));
    const cpuMicros = Math.min(...runs.map((run) => run.cpuMicros));
    const ratio = rate / raw;
    best = Math.max(best, rate);
    bestRatio[batch] = Math.max(bestRatio[batch] ?? 0, ratio);
    rows.push([batch, concurrency, formatRate(rate), formatRate(raw), `${(ratio * 100).toFixed(0)} %`, cpuMicros.toFixed(1)]);
    console.log(`batch ${batch} × ${concurrency} in flight: ${formatRate(rate)} (raw ${formatRate(raw)}, ${(ratio * 100).toFixed(0)} %)`);
  }
}
const fdatasyncRows: Array<Array<string | number>> = [];
for (const batch of BATCHES) {
  const { rate, cpuMicros } = await storeRun(batch, 256, { sync: 'fdatasync' });
  fdatasyncRows.push([batch, 256, formatRate(rate), cpuMicros.toFixed(1)]);
  console.log(`fdatasync batch ${batch} × 256 in flight: ${formatRate(rate)}`);
}
// Side by side in this run: record format 1 (the envelope as JSON, as logs were written before
// format 2) against today's format 2, everything else equal.
const formatRows: Array<Array<string | number>> = [];
for (const batch of [10, 100, 1000]) {
  const runs = { 1: [] as Array<{ rate: number; cpuMicros: number }>, 2: [] as Array<{ rate: number; cpuMicros: number }> };
  for (let i = 0; i < 2; i++) for (const format of [1, 2] as const) runs[format].push(await storeRun(batch, 16, { recordFormat: format }));
  const cpu = (format: 1 | 2) => Math.min(...runs[format].map((r) => r.cpuMicros));
  const rate = (format: 1 | 2) => Math.max(...runs[format].map((r) => r.rate));
  formatRows.push([batch, 16, formatRate(rate(1)), formatRate(rate(2)), cpu(1).toFixed(2), cpu(2).toFixed(2), `${(cpu(1) / cpu(2)).toFixed(2)} ×`]);
  console.log(`format 1 vs 2, batch ${batch} × 16: CPU ${cpu(1).toFixed(2)} vs ${cpu(2).toFixed(2)} µs per event`);
}
// Side by side in this run: one commit on its way to disk at a time (as before 2026-11-23) against
// the default, where a burst may hand the disk further commits while it is still being encoded.
const inFlightRows: Array<Array<string | number>> = [];
for (const batch of [100, 1000]) {
  for (const concurrency of [16, 256]) {
    const runs = { 1: [] as Array<{ rate: number; cpuMicros: number }>, 4: [] as Array<{ rate: number; cpuMicros: number }> };
    for (let i = 0; i < 2; i++) for (const commitsInFlight of [1, 4] as const) runs[commitsInFlight].push(await storeRun(batch, concurrency, { commitsInFlight }));
    const rate = (n: 1 | 4) => Math.max(...runs[n].map((r) => r.rate));
    const cpu = (n: 1 | 4) => Math.min(...runs[n].map((r) => r.cpuMicros));
    const raw = await rawRun(batch);
    inFlightRows.push([batch, concurrency, formatRate(rate(1)), formatRate(rate(4)), `${((rate(4) / rate(1) - 1) * 100).toFixed(0)} %`, formatRate(raw), `${((rate(4) / raw) * 100).toFixed(0)} %`, cpu(1).toFixed(2), cpu(4).toFixed(2)]);
    console.log(`commits in flight 1 vs 4, batch ${batch} × ${concurrency}: ${formatRate(rate(1))} vs ${formatRate(rate(4))} (raw ${formatRate(raw)})`);
  }
}
const open = await openRun(1_000_000);
const load = cpuLoad();
console.log(`open 1M-event log: ${open.openMs.toFixed(0)} ms, index ${open.heapMiB.toFixed(0)} MiB; readAll ${open.readAllMs.toFixed(0)} ms`);
rmSync(root, { recursive: true, force: true });

recordBenchmark(
  'append',
  'Embedded log: durable appends',
  `Machine load while measuring: ${load}.

Events of ${EVENT_BYTES} bytes of JSON; each configuration runs ${SECONDS} s on a fresh log, twice (the best run counts, as for the raw loop), opened as by default (O_DSYNC: each commit is one write that returns once durable). "Raw" is a loop of one durable write per batch of the same encoded bytes, nothing else (the fastest of \`write\` + \`fdatasync\` and \`write\` on an O_DSYNC file, each as a blocking loop and a thread-pool loop, best of two rounds), measured in the same run: the physical limit at that batch size. The log's group commit merges the appends in flight into one durable write, so with many in flight it can pass the raw loop at the same batch size.

${table(['events per append', 'appends in flight', 'durable events/s', 'raw durable write events/s', 'log / raw', 'CPU µs per event'], rows)}

"CPU µs per event" is the benchmark process's CPU time (user + system, including the I/O threads) divided by the events appended: what the log costs whatever else runs on the machine. Its inverse bounds the throughput a free core could reach where the disk is not the limit.

Best: **${formatRate(best)}** durable events/s. Best ratio to the raw loop per batch size: ${BATCHES.map((b) => `${b}: ${(bestRatio[b]! * 100).toFixed(0)} %`).join(', ')}.

Record format 1 (the whole envelope as JSON) against format 2 (binary envelope, only \`data\` as JSON: core/store/embedded/record-format.ts), alternating, best of two runs each:

${table(['events per append', 'appends in flight', 'format 1 events/s', 'format 2 events/s', 'format 1 CPU µs per event', 'format 2 CPU µs per event', 'format 1 CPU / format 2 CPU'], formatRows)}

Commits on their way to disk at once (\`commitsInFlight\`, core/store/embedded/embedded-store.ts): 1, as before 2026-11-23, against the default 4 (a burst that queues 256 KiB while commits are in flight hands the disk another, so the disk writes and syncs while the rest of the burst is encoded), alternating, best of two runs each, raw loop measured right after:

${table(['events per append', 'appends in flight', '1 commit: events/s', '4 commits: events/s', 'gain', 'raw durable write events/s', '4 commits / raw', '1 commit CPU µs per event', '4 commits CPU µs per event'], inFlightRows)}

With \`sync: 'fdatasync'\` (write, then fdatasync, per commit: the default before 2026-11-23), in the same run:

${table(['events per append', 'appends in flight', 'durable events/s', 'CPU µs per event'], fdatasyncRows)}

Opening a log of 1,000,000 one-event appends (${open.fileMiB.toFixed(0)} MiB, 10,000 streams): **${open.openMs.toFixed(0)} ms** wall clock, ${open.openCpuMs.toFixed(0)} ms of CPU (CRC-checks every record, rebuilds the stream and position index from record headers; the index adds ${open.heapMiB.toFixed(0)} MiB of heap). Reading ${READ_BACK.toLocaleString('en')} events back from the middle with \`readAll(from, to)\`: ${open.readAllMs.toFixed(0)} ms (${formatRate(READ_BACK / (open.readAllMs / 1000))}). Peak RSS of the whole benchmark: ${peakRssMiB().toFixed(0)} MiB.`,
);
