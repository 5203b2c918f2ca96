import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { StoredEvent } from '../core/events.ts';
import type { ClusterState } from '../projections/cluster-state.ts';
import { applyEvent } from '../projections/state/reducer.ts';
import { sameSerializedState } from '../projections/state/same-serialization.ts';
import { deferredSnapshot, deserializeState } from '../projections/state/snapshot.ts';
import { scenarioArbitrary } from '../property-tests/arbitraries/scenario.ts';
import { builtInInvariants } from '../property-tests/invariants/index.ts';
import type { Invariant } from '../property-tests/invariants/invariant.ts';
import { CUT_FRACTIONS, isSnapshotPoint, nearestSnapshot } from '../property-tests/invariants/event-sourcing.ts';
import { runHistory } from '../property-tests/run-history.ts';
import { runScenario } from '../replay/scenario/run-scenario.ts';
import type { Scenario } from '../replay/scenario/scenario.ts';
import { table } from './harness.ts';

// Where a property-test history's CPU goes (docs/property-testing.md, "Where a history's time goes"):
// the same generated histories (the properties bench's shape) run bare, with the invariants'
// lockstep replica, with the per-event invariants and with every invariant, history by history,
// CPU time per history; then the parts of the snapshot check; then, in a fresh process, the JIT
// warm-up a check worker pays. Not a *.bench.ts: it writes nothing to BENCHMARKS.md.
// `node bin/run-ts.js bench/history-cost.ts` (HISTORIES, REPS to change the sample).

const SHAPE = { cluster: { minNodes: 3, maxNodes: 5 }, workloads: { maxWorkloads: 20 }, timeline: { maxFaults: 30, maxActions: 70 } } as const;
const HISTORIES = Number(process.env.HISTORIES ?? 40);
const REPS = Number(process.env.REPS ?? 4);
const WARMUP_HISTORIES = 25;

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

function sample(count: number, seed: number): Scenario[] {
  return fc.sample(scenarioArbitrary(SHAPE), { numRuns: count, seed });
}

async function split(scenarios: readonly Scenario[]): Promise<Array<[string, number]>> {
  const perEvent = builtInInvariants.filter((invariant) => invariant.category !== 'event-sourcing');
  const withInvariants = (invariants: readonly Invariant[]) => (scenario: Scenario) => runHistory(scenario, { invariants });
  const modes: Array<[string, (scenario: Scenario) => Promise<unknown>]> = [
    [
      'simulation alone (runScenario: controllers, write path, store, engine)',
      async (scenario) => {
        const run = await runScenario(scenario);
        await run.cluster.engine.stop();
      },
    ],
    ['+ lockstep replica (runHistory, no invariant)', withInvariants([])],
    ['+ per-event invariants', withInvariants(perEvent)],
    ['+ end checks (every built-in invariant, as `orrery check`)', withInvariants(builtInInvariants)],
  ];
  // History by history, every mode in turn (rotating which goes first), so a change in the
  // machine's load falls on every mode alike.
  const totals = modes.map(() => 0);
  let turn = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    for (const scenario of scenarios) {
      turn++;
      for (let k = 0; k < modes.length; k++) {
        const i = (k + turn) % modes.length;
        const since = process.cpuUsage();
        await modes[i]![1](scenario);
        if (rep > 0) totals[i]! += cpuMs(since);
      }
    }
  }
  return modes.map(([name], i) => [name, totals[i]! / REPS / scenarios.length]);
}

