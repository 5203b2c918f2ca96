import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../core/model/object.ts';
import { formatDuration, parseDuration } from '../../core/virtual-clock.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import { parseExpectation } from './expectations.ts';
import type { Scenario, ScenarioActionName, TimelineEntry } from './scenario.ts';

const ACTIONS: ReadonlySet<ScenarioActionName> = new Set([
  'apply', 'delete', 'delete-pod', 'scale', 'set-image', 'rollout-restart', 'rollout-undo',
  'cordon', 'uncordon', 'drain', 'node-crash', 'node-partition', 'node-recover',
]);

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

/** Milliseconds as a scenario duration: `2m30s`, `500ms`, `1h`. */
export function formatScenarioTime(ms: number): string {
  return ms % 1000 === 0 ? formatDuration(ms).replace(/^0s$/, '0s') : `${ms}ms`;
}

/** The scenario as YAML, in the documented scenario-file format (docs/scenarios.md). */
export function scenarioToYaml(scenario: Scenario): string {
  const document = {
    ...(scenario.name ? { name: scenario.name } : {}),
    seed: scenario.seed,
    duration: formatScenarioTime(scenario.duration),
    cluster: { nodes: scenario.cluster.nodes },
    manifests: scenario.manifests,
    timeline: scenario.timeline.map(({ at, ...action }) => ({ at: formatScenarioTime(at), ...action })),
    ...(scenario.expect && scenario.expect.length > 0 ? { expect: scenario.expect } : {}),
  };
  return stringify(document, { lineWidth: 0 });
}

function fail(where: string, message: string): never {
  throw new ScenarioFileError(`${where}: ${message}`);
}

/** Parses and validates a scenario file; errors name the field (`timeline[3].at: ...`). */
export function parseScenario(text: string): Scenario {
  let document: any;
  try {
    document = parse(text);
  } catch (error) {
    throw new ScenarioFileError(`invalid YAML: ${(error as Error).message}`);
  }
  if (!document || typeof document !== 'object') fail('scenario', 'expected a mapping with seed, cluster, manifests and timeline');
  const seed = document.seed ?? 1;
  if (!Number.isInteger(seed)) fail('seed', `expected a whole number, got ${JSON.stringify(seed)}`);
  const nodes = document.cluster?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) fail('cluster.nodes', 'expected a list of at least one node');
  nodes.forEach((node: SimulatedNodeSpec, i: number) => {
    if (!node || typeof node.name !== 'string') fail(`cluster.nodes[${i}].name`, 'required');
  });
  const manifests: KubeObject[] = document.manifests ?? [];
  if (!Array.isArray(manifests)) fail('manifests', 'expected a list of Kubernetes objects');
  manifests.forEach((m, i) => {
    if (!m?.apiVersion || !m?.kind || !m?.metadata?.name) fail(`manifests[${i}]`, 'each manifest needs apiVersion, kind and metadata.name');
  });
  const timeline: TimelineEntry[] = (document.timeline ?? []).map((entry: any, i: number) => {
    const where = `timeline[${i}]`;
    if (!entry || typeof entry !== 'object') fail(where, 'expected a mapping');
    if (!ACTIONS.has(entry.action)) fail(`${where}.action`, `unknown action ${JSON.stringify(entry.action)}; expected one of ${[...ACTIONS].join(', ')}`);
    let at: number;
    try {
      at = parseDuration(String(entry.at));
    } catch (error) {
      fail(`${where}.at`, (error as Error).message);
    }
    return { ...entry, at } as TimelineEntry;
  });
  for (let i = 1; i < timeline.length; i++) {
    if (timeline[i]!.at < timeline[i - 1]!.at) fail(`timeline[${i}].at`, 'entries must be in time order');
  }
  const last = timeline.length > 0 ? timeline[timeline.length - 1]!.at : 0;
  let duration = last;
  if (document.duration !== undefined) {
    try {
      duration = parseDuration(String(document.duration));
    } catch (error) {
      fail('duration', (error as Error).message);
    }
  }
  const expectLines: unknown = document.expect ?? [];
  if (!Array.isArray(expectLines)) fail('expect', 'expected a list of assertions such as "eventually within 5m: deployment/web available=3"');
  const expect = expectLines.map((line, i) => {
    if (typeof line !== 'string') fail(`expect[${i}]`, 'expected a string');
    try {
      parseExpectation(line);
    } catch (error) {
      fail(`expect[${i}]`, (error as Error).message);
    }
    return line;
  });
  return {
    ...(document.name ? { name: String(document.name) } : {}),
    seed,
    cluster: { nodes },
    manifests,
    timeline,
    duration: Math.max(duration, last),
    ...(expect.length > 0 ? { expect } : {}),
  };
}
