import type { Command } from 'commander';
import type { AtRoutesOptions } from '../http/at-routes.ts';
import type { ReplayInvariant } from '../service/breakpoints.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Adds `orrery replay <recording> [action] [args...]` to a commander program. The implementation
 * is imported when the command runs, so `orrery --help` stays instant. `loadInvariants` supplies
 * what `--until invariant:<name>` may name (the CLI passes property-tests' built-ins).
 */
export function registerReplayCommand(
  program: Command,
  loadInvariants?: () => Promise<readonly ReplayInvariant[]>,
  loadKubeApi?: () => Promise<AtRoutesOptions['createApp']>,
): Command {
  return program
    .command('replay <recording> [action] [args...]')
    .description(
      'time-travel through a recording (embedded log directory, exported .orrec file, or esdb:// URL). Actions: get (default: the cluster at --at), step [n], events, diff A B, explain <position|ns/pod>, fork [at], verify, export <file>',
    )
    .option('--at <position|time>', 'cursor position or RFC 3339 virtual time (default: the end)')
    .option('-o, --output <format>', 'json, yaml or wide')
    .option('--reconcile', 'step: move by reconcile steps (an event and everything it caused)')
    .option('--until <breakpoint>', 'step: run to a breakpoint (event-type:T, actor:A, pod-phase:P[@ns/name], node-condition:[node/]Type=Status, object:Kind[/ns/name][?selector], invariant:name)')
    .option('--back', 'step --until: search backwards')
    .option('--from <position>', 'events: first position')
    .option('--limit <n>', 'events: page size')
    .option('--type <eventType>', 'events: only this event type')
    .option('--actor <actor>', 'events: only this actor')
    .option('--object <kind/ns/name>', 'events: only events touching this object')
    .option('--edits <file>', 'fork: a JSON file of edits ([{ "op": "remove", "position": N }, ...])')
    .option('--remove <position>', 'fork: remove this input event (repeatable)', collect)
    .option('--run-for <duration>', 'fork: keep running this long after the last input (e.g. 10m)')
    .option('--out <file>', 'fork: write the branch as a recording file')
    .option('--serve', 'serve the replay API and the debugger UI for this recording')
    .option('-p, --port <port>', 'with --serve: port (default: a free one)', (v) => Number(v))
    .action(async (recording: string, action: string | undefined, args: string[], options: Record<string, unknown>) => {
      const { runReplayCommand } = await import('./replay-command.ts');
      const invariants = loadInvariants ? await loadInvariants() : [];
      const createKubeApi = options.serve && loadKubeApi ? await loadKubeApi() : undefined;
      process.exitCode = await runReplayCommand(recording, action, args, { ...options, invariants, ...(createKubeApi ? { createKubeApi } : {}) });
    });
}
