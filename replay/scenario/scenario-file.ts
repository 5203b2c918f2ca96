import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseManifests } from '../../core/model/manifests.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { parseDuration } from '../../core/virtual-clock.ts';
import { parseQuantity } from '../../core/model/quantity.ts';
import { isQualifiedName } from '../../core/model/names.ts';
import { type DeliveryPerturbation, PERTURBATION_KINDS } from '../../projections/engine/interleaving.ts';
import type { SimulatedNodeSpec } from '../../projections/engine/simulated-node.ts';
import { customTypesOf, parseExpectation } from './expectations.ts';
import type { Scenario, ScenarioActionName, TimelineEntry } from './scenario.ts';

type FieldType = 'string' | 'name' | 'count' | 'positive' | 'duration' | 'quantity' | 'manifest' | 'pressure' | 'effect' | 'taintKey';
interface FieldSpec {
  required?: string[];
  optional?: string[];
  /** Exactly one of these must be given. */
  oneOf?: string[];
}

const POD_TARGET: FieldSpec = { oneOf: ['pod', 'deployment'], optional: ['namespace', 'container'] };
const NODE: FieldSpec = { required: ['node'] };

/** Every timeline action with its fields (see docs/scenarios.md). */
const ACTION_FIELDS: Record<ScenarioActionName, FieldSpec> = {
  apply: { required: ['manifest'] },
  delete: { required: ['kind', 'name'], optional: ['namespace'] },
  'delete-pod': { required: ['deployment'], optional: ['namespace', 'index'] },
  scale: { required: ['deployment', 'replicas'], optional: ['namespace'] },
  'set-image': { required: ['deployment', 'image'], optional: ['namespace', 'container'] },
  'rollout-restart': { required: ['deployment'], optional: ['namespace'] },
  'rollout-undo': { required: ['deployment'], optional: ['namespace', 'toRevision'] },
  cordon: NODE,
  uncordon: NODE,
  taint: { required: ['node', 'key', 'effect'], optional: ['value'] },
  untaint: { required: ['node', 'key'], optional: ['effect'] },
  drain: NODE,
  'node-crash': NODE,
  'node-partition': NODE,
  'node-recover': NODE,
  'container-crash': { ...POD_TARGET, optional: [...POD_TARGET.optional!, 'exitCode'] },
  'container-crash-loop': { ...POD_TARGET, optional: [...POD_TARGET.optional!, 'exitCode', 'after'] },
  'liveness-fail': { ...POD_TARGET, optional: [...POD_TARGET.optional!, 'after'] },
  'readiness-fail': { ...POD_TARGET, optional: [...POD_TARGET.optional!, 'after'] },
  'image-pull-fail': POD_TARGET,
  'slow-start': { ...POD_TARGET, required: ['delay'] },
  'clear-faults': POD_TARGET,
  'node-pressure': { required: ['node'], optional: ['condition'] },
  'node-pressure-clear': { required: ['node'], optional: ['condition'] },
  load: { required: ['deployment', 'cpu'], optional: ['namespace'] },
};

const FIELD_TYPES: Record<string, FieldType> = {
  manifest: 'manifest', kind: 'string', name: 'name', namespace: 'name', deployment: 'name', pod: 'name', container: 'name', node: 'name',
  image: 'string', index: 'count', replicas: 'count', toRevision: 'positive', exitCode: 'count', after: 'duration', delay: 'duration',
  cpu: 'quantity', condition: 'pressure', key: 'taintKey', value: 'string', effect: 'effect',
};

const ACTIONS = new Set(Object.keys(ACTION_FIELDS) as ScenarioActionName[]);

