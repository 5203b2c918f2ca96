import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../replay/scenario/scenario-file.ts';
import { builtInInvariants } from './invariants/index.ts';
import { runHistory } from './run-history.ts';

// Counterexamples `orrery check` once found, kept so the bugs they exposed stay fixed.
const dir = join(dirname(fileURLToPath(import.meta.url)), 'regressions');

describe('property-test regressions', { timeout: 120_000 }, () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.scenario.yaml')).sort()) {
    it(file, async () => {
      const scenario = parseScenario(readFileSync(join(dir, file), 'utf8'));
      const result = await runHistory(scenario, { invariants: builtInInvariants });
      expect(result.violations).toEqual([]);
    });
  }
});
