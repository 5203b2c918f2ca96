/**
 * Scenario runner benchmark (issue 7: "a 24-hour scenario over 100 nodes finishes in seconds"):
 * bench/scenarios/day-100-nodes.scenario.yaml run as `orrery scenario run` does — simulated on the
 * in-memory log with its assertions checked, then written as an embedded recording. Side by side,
 * one virtual hour with every node heartbeating at its own instant (heartbeatSlots 100, how the
 * kubelet beat before heartbeats were batched) against the default shared beat.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyLog } from '../core/store/copy-log.ts';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import { createInMemoryStore } from '../core/store/in-memory-store.ts';
import type { KubeletOptions } from '../projections/controllers/kubelet/kubelet-controller.ts';
import { runScenario } from '../replay/scenario/run-scenario.ts';
import { parseScenario } from '../replay/scenario/scenario-file.ts';
import { formatRate, peakRssMiB, recordBenchmark, table } from './harness.ts';

const file = join(dirname(fileURLToPath(import.meta.url)), 'scenarios', 'day-100-nodes.scenario.yaml');
const day = parseScenario(readFileSync(file, 'utf8'));

interface Measured {
  events: number;
  simSeconds: number;
  simCpu: number;
  writeSeconds: number;
  passed: boolean;
}

async function measure(durationMs: number, kubelet: KubeletOptions): Promise<Measured> {
  const store = createInMemoryStore();
  const cpu = process.cpuUsage();
  let started = performance.now();
  const run = await runScenario({ ...day, duration: durationMs }, { store, controllerOptions: { kubelet } });
  const simSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await run.cluster.close();
  const dir = mkdtempSync(join(tmpdir(), 'orrery-scenario-bench-'));
  started = performance.now();
  const recording = await createEmbeddedStore(dir);
  await copyLog(store.events(), recording);
  await recording.close();
  const writeSeconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return { events: store.events().length, simSeconds, simCpu: (used.user + used.system) / 1e6, writeSeconds, passed: run.expectations.every((e) => e.passed) };
}

const HOUR = 3_600_000;
const hourSpread = await measure(HOUR, { heartbeatSlots: 100 });
const hourShared = await measure(HOUR, {});
const fullDay = await measure(day.duration, {});

const row = (label: string, virtualMs: number, m: Measured) => [
  label,
  m.events,
  m.simSeconds.toFixed(2),
  m.simCpu.toFixed(2),
  m.writeSeconds.toFixed(2),
  (m.simSeconds + m.writeSeconds).toFixed(2),
  `${Math.round(virtualMs / 1000 / (m.simSeconds + m.writeSeconds))}×`,
  formatRate(m.events / m.simSeconds),
  m.passed ? 'yes' : 'NO',
];
const rows = [
  row('1 h, a heartbeat event per node (heartbeatSlots 100)', HOUR, hourSpread),
  row('1 h, one heartbeat event for all nodes (default)', HOUR, hourShared),
  row('24 h, one heartbeat event for all nodes (default)', day.duration, fullDay),
];
const markdown = `\`bench/scenarios/day-100-nodes.scenario.yaml\`: 100 nodes, a 200-replica Deployment, a node crash at 10m and its recovery at 30m, two assertions checked at every event. Simulated on the in-memory log, then written as an embedded recording (what \`orrery scenario run\` does).

${table(['run', 'events', 'simulate s', 'simulate CPU s', 'write recording s', 'total s', 'virtual / real', 'events/s', 'assertions pass'], rows)}

Batching heartbeats cut the hour's log ${(hourSpread.events / hourShared.events).toFixed(0)}× and its simulation time ${(hourSpread.simSeconds / hourShared.simSeconds).toFixed(1)}× (side by side, this run). Peak RSS ${peakRssMiB().toFixed(0)} MiB. 1-minute load average when written: ${loadavg()[0]!.toFixed(1)}.`;
console.log(markdown);
recordBenchmark('scenario', 'Scenario runner: 24 hours over 100 nodes', markdown);