function checkField(where: string, field: string, value: unknown): void {
  const type = FIELD_TYPES[field]!;
  const got = JSON.stringify(value);
  switch (type) {
    case 'string':
      if (typeof value !== 'string' || value === '') fail(where, `expected a non-empty string, got ${got}`);
      return;
    case 'name':
      if (typeof value !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) fail(where, `expected a Kubernetes object name (lower-case letters, digits, '-', '.'), got ${got}`);
      return;
    case 'count':
      if (!Number.isInteger(value) || (value as number) < 0) fail(where, `expected a whole number ≥ 0, got ${got}`);
      return;
    case 'positive':
      if (!Number.isInteger(value) || (value as number) < 1) fail(where, `expected a whole number ≥ 1, got ${got}`);
      return;
    case 'duration':
      try {
        parseDuration(String(value));
      } catch (error) {
        fail(where, (error as Error).message);
      }
      return;
    case 'quantity':
      try {
        parseQuantity(value as string);
      } catch {
        fail(where, `expected a CPU quantity such as 500m or 2, got ${got}`);
      }
      return;
    case 'manifest':
      if (!value || typeof value !== 'object' || !(value as KubeObject).apiVersion || !(value as KubeObject).kind || !(value as KubeObject).metadata?.name) {
        fail(where, 'expected a Kubernetes object with apiVersion, kind and metadata.name');
      }
      return;
    case 'effect':
      if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(value as string)) fail(where, `expected NoSchedule, PreferNoSchedule or NoExecute, got ${got}`);
      return;
    case 'taintKey':
      if (typeof value !== 'string' || isQualifiedName(value).length > 0) fail(where, `expected a taint key (a qualified name such as example.com/maintenance), got ${got}`);
      return;
    case 'pressure':
      if (!['MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(value as string)) fail(where, `expected MemoryPressure, DiskPressure or PIDPressure, got ${got}`);
      return;
  }
}

/** Checks one timeline entry's fields against its action: required, allowed, typed. */
export function validateTimelineEntry(entry: Record<string, unknown>, where: string): void {
  const name = entry.action as ScenarioActionName;
  if (!ACTIONS.has(name)) fail(`${where}.action`, `unknown action ${JSON.stringify(entry.action)}; expected one of ${[...ACTIONS].join(', ')}`);
  const spec = ACTION_FIELDS[name];
  const allowed = new Set(['at', 'action', ...(spec.required ?? []), ...(spec.optional ?? []), ...(spec.oneOf ?? [])]);
  for (const field of Object.keys(entry)) {
    if (!allowed.has(field)) fail(`${where}.${field}`, `not a field of ${name}; its fields are ${[...allowed].filter((f) => f !== 'at' && f !== 'action').join(', ')}`);
  }
  for (const field of spec.required ?? []) {
    if (entry[field] === undefined || entry[field] === null) fail(`${where}.${field}`, `required for ${name}`);
  }
  if (spec.oneOf) {
    const given = spec.oneOf.filter((f) => entry[f] !== undefined);
    if (given.length !== 1) fail(where, `${name} needs exactly one of ${spec.oneOf.join(' or ')}${given.length ? `, got ${given.join(' and ')}` : ''}`);
  }
  for (const [field, value] of Object.entries(entry)) {
    if (field !== 'at' && field !== 'action' && value !== undefined) checkField(`${where}.${field}`, field, value);
  }
}

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

/** Milliseconds as a scenario time that parseDuration reads back exactly: `2m30s`, `1m39.9s`, `1h`, `0s`. */
export function formatScenarioTime(ms: number): string {
  if (ms === 0) return '0s';
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${Number(seconds.toFixed(3))}s` : ''}`;
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
    ...(scenario.interleavings && scenario.interleavings.length > 0 ? { interleavings: scenario.interleavings } : {}),
  };
  return stringify(document, { lineWidth: 0 });
}

function fail(where: string, message: string): never {
  throw new ScenarioFileError(`${where}: ${message}`);
}

export interface ParseScenarioOptions {
  /** Resolves `manifests: [{ file: ... }]` entries; relative paths are relative to this directory. */
  baseDir?: string;
  readFile?: (path: string) => string;
}

/** `pools` entries expand to `<name>-1` … `<name>-<count>`, spread round-robin over `zones`. */
function expandPools(pools: unknown): SimulatedNodeSpec[] {
  if (pools === undefined) return [];
  if (!Array.isArray(pools)) fail('cluster.pools', 'expected a list of node pools');
  return pools.flatMap((pool: any, i: number) => {
    const where = `cluster.pools[${i}]`;
    if (!pool || typeof pool.name !== 'string') fail(`${where}.name`, 'required');
    if (!Number.isInteger(pool.count) || pool.count < 1) fail(`${where}.count`, `expected a whole number ≥ 1, got ${JSON.stringify(pool.count)}`);
    const { name, count, zones, ...template } = pool;
    if (zones !== undefined && (!Array.isArray(zones) || zones.length === 0)) fail(`${where}.zones`, 'expected a non-empty list of zone names');
    return Array.from({ length: count }, (_, n) => ({ ...template, name: `${name}-${n + 1}`, ...(zones ? { zone: zones[n % zones.length] } : {}) }));
  });
}

