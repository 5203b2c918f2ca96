import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DeliveryPerturbation } from '../core/events.ts';
import { describePerturbation } from '../projections/engine/interleaving.ts';
import { ScenarioFileError, parseScenario, scenarioToYaml } from '../replay/scenario/scenario-file.ts';
import type { Scenario } from '../replay/scenario/scenario.ts';
import { exploreInterleavings } from './explore-interleavings.ts';

export interface ExploreCommandOptions {
  /** The scenario file explored. */
  file: string;
  /** Comma-separated controller names to perturb (default: every one that reacts). */
  only?: string;
  /** Comma-separated kinds (default: stale,coalesce,first,restart). */
  kinds?: string;
  maxPlans?: number;
  /** Where the failing plan's scenario file goes (default: beside the input, `<name>.interleaving.scenario.yaml`). */
  out?: string;
}

/** `orrery scenario explore FILE`: systematic interleavings of one scenario; exit code 1 when a plan breaks an invariant, 2 for a file that cannot be read or parsed. */
export async function runExploreCommand(options: ExploreCommandOptions): Promise<number> {
  let scenario: Scenario;
  try {
    scenario = parseScenario(await readFile(options.file, 'utf8'), { baseDir: dirname(resolve(options.file)) });
  } catch (error) {
    if (!(error instanceof ScenarioFileError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    process.stderr.write(`orrery: ${options.file}: ${error instanceof ScenarioFileError ? error.message : `cannot read: ${(error as NodeJS.ErrnoException).code}`}\n`);
    return 2;
  }
  const kinds = options.kinds?.split(',').map((k) => k.trim()) as Array<DeliveryPerturbation['kind']> | undefined;
  const report = await exploreInterleavings(scenario, {
    ...(options.only ? { only: options.only.split(',').map((n) => n.trim()) } : {}),
    ...(kinds ? { kinds } : {}),
    ...(options.maxPlans ? { maxPlans: options.maxPlans } : {}),
    onPlan: (tried) => {
      if (tried % 25 === 0) process.stderr.write(`tried ${tried} plans\n`);
    },
  });
  if (!report.failure) {
    console.log(`OK: ${report.plans} plans over ${report.reactions} controller reactions kept every invariant`);
    return 0;
  }
  const { violation, scenario: failing } = report.failure;
  console.log(`FAILED: ${violation.invariant}`);
  console.log(`  ${violation.message}`);
  console.log(`  at ${violation.position !== undefined ? `event position ${violation.position}, ` : 'the end of the run, '}virtual time ${new Date(violation.time).toISOString()}`);
  const plan = failing.interleavings?.[0];
  if (!plan) {
    console.log('  in the default order already: no interleaving needed');
    return 1;
  }
  console.log(`  plan ${report.plans} (the reference run had ${report.reactions} controller reactions): ${describePerturbation(plan)}`);
  const out = resolve(options.out ?? join(dirname(options.file), `${(scenario.name ?? 'scenario').replace(/[^a-z0-9-]+/gi, '-')}.interleaving.scenario.yaml`));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `# ${violation.invariant}: ${violation.message}\n# plan: ${describePerturbation(plan)}\n${scenarioToYaml(failing)}`);
  console.log(`  scenario:  ${out} (its interleavings: field replays the failing run)`);
  return 1;
}
