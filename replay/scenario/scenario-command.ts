import { SingleBar } from 'cli-progress';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { copyLog } from '../../core/store/copy-log.ts';
import { createEmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { formatDuration } from '../../core/virtual-clock.ts';
import type { ReplayCliOptions } from '../cli/replay-command.ts';
import { createIncidentTracker } from './incident-tracker.ts';
import { runScenario } from './run-scenario.ts';
import { ScenarioFileError, formatScenarioTime, parseScenario } from './scenario-file.ts';
import type { Scenario, TimelineEntry } from './scenario.ts';

export interface ScenarioRunCommandOptions {
  /** Where the recording (an embedded log directory) is written; default `.orrery/scenarios/<file name>`. */
  out?: string;
  quiet?: boolean;
  /** After the run, serve the replay API and the debugger UI over the recording (as `orrery replay DIR --serve`), at the first failure if any. */
  serve?: boolean;
  port?: number;
  /** With `serve`: the Kubernetes API factory, so `/at/<position|time>/` serves the recording's past to kubectl. */
  createKubeApi?: ReplayCliOptions['createKubeApi'];
  /** With `serve`: stop serving when this settles (tests); default on SIGINT/SIGTERM. */
  serveUntil?: Promise<unknown>;
}

function describeEntry(entry: TimelineEntry): string {
  const { at: _at, action, ...rest } = entry;
  if (action === 'apply' && 'manifest' in rest) return `apply ${rest.manifest.kind.toLowerCase()}/${rest.manifest.metadata.name}`;
  const args = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`);
  return `${action} ${args.join(' ')}`.trim();
}

/** `orrery scenario run FILE`: runs, records, reports; resolves to the process exit code. */
export async function runScenarioCommand(file: string, options: ScenarioRunCommandOptions = {}): Promise<number> {
  const path = resolve(file);
  let scenario: Scenario;
  try {
    scenario = parseScenario(await readFile(path, 'utf8'), { baseDir: dirname(path) });
  } catch (error) {
    if (!(error instanceof ScenarioFileError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    process.stderr.write(`orrery: ${file}: ${error instanceof ScenarioFileError ? error.message : `cannot read: ${(error as NodeJS.ErrnoException).code}`}\n`);
    return 2;
  }
  const name = scenario.name ?? basename(file).replace(/\.(scenario\.)?ya?ml$/, '');
  const out = resolve(options.out ?? join('.orrery', 'scenarios', basename(file).replace(/\.(scenario\.)?ya?ml$/, '')));
  // Simulate in memory and write the recording once at the end: a durable log would make the
  // engine wait for an fsync at every reconcile step.
  const store = createInMemoryStore();
  const interactive = process.stderr.isTTY && !options.quiet;
  const bar = new SingleBar({ format: `${name} |{bar}| {elapsed_virtual} of {total_virtual} virtual`, hideCursor: true, stream: process.stderr });
  if (interactive) bar.start(scenario.duration, 0, { elapsed_virtual: '0s', total_virtual: formatDuration(scenario.duration) });
  let incidents: ReturnType<typeof createIncidentTracker> | undefined;
  let events = 0;
  const started = process.hrtime.bigint();
  const run = await runScenario(scenario, {
    store,
    onEvent: (event, state) => {
      events++;
      incidents ??= createIncidentTracker(state.time);
      incidents.onEvent(event, state);
    },
    onProgress: (elapsed) => {
      if (interactive) bar.update(Math.min(elapsed, scenario.duration), { elapsed_virtual: formatDuration(elapsed) });
    },
  });
  if (interactive) bar.stop();
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = incidents?.finish(run.cluster.state) ?? [];
  await run.cluster.close();
  await rm(out, { recursive: true, force: true });
  const recording = await createEmbeddedStore(out);
  await copyLog(store.events(), recording);
  await recording.close();

  const print = (text = '') => process.stdout.write(`${text}\n`);
  print(`Scenario ${name}: ${formatDuration(scenario.duration)} of cluster time in ${wallSeconds.toFixed(2)}s (${Math.round(scenario.duration / 1000 / Math.max(wallSeconds, 0.001))}× real time), ${events} events, seed ${scenario.seed}`);
  print();
  print('Timeline');
  const story = [
    ...run.outcomes.filter((o) => o.entry.at > 0 || o.entry.action !== 'apply').map((o) => ({ at: o.entry.at, text: `${describeEntry(o.entry)}${o.outcome.rejected ? `  (rejected: ${o.outcome.rejected})` : ''}` })),
    ...lines.map((l) => ({ at: l.at, text: `${l.kind === 'recovery' ? '→ ' : '  '}${l.text}  [position ${l.position}]` })),
  ].sort((a, b) => a.at - b.at);
  if (story.length === 0) print('  (no timeline entries)');
  for (const entry of story) print(`  ${formatScenarioTime(entry.at).padStart(8)}  ${entry.text}`);
  print();
  const failed = run.expectations.filter((e) => !e.passed);
  if (run.expectations.length > 0) {
    print(`Assertions: ${run.expectations.length - failed.length} passed, ${failed.length} failed`);
    for (const result of run.expectations) {
      if (result.passed) print(`  ✓ ${result.text}${result.at !== undefined ? `  (at ${formatScenarioTime(result.at)})` : ''}`);
      else print(`  ✗ ${result.text}\n      ${result.message} — at ${formatScenarioTime(result.at ?? 0)}, event position ${result.position}`);
    }
    print();
  }
  print(`Recording: ${out}`);
  print(`Open it:   orrery replay ${out}${failed[0]?.position ? ` --at ${failed[0].position}` : ''}${options.serve ? '' : ' --serve'}`);
  const code = failed.length > 0 ? 1 : 0;
  if (options.serve) {
    print();
    const { runReplayCommand } = await import('../cli/replay-command.ts');
    await runReplayCommand(out, undefined, [], {
      serve: true,
      progress: false,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(failed[0]?.position ? { at: String(failed[0].position) } : {}),
      ...(options.createKubeApi ? { createKubeApi: options.createKubeApi } : {}),
      ...(options.serveUntil ? { serveUntil: options.serveUntil } : {}),
    });
  }
  return code;
}