function resolveManifests(entries: unknown, options: ParseScenarioOptions): KubeObject[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) fail('manifests', 'expected a list of Kubernetes objects, { file: PATH } or { yaml: TEXT } entries');
  return entries.flatMap((entry: any, i: number): KubeObject[] => {
    const where = `manifests[${i}]`;
    let text: string | undefined;
    let origin = where;
    if (entry && typeof entry.file === 'string') {
      const path = resolvePath(options.baseDir ?? '.', entry.file);
      try {
        text = (options.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
      } catch (error) {
        fail(`${where}.file`, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      origin = `${where} (${entry.file})`;
    } else if (entry && typeof entry.yaml === 'string') {
      text = entry.yaml;
    }
    if (text !== undefined) {
      try {
        return parseManifests(text);
      } catch (error) {
        fail(origin, (error as Error).message);
      }
    }
    if (!entry?.apiVersion || !entry?.kind || !entry?.metadata?.name) fail(where, 'each manifest needs apiVersion, kind and metadata.name (or use { file: PATH })');
    return [entry as KubeObject];
  });
}

/** Parses and validates a scenario file; errors name the field (`timeline[3].at: ...`). */
export function parseScenario(text: string, options: ParseScenarioOptions = {}): Scenario {
  let document: any;
  try {
    document = parse(text);
  } catch (error) {
    throw new ScenarioFileError(`invalid YAML: ${(error as Error).message}`);
  }
  if (!document || typeof document !== 'object') fail('scenario', 'expected a mapping with seed, cluster, manifests and timeline');
  const seed = document.seed ?? 1;
  if (!Number.isInteger(seed)) fail('seed', `expected a whole number, got ${JSON.stringify(seed)}`);
  const listed = document.cluster?.nodes ?? [];
  if (!Array.isArray(listed)) fail('cluster.nodes', 'expected a list of nodes');
  listed.forEach((node: SimulatedNodeSpec, i: number) => {
    if (!node || typeof node.name !== 'string') fail(`cluster.nodes[${i}].name`, 'required');
  });
  const nodes: SimulatedNodeSpec[] = [...listed, ...expandPools(document.cluster?.pools)];
  if (nodes.length === 0) fail('cluster', 'expected at least one node, under cluster.nodes or cluster.pools');
  const names = new Set<string>();
  for (const node of nodes) {
    if (names.has(node.name)) fail('cluster', `node name ${node.name} is used twice`);
    names.add(node.name);
  }
  const manifests = resolveManifests(document.manifests, options);
  const timeline: TimelineEntry[] = (document.timeline ?? []).map((entry: any, i: number) => {
    const where = `timeline[${i}]`;
    if (!entry || typeof entry !== 'object') fail(where, 'expected a mapping');
    let at: number;
    try {
      at = parseDuration(String(entry.at));
    } catch (error) {
      fail(`${where}.at`, (error as Error).message);
    }
    validateTimelineEntry(entry, where);
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
  const custom = customTypesOf([...manifests, ...timeline.flatMap((entry) => (entry.action === 'apply' ? [entry.manifest] : []))]);
  const expect = expectLines.map((line, i) => {
    if (typeof line !== 'string') fail(`expect[${i}]`, 'expected a string');
    try {
      parseExpectation(line, custom);
    } catch (error) {
      fail(`expect[${i}]`, (error as Error).message);
    }
    return line;
  });
  const interleavings = parseInterleavings(document.interleavings);
  return {
    ...(document.name ? { name: String(document.name) } : {}),
    seed,
    cluster: { nodes },
    manifests,
    timeline,
    duration: Math.max(duration, last),
    ...(expect.length > 0 ? { expect } : {}),
    ...(interleavings.length > 0 ? { interleavings } : {}),
  };
}

/** `interleavings:` entries (docs/scenarios.md): `{ controller, kind, from, to, lag?, keep? }`. */
function parseInterleavings(entries: unknown): DeliveryPerturbation[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) fail('interleavings', 'expected a list of { controller, kind, from, to, lag, keep } entries');
  return entries.map((entry: any, i: number): DeliveryPerturbation => {
    const where = `interleavings[${i}]`;
    if (!entry || typeof entry !== 'object') fail(where, 'expected a mapping');
    for (const field of Object.keys(entry)) {
      if (!['controller', 'kind', 'from', 'to', 'lag', 'keep'].includes(field)) fail(`${where}.${field}`, 'not a field of an interleaving; its fields are controller, kind, from, to, lag, keep');
    }
    if (typeof entry.controller !== 'string' || entry.controller === '') fail(`${where}.controller`, `expected a controller name, got ${JSON.stringify(entry.controller)}`);
    if (!PERTURBATION_KINDS.includes(entry.kind)) fail(`${where}.kind`, `expected one of ${PERTURBATION_KINDS.join(', ')}, got ${JSON.stringify(entry.kind)}`);
    for (const field of ['from', 'to']) {
      if (!Number.isInteger(entry[field]) || entry[field] < 1) fail(`${where}.${field}`, `expected a log position (a whole number ≥ 1), got ${JSON.stringify(entry[field])}`);
    }
    if (entry.to < entry.from) fail(`${where}.to`, `must not be before from (${entry.from})`);
    for (const [field, kind, what] of [['lag', 'stale', 'only a stale view has a lag'], ['keep', 'restart', 'only a restart keeps commands']] as const) {
      if (entry[field] === undefined) continue;
      if (entry.kind !== kind) fail(`${where}.${field}`, what);
      if (!Number.isInteger(entry[field]) || entry[field] < 0) fail(`${where}.${field}`, `expected a whole number ≥ 0, got ${JSON.stringify(entry[field])}`);
    }
    return {
      controller: entry.controller,
      kind: entry.kind,
      from: entry.from,
      to: entry.to,
      ...(entry.lag !== undefined ? { lag: entry.lag } : {}),
      ...(entry.keep !== undefined ? { keep: entry.keep } : {}),
    };
  });
}
