import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../replay/scenario/run-scenario.ts';
import { parseScenario } from '../replay/scenario/scenario-file.ts';

const root = dirname(fileURLToPath(import.meta.url));

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return scenarioFiles(path);
    return entry.endsWith('.scenario.yaml') ? [path] : [];
  });
}

// Every example scenario is documentation that must stay true: each runs in simulation mode and
// every one of its assertions must pass.
describe('examples', () => {
  const files = scenarioFiles(root).sort();

  it('there are examples to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(relative(root, file), async () => {
      const scenario = parseScenario(readFileSync(file, 'utf8'), { baseDir: dirname(file) });
      expect(scenario.expect?.length ?? 0).toBeGreaterThan(0);
      const run = await runScenario(scenario);
      await run.cluster.close();
      const failures = run.expectations.filter((e) => !e.passed).map((e) => `${e.text} — ${e.message} (at ${e.at} ms, position ${e.position})`);
      expect(failures).toEqual([]);
    }, 120_000);
  }
});
