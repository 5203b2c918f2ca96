import { Command, InvalidArgumentError } from 'commander';
import { registerReplayCommand } from '../replay/cli/register-replay-command.ts';

// Each command imports its implementation lazily, so `orrery --help` stays instant.
const program = new Command();
program
  .name('orrery')
  .description('Event-sourced, Kubernetes-compatible orchestration engine with a time-travel debugger')
  .showHelpAfterError();

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function positiveInteger(value: string): number {
  const n = integer(value);
  if (n === 0) throw new InvalidArgumentError('expected at least 1');
  return n;
}

program
  .command('serve')
  .description('serve the Kubernetes API over the embedded store with a simulated cluster')
  .option('-p, --port <port>', 'port to listen on (0 picks a free one)', integer, 6443)
  .option('--host <host>', 'address to bind (anything beyond loopback needs --token-file or TLS)', '127.0.0.1')
  .option('-d, --data <dir>', 'directory of the embedded event log', '.orrery/data')
  .option('--store <url>', 'use EventStoreDB instead of the embedded log (esdb://host:2113?tls=false)')
  .option('-n, --nodes <count>', 'simulated nodes on first start', integer, 3)
  .option('--seed <seed>', 'seed for the cluster on first start', integer, 1)
  .option('--token-file <file>', 'require this bearer token')
  .option('--tls-cert <file>', 'TLS certificate (PEM)')
  .option('--tls-key <file>', 'TLS private key (PEM)')
  .action(async (options) => {
    const { runServe } = await import('./server/serve.ts');
    const { builtInInvariants } = await import('../property-tests/invariants/index.ts');
    await runServe({ ...options, invariants: builtInInvariants });
  });

program
  .command('check')
  .description('property-test reconciliation invariants over generated clusters, workloads, faults and user actions')
  .option('--runs <n>', 'histories to generate', integer, 100)
  .option('--seed <n>', 'fast-check seed', integer, 1)
  .option('--path <path>', "replay one counterexample by fast-check's path (printed on failure)")
  .option('--invariants <file>', 'a module exporting `invariants` (and optionally `controllers()`) to check besides the built-ins')
  .option('--only <names>', 'check only these invariants (comma-separated)')
  .option('--out <dir>', 'where a counterexample is written', '.orrery/counterexample')
  .option('--min-nodes <n>', 'smallest generated cluster', integer, 3)
  .option('--max-nodes <n>', 'largest generated cluster', integer, 5)
  .option('--workloads <n>', 'most workloads per history', integer, 20)
  .option('--max-faults <n>', 'most node faults per history (each with its recovery)', integer, 3)
  .option('--max-actions <n>', 'most user actions per history', integer, 6)
  .option('--no-faults', 'generate no node faults')
  .option('--no-actions', 'generate no user actions')
  .option('--no-shrink', 'report the first failure without shrinking it')
  .option('--determinism', 're-run every history and require a byte-identical log')
  .option('--interleavings', 'also explore controller interleavings: stale views, coalesced notifications, reorderings, restarts')
  .option('--workers <n>', 'worker threads checking histories side by side (default: one per core, at most one per 100 histories)', positiveInteger)
  .action(async (options) => {
    const { runCheckCommand } = await import('../property-tests/check-command.ts');
    process.exitCode = await runCheckCommand({ ...options, determinism: options.determinism === true, interleavings: options.interleavings === true });
  });

const scenario = program.command('scenario').description('incident scenarios: fault timelines replayed on a virtual clock');
scenario
  .command('run <file>')
  .description('run a scenario in simulation mode, write its recording and report its assertions (exit 1 if any fails)')
  .option('-o, --out <dir>', 'where to write the recording (default .orrery/scenarios/<name>)')
  .option('-q, --quiet', 'no progress bar')
  .option('--serve', 'then serve the debugger UI and replay API over the recording (at the first failed assertion)')
  .option('-p, --port <port>', 'with --serve: port (default: a free one)', integer)
  .action(async (file: string, options) => {
    const { runScenarioCommand } = await import('../replay/scenario/scenario-command.ts');
    const createApiServer = options.serve ? (await import('./server/create-api-server.ts')).createApiServer : undefined;
    process.exitCode = await runScenarioCommand(file, {
      ...options,
      ...(createApiServer ? { createKubeApi: (cluster: any, now: () => number) => createApiServer({ cluster, now }) } : {}),
    });
  });
scenario
  .command('explore <file>')
  .description('systematically perturb the order in which controllers observe one scenario (stale views, coalesced notifications, reacting first, crash-restarts) and check every invariant (exit 1 if a plan breaks one)')
  .option('--only <controllers>', 'perturb only these controllers (comma-separated)')
  .option('--kinds <kinds>', 'perturbation kinds (comma-separated: stale,coalesce,first,restart)')
  .option('--max-plans <n>', 'most plans to try', integer)
  .option('-o, --out <file>', "where the failing plan's scenario file goes")
  .action(async (file: string, options) => {
    const { runExploreCommand } = await import('../property-tests/explore-command.ts');
    process.exitCode = await runExploreCommand({ file, ...options });
  });

const importCommand = program.command('import').description('turn records of real clusters into scenarios');
importCommand
  .command('audit-log <file>')
  .description('turn a Kubernetes audit log (audit.k8s.io/v1 Event JSON lines) into a scenario timeline (docs/scenarios.md)')
  .option('-o, --output <file>', 'write the scenario here (default: standard output)')
  .option('--nodes <count>', "simulate this many default nodes instead of the log's Node objects", integer)
  .option('--seed <seed>', "the scenario's seed", integer)
  .option('--tail <duration>', 'how long the scenario runs after the last write', '10m')
  .option('--include-system-writes', "keep controllers' and kubelets' writes (skipped by default: the simulated controllers redo them)")
  .action(async (file: string, options) => {
    const { runImportAuditLogCommand } = await import('../replay/scenario/import-command.ts');
    process.exitCode = await runImportAuditLogCommand(file, options);
  });

registerReplayCommand(
  program,
  async () => (await import('../property-tests/invariants/index.ts')).builtInInvariants,
  async () => {
    const { createApiServer } = await import('./server/create-api-server.ts');
    return (cluster, now) => createApiServer({ cluster, now });
  },
);

const store = program.command('store').description('inspect and repair the embedded event log');
store
  .command('repair <dir>')
  .description('truncate the log at its first corrupt record (drops everything after it)')
  .action(async (dir: string) => {
    const { repairEmbeddedLog } = await import('../core/store/embedded/repair.ts');
    const report = await repairEmbeddedLog(dir);
    console.log(JSON.stringify(report, null, 2));
  });

await program.parseAsync(process.argv);
