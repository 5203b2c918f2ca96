import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { scenarioArbitrary } from '../../property-tests/arbitraries/scenario.ts';
import { runScenario } from '../../replay/scenario/run-scenario.ts';
import type { Scenario } from '../../replay/scenario/scenario.ts';
import { parseScenario } from '../../replay/scenario/scenario-file.ts';
import { JOB_CONTROLLER } from '../controllers/job/job-controller.ts';
import type { Controller } from './controller.ts';
import { defaultControllers } from './default-controllers.ts';

// Controller.interest lets the engine skip events a controller ignores. It must change nothing:
// the same scenario gives the same log, byte for byte, with the interests declared and with every
// controller handed every event (the same controllers, their interest hidden by a wrapper).

const EXAMPLES = join(import.meta.dirname, '../../examples');

function exampleScenarios(): Array<[string, Scenario]> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.scenario.yaml')) files.push(path);
    }
  };
  walk(EXAMPLES);
  return files.map((file) => {
    const { expect: _expectations, ...scenario } = parseScenario(readFileSync(file, 'utf8'), { baseDir: dirname(file) });
    return [file.slice(EXAMPLES.length + 1), scenario];
  });
}

/** Every example's objects and timeline in one cluster: Jobs, DaemonSets, Services, budgets, quotas... side by side. */
function mergedExamples(examples: ReadonlyArray<[string, Scenario]>): Scenario {
  const merged: Scenario = { name: 'merged', seed: 3, cluster: { nodes: [] }, manifests: [], timeline: [], duration: 0 };
  const seen = new Set<string>();
  for (const [, scenario] of examples) {
    for (const node of scenario.cluster.nodes) if (!merged.cluster.nodes.some((n) => n.name === node.name)) merged.cluster.nodes.push(node);
    for (const manifest of scenario.manifests) {
      const key = `${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        merged.manifests.push(manifest);
      }
    }
    merged.timeline.push(...scenario.timeline);
    merged.duration = Math.max(merged.duration, scenario.duration);
  }
  merged.timeline.sort((a, b) => a.at - b.at);
  return merged;
}

/** The same controller without its declared interest: the engine hands it every event. */
const everyEvent = (controller: Controller): Controller => ({ name: controller.name, reconcile: (input$) => controller.reconcile(input$) });

async function logOf(scenario: Scenario, controllers: Controller[]): Promise<string> {
  const store = createInMemoryStore();
  const run = await runScenario(scenario, { store, controllers });
  await run.cluster.engine.stop();
  return store.events().map((event) => JSON.stringify(event)).join('\n');
}

const SHAPE = { cluster: { minNodes: 3, maxNodes: 5 }, workloads: { maxWorkloads: 12 }, timeline: { maxFaults: 20, maxActions: 40 } } as const;

describe('controller interests', () => {
  const examples = exampleScenarios();

  it('most built-in controllers declare one', () => {
    expect(defaultControllers().filter((controller) => controller.interest).length).toBeGreaterThanOrEqual(10);
  });

  it('leave the log of every example, all examples merged and generated histories byte-identical', async () => {
    const scenarios: Array<[string, Scenario]> = [
      ...examples,
      ['merged', mergedExamples(examples)],
      ...fc.sample(scenarioArbitrary(SHAPE), { numRuns: 4, seed: 7 }).map((scenario, i): [string, Scenario] => [`generated ${i}`, scenario]),
    ];
    expect(examples.length).toBeGreaterThan(15);
    for (const [name, scenario] of scenarios) {
      const filtered = await logOf(scenario, defaultControllers());
      const unfiltered = await logOf(scenario, defaultControllers().map(everyEvent));
      expect(filtered.length, name).toBeGreaterThan(0);
      expect(filtered === unfiltered, `${name}: the log changed with interests declared`).toBe(true);
    }
  }, 120_000);

  it('a wrong interest shows in the log (the Job controller told to skip pod phase changes)', async () => {
    const job = examples.find(([name]) => name.startsWith('job/'));
    expect(job).toBeDefined();
    const wrong = defaultControllers().map((controller) =>
      controller.name === JOB_CONTROLLER ? { ...controller, interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectRemoved'], kinds: ['Job', 'Pod'] } } : controller,
    );
    expect(await logOf(job![1], wrong)).not.toBe(await logOf(job![1], defaultControllers()));
  }, 60_000);
});
