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
      // Windows are placed by log position, and changes to what the controllers write move
      // positions: a crash that no longer falls on a reaction of the controller loses nothing and
      // reproduces nothing. Without the perturbations, the controller must have reacted with a
      // command to an event inside each restart window.
      const restarts = (scenario.interleavings ?? []).filter((window) => window.kind === 'restart');
      if (restarts.length > 0) {
        const { interleavings: _perturbed, ...plain } = scenario;
        const { events } = await runHistory(plain, { invariants: [] });
        for (const window of restarts) {
          const reacted = events.some(
            (event) =>
              (event.metadata.actor === window.controller || event.metadata.actor.startsWith(`${window.controller}/`)) &&
              event.metadata.causationId !== undefined &&
              event.metadata.causationId >= window.from &&
              event.metadata.causationId <= window.to,
          );
          expect(reacted, `${window.controller} restart window ${window.from}-${window.to} holds no reaction of ${window.controller}`).toBe(true);
        }
      }
    });
  }
});