/** The snapshot check's work (event-sourcing.ts) on the lockstep states of the same histories: write, load, tail, compare. */
async function snapshotParts(scenarios: readonly Scenario[]): Promise<Record<string, number>> {
  const runs: Array<{ events: readonly StoredEvent[]; cuts: Map<number, () => string>; final: ClusterState }> = [];
  for (const scenario of scenarios) {
    // The frames the check takes on the way, and the cuts it picks from them at the end.
    const frames = new Map<number, () => string>();
    let final: ClusterState | undefined;
    const recorder: Invariant = {
      name: 'record',
      description: '',
      category: 'safety',
      start: () => ({
        onEvent(event, state) {
          final = state;
          if (isSnapshotPoint(event.position)) frames.set(event.position, deferredSnapshot(state));
          return undefined;
        },
      }),
    };
    const { events } = await runHistory(scenario, { invariants: [recorder] });
    const cuts = new Map<number, () => string>();
    for (const fraction of CUT_FRACTIONS) {
      const cut = nearestSnapshot(frames.keys(), Math.floor(events.length * fraction));
      cuts.set(cut, frames.get(cut)!);
    }
    runs.push({ events, cuts, final: final! });
  }
  const parts = { 'write the snapshot (serializeState)': 0, 'load it (deserializeState)': 0, 'replay the tail': 0, 'compare with the full replay': 0 };
  const tally = (part: keyof typeof parts, ms: number, counted: boolean) => {
    if (counted) parts[part] += ms;
  };
  for (let rep = 0; rep <= REPS; rep++) {
    for (const run of runs) {
      for (const [cut, frame] of run.cuts) {
        let since = process.cpuUsage();
        const written = frame();
        tally('write the snapshot (serializeState)', cpuMs(since), rep > 0);
        since = process.cpuUsage();
        const restored = deserializeState(written);
        tally('load it (deserializeState)', cpuMs(since), rep > 0);
        since = process.cpuUsage();
        for (let i = cut; i < run.events.length; i++) applyEvent(restored, run.events[i]!);
        tally('replay the tail', cpuMs(since), rep > 0);
        since = process.cpuUsage();
        if (!sameSerializedState(restored, run.final)) throw new Error('snapshot plus tail differs from the full replay');
        tally('compare with the full replay', cpuMs(since), rep > 0);
      }
    }
  }
  for (const part of Object.keys(parts) as Array<keyof typeof parts>) parts[part] /= REPS * runs.length;
  return parts;
}

/** In a fresh process: the same histories checked again and again, CPU per history on each pass (the first pass is a cold worker's). */
async function warmupPasses(): Promise<number[]> {
  const scenarios = sample(WARMUP_HISTORIES, 7);
  const passes: number[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const since = process.cpuUsage();
    for (const scenario of scenarios) await runHistory(scenario, { invariants: builtInInvariants });
    passes.push(cpuMs(since) / scenarios.length);
  }
  return passes;
}

if (process.argv[2] === '--warmup') {
  process.stdout.write(JSON.stringify(await warmupPasses()));
} else {
  const load = loadavg()[0]!.toFixed(1);
  const scenarios = sample(HISTORIES, 1);
  const splitRows = await split(scenarios);
  const rows = splitRows.map(([name, ms], i) => [name, ms.toFixed(1), i === 0 ? '' : `+${(ms - splitRows[i - 1]![1]).toFixed(1)}`]);
  console.log(`${HISTORIES} histories, ${REPS} passes (each history in every mode in turn), CPU ms per history (1-min load average ${load} at start):\n`);
  console.log(table(['', 'CPU ms per history', 'added'], rows));
  const parts = await snapshotParts(scenarios);
  console.log(`\nsnapshot-plus-tail-equals-replay's end check, its three cuts together, CPU ms per history:\n`);
  console.log(table(['part', 'CPU ms'], Object.entries(parts).map(([part, ms]) => [part, ms.toFixed(2)])));
  const here = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [join(dirname(here), '..', 'bin', 'run-ts.js'), here, '--warmup'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status === 0) {
    const passes = JSON.parse(child.stdout) as number[];
    console.log(`\nJIT warm-up: the same ${WARMUP_HISTORIES} histories checked 6 times in a fresh process, CPU ms per history on each pass: ${passes.map((ms) => ms.toFixed(0)).join(', ')}`);
    const warm = passes.at(-1)!;
    console.log(`(${((passes.reduce((sum, ms) => sum + ms - warm, 0) * WARMUP_HISTORIES) / 1000).toFixed(1)} s of CPU above the last pass's rate: what each worker of \`orrery check\` pays before it runs at full speed)`);
  }
  console.log(`\n1-min load average at the end: ${loadavg()[0]!.toFixed(1)}`);
}
