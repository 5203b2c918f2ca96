import type { SchedulingDecision } from '../../../core/events.ts';
import type { Prng } from '../../../core/prng.ts';
import { unschedulableMessage } from './decision-message.ts';
import { DEFAULT_FILTERS } from './filters/default-filters.ts';
import type { FilterPlugin } from './filters/filter.ts';
import { nodeResourcesFit } from './filters/node-resources-fit.ts';
import { ERR_REASON_NODE_AFFINITY, nodeAffinity } from './filters/node-affinity.ts';
import type { NodeColumns } from './node-columns.ts';
import type { NodeInfo } from './node-info.ts';
import { numFeasibleNodesToFind } from './nodes-to-find.ts';
import type { PodInfo } from './pod-info.ts';
import { DEFAULT_SCORES } from './scores/default-scores.ts';
import type { ScoreCycle, ScorePlugin, SpreadCounts } from './scores/score.ts';
import type { PodAffinityView } from './pod-affinity-view.ts';
import { buildVerdictTable } from './verdict-table.ts';

export interface ScheduleOptions {
  /** Where in the node list this cycle starts (kube-scheduler's nextStartNodeIndex). */
  startIndex: number;
  /** Breaks ties between equally scored nodes. */
  prng: Prng;
  /** 0 (default) = adaptive; 100 evaluates every node, as an explanation wants. */
  percentageOfNodesToScore?: number;
  filters?: readonly FilterPlugin[];
  scores?: readonly ScorePlugin[];
}

/** What a cycle reads besides the node list: sibling counts, bound pods, and the nodes' numbers by position. */
export type SchedulingView = SpreadCounts & PodAffinityView & { readonly columns: NodeColumns; readonly layout: number };

export interface ScheduleResult {
  decision: SchedulingDecision;
  /** The node picked, when one was. */
  node?: NodeInfo;
  /** Nodes filtered this cycle; the next cycle starts that far on. */
  processed: number;
}

interface Failure {
  node: NodeInfo;
  plugin: string;
  reasons: readonly string[];
}

/**
 * One scheduling cycle, as kube-scheduler's schedulePod runs it: filter nodes round-robin from
 * `startIndex` until enough feasible ones are found, score those with every applicable plugin,
 * pick the highest weighted total (ties broken by the PRNG), and record why: every evaluated
 * node's verdict, in the decision's verdict table.
 */
export function schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], spread: SchedulingView, options: ScheduleOptions): ScheduleResult {
  const allFilters = options.filters ?? DEFAULT_FILTERS;
  // PreFilter: plugins that have nothing to check for this pod drop out of the cycle.
  let filters: readonly FilterPlugin[] = allFilters;
  const prepared: unknown[] = [];
  if (allFilters.some((f) => f.preFilter)) {
    const kept: FilterPlugin[] = [];
    for (const plugin of allFilters) {
      const state = plugin.preFilter ? plugin.preFilter(pod, spread) : null;
      if (state === undefined) continue;
      kept.push(plugin);
      prepared.push(state);
    }
    filters = kept;
  }
  // With the default filters, a pod that names no node and has no node affinity, host ports or pod
  // (anti-)affinity or hard spread constraints at stake (their PreFilters skip) passes every filter on a node that is
  // neither cordoned nor tainted exactly when its resources fit: most
  // nodes of most cycles are decided by that one check, and the full chain runs only to find out
  // why a node fails.
  const plainPod = allFilters === DEFAULT_FILTERS && !filters.some((f) => f.preFilter) && pod.nodeName === undefined && !pod.requiresNodeMatch && !pod.hostPorts;
  // For such a pod without extended resources, NodeResourcesFit's own checks are written out here
  // on the node's numbers (the plugin itself runs only to say why a node fails).
  const { cpu, memory, other } = pod.requests;
  const fitsInline = plainPod && other === undefined;
  const all = nodes.length;
  const wanted = numFeasibleNodesToFind(options.percentageOfNodesToScore ?? 0, all);
  // Reused between cycles (a cycle runs to completion before the next starts): at thousands of
  // nodes per decision, fresh arrays each time were a good part of the cost, as garbage.
  if (scratchCodes.length < all + 1) scratchCodes = new Int32Array(Math.max(all + 1, 2 * scratchCodes.length));
  const codes = scratchCodes;
  const positions = scratchPositions(all + 1);
  const failures: Failure[] = [];
  // Every evaluated node in evaluation order (`evaluated[0..evaluatedCount)`), and what became of
  // it (`codes`): its index among the feasible nodes, or -1 - its index in `failures`. A window of
  // the node list in order is written down only if the verdict table asks for its nodes.
  const evaluated = scratchEvaluated;
  let evaluatedCount = 0;
  let feasibleCount = 0;
  // Feasible nodes are stamped with this cycle and their index among the feasible nodes (in the columns), for
  // score plugins that look nodes up by name (spreading).
  cycles = cycles === 0x7fffffff ? 1 : cycles + 1;
  const columns = spread.columns;
  const cycle: ScoreCycle = { id: cycles, positions, columns, nodes };
  const stamps = columns.cycle;
  const feasibleIndexes = columns.feasibleIndex;
  // NodeAffinity's PreFilter: a pod pinned to named nodes is filtered on those alone; every other
  // node counts as rejected by NodeAffinity (one of them stands for the rest among the verdicts).
  let candidates = nodes;
  let outside = 0;
  if (pod.nodeNames && filters.includes(nodeAffinity)) {
    const pinned = [...pod.nodeNames].map((name) => spread.node(name)).filter((node): node is NodeInfo => node !== undefined);
    pinned.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    candidates = pinned;
    outside = all - pinned.length;
    const example = outside > 0 ? nodes.find((node) => !pod.nodeNames!.has(node.name)) : undefined;
    if (example) {
      evaluated[evaluatedCount] = example;
      codes[evaluatedCount++] = -1 - failures.length;
      failures.push({ node: example, plugin: nodeAffinity.name, reasons: [ERR_REASON_NODE_AFFINITY] });
    }
  }
  const inOrder = candidates === nodes;
  const { open, freePods, freeCpu, freeMemory } = columns;
  // NodeResourcesFit checks cpu and memory only when the pod asks for some.
  const cpuAsked = cpu > 0 ? cpu : Number.NEGATIVE_INFINITY;
  const memoryAsked = memory > 0 ? memory : Number.NEGATIVE_INFINITY;
  const candidateCount = candidates.length;
  let processed = outside;
  const startAt = candidateCount > 0 ? options.startIndex % candidateCount : 0;
  let at = startAt;
  if (inOrder && fitsInline) {
    // The common cycle, written for speed: a window of the node list in order (a node's position
    // is its index), for a pod whose fit is three comparisons on the node's numbers.
    const stamp = cycles;
    for (let i = 0; i < candidateCount && feasibleCount < wanted; i++, at = at + 1 === candidateCount ? 0 : at + 1) {
      const slot = evaluatedCount++;
      let failure: Failure | undefined;
      if (!(freePods[at]! >= 1 && !(cpuAsked > freeCpu[at]!) && !(memoryAsked > freeMemory[at]!))) {
        const node = candidates[at]!;
        failure = open[at] === 1 && nodeResourcesFit.filter(pod, node) === undefined ? undefined : firstFailure(pod, node, filters, prepared);
      }
      if (failure) {
        codes[slot] = -1 - failures.length;
        failures.push(failure);
        continue;
      }
      stamps[at] = stamp;
      feasibleIndexes[at] = feasibleCount;
      positions[feasibleCount] = at;
      codes[slot] = feasibleCount++;
    }
    processed += evaluatedCount;
  } else {
    for (let i = 0; i < candidateCount && feasibleCount < wanted; i++, at = at + 1 === candidateCount ? 0 : at + 1) {
      const node = candidates[at]!;
      const position = inOrder ? at : node.index;
      processed++;
      const slot = evaluatedCount++;
      if (!inOrder) evaluated[slot] = node;
      const failure = plainPod && open[position] === 1 && nodeResourcesFit.filter(pod, node) === undefined ? undefined : firstFailure(pod, node, filters, prepared);
      if (failure) {
        codes[slot] = -1 - failures.length;
        failures.push(failure);
        continue;
      }
      stamps[position] = cycles;
      feasibleIndexes[position] = feasibleCount;
      positions[feasibleCount] = position;
      codes[slot] = feasibleCount++;
    }
  }
  const evaluatedNodes = inOrder ? () => windowOf(nodes, startAt, evaluatedCount) : evaluated;
  if (feasibleCount === 0) {
    const counts = new Map<string, number>();
    for (const failure of failures) for (const reason of failure.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    if (outside > 1) counts.set(ERR_REASON_NODE_AFFINITY, (counts.get(ERR_REASON_NODE_AFFINITY) ?? 0) + outside - 1);
    const table = buildVerdictTable(evaluatedNodes, codes, evaluatedCount, failures, [], []);
    const decision: SchedulingDecision = { evaluated: processed, feasible: 0, verdicts: NO_VERDICTS, message: unschedulableMessage(all, counts), table };
    return { decision, processed: processed - outside };
  }

  const count = feasibleCount;
  const plugins = (options.scores ?? DEFAULT_SCORES).filter((plugin) => plugin.applies(pod));
  const perPlugin = plugins.map((_, p) => scratchInts(p, count));
  const pluginCount = plugins.length;
  const totals = scratchTotals(count);
  const keys = scratchKeys(count);
  const outOfRange = combineScores(pod, plugins, perPlugin, count, spread, cycle, totals, keys);

  // The highest total, how many nodes share it, and (for decidedBy) the first node with the
  // highest total below it.
  let best = -1;
  let bestAt = -1;
  let tieCount = 0;
  let second = -1;
  let secondAt = -1;
  for (let i = 0; i < count; i++) {
    const total = totals[i]!;
    if (total > best) {
      second = best;
      secondAt = bestAt;
      best = total;
      bestAt = i;
      tieCount = 1;
    } else if (total === best) tieCount++;
    else if (total > second) {
      second = total;
      secondAt = i;
    }
  }
  let chosen = bestAt;
  if (tieCount > 1) {
    const pick = options.prng.int(tieCount);
    for (let i = 0, seen = 0; i < count; i++) {
      if (totals[i] === best && seen++ === pick) {
        chosen = i;
        break;
      }
    }
  }

  // On a tie the runner-up scores as much as the chosen node, and no plugin separated them.
  const decidedBy = tieCount === 1 && secondAt >= 0 ? separatingPlugin(chosen, secondAt, perPlugin, plugins) : undefined;
  // A window of the cache's own list is named by where it starts, without comparing 500 nodes.
  const windowKey = inOrder && outside === 0 ? `${spread.layout}:${startAt}:${evaluatedCount}` : undefined;
  const table = buildVerdictTable(evaluatedNodes, codes, evaluatedCount, failures, plugins, perPlugin, outOfRange ? undefined : keys, windowKey);
  const node = nodes[positions[chosen]!]!;
  const name = node.name;
  // Whole literals rather than fields added afterwards: the log keeps every decision, and an
  // object grown after creation carries an extra properties array.
  const decision: SchedulingDecision = decidedBy
    ? { evaluated: processed, feasible: count, verdicts: NO_VERDICTS, chosen: name, decidedBy, table }
    : { evaluated: processed, feasible: count, verdicts: NO_VERDICTS, chosen: name, table };
  return { decision, node, processed: processed - outside };
}

/**
 * The `verdicts` of every decision whose table holds its verdicts: one frozen empty array shared
 * by all of them (the log keeps every decision; events are never changed).
 */
const NO_VERDICTS = Object.freeze([]) as unknown as SchedulingDecision['verdicts'];

const scratchEvaluated: NodeInfo[] = [];

/** The `count` nodes from `start` on, round the list (the window a cycle evaluated in order). */
function windowOf(nodes: readonly NodeInfo[], start: number, count: number): readonly NodeInfo[] {
  const window = scratchEvaluated;
  for (let k = 0, at = start; k < count; k++, at = at + 1 === nodes.length ? 0 : at + 1) window[k] = nodes[at]!;
  return window;
}
let scratchCodes = new Int32Array(1024);
let scratchPositionsBuffer = new Int32Array(1024);

function scratchPositions(count: number): Int32Array {
  if (scratchPositionsBuffer.length < count) scratchPositionsBuffer = new Int32Array(Math.max(count, 2 * scratchPositionsBuffer.length));
  return scratchPositionsBuffer;
}
const scratchScores: Int32Array[] = [];
let scratchTotalsBuffer = new Float64Array(0);

function scratchInts(plugin: number, count: number): Int32Array {
  let buffer = scratchScores[plugin];
  if (!buffer || buffer.length < count) scratchScores[plugin] = buffer = new Int32Array(Math.max(count, 2 * (buffer?.length ?? 0)));
  return buffer;
}

let scratchKeysBuffer = new Float64Array(0);
/** Zeros, never written. */
let zeros = new Int32Array(0);

function scratchZeros(count: number): Int32Array {
  if (zeros.length < count) zeros = new Int32Array(Math.max(count, 2 * zeros.length));
  return zeros;
}

function scratchTotals(count: number): Float64Array {
  if (scratchTotalsBuffer.length < count) scratchTotalsBuffer = new Float64Array(Math.max(count, 2 * scratchTotalsBuffer.length));
  return scratchTotalsBuffer;
}

function scratchKeys(count: number): Float64Array {
  if (scratchKeysBuffer.length < count) scratchKeysBuffer = new Float64Array(Math.max(count, 2 * scratchKeysBuffer.length));
  return scratchKeysBuffer;
}

/** Numbers scoring cycles, so that a node's scratch fields say whether it is feasible in this one. */
let cycles = 0;

/** The first filter `node` fails for the pod, if any (every filter in order, with what its PreFilter prepared). */
function firstFailure(pod: PodInfo, node: NodeInfo, filters: readonly FilterPlugin[], prepared: readonly unknown[]): Failure | undefined {
  for (let f = 0; f < filters.length; f++) {
    const plugin = filters[f]!;
    const reasons = plugin.filter(pod, node, prepared[f]);
    if (reasons) return { node, plugin: plugin.name, reasons };
  }
  return undefined;
}

/** Whether `node` passes every filter for `pod` (preFilter included): what a retry asks of a changed node. */
export function passesFilters(pod: PodInfo, node: NodeInfo, cluster: PodAffinityView, filters: readonly FilterPlugin[] = DEFAULT_FILTERS): boolean {
  return failingFilter(pod, node, cluster, filters) === undefined;
}

/** The name of the first filter `node` fails for `pod` (preFilter included), or undefined when it passes them all. */
export function failingFilter(pod: PodInfo, node: NodeInfo, cluster: PodAffinityView, filters: readonly FilterPlugin[] = DEFAULT_FILTERS): string | undefined {
  for (const plugin of filters) {
    const prepared = plugin.preFilter ? plugin.preFilter(pod, cluster) : undefined;
    if (plugin.preFilter && prepared === undefined) continue;
    if (plugin.filter(pod, node, prepared)) return plugin.name;
  }
  return undefined;
}

/** The plugin whose weighted score put the chosen node furthest ahead of the runner-up. */
function separatingPlugin(chosen: number, runnerUp: number, perPlugin: Int32Array[], plugins: readonly ScorePlugin[]): string | undefined {
  let plugin: string | undefined;
  let widest = 0;
  plugins.forEach((p, index) => {
    const gap = (perPlugin[index]![chosen]! - perPlugin[index]![runnerUp]!) * p.weight;
    if (gap > widest) {
      widest = gap;
      plugin = p.name;
    }
  });
  return plugin;
}

/**
 * Scores the feasible nodes with every plugin into `perPlugin` and sums each node's weighted total
 * into `totals` (as kube-scheduler does) and, for the verdict table, one number standing for its
 * scores into `keys` (score × 128^(plugins − 1 − p), exact up to seven plugins). Returns whether
 * keys are out of use (a score outside 0..127, or more than seven plugins).
 *
 * With integer weights every sum is an exact integer, so the order of additions cannot change
 * it: a plugin that gave every node the same score is added once, and the others up to three at a
 * time, in one pass over their arrays. Other weights keep kube-scheduler's order, plugin by plugin.
 */
function combineScores(
  pod: PodInfo,
  plugins: readonly ScorePlugin[],
  perPlugin: readonly Int32Array[],
  count: number,
  spread: SchedulingView,
  cycle: ScoreCycle,
  totals: Float64Array,
  keys: Float64Array,
): boolean {
  const pluginCount = plugins.length;
  let exact = pluginCount <= 64;
  const varying: number[] = [];
  let baseTotal = 0;
  let baseKey = 0;
  let bits = 0;
  for (let p = 0; p < pluginCount; p++) {
    const weight = plugins[p]!.weight;
    if (!(Number.isInteger(weight) && Math.abs(weight) <= 1024)) exact = false;
    const scores = perPlugin[p]!;
    if (plugins[p]!.score(pod, count, scores, spread, cycle) === true && count > 0) {
      baseTotal += scores[0]! * weight;
      baseKey += scores[0]! * 128 ** (pluginCount - 1 - p);
      bits |= scores[0]!;
    } else varying.push(p);
  }
  if (!exact) return sumInOrder(plugins, perPlugin, count, totals, keys);
  if (varying.length === 0) {
    totals.fill(baseTotal, 0, count);
    keys.fill(baseKey, 0, count);
  }
  // Three plugins a pass (the last one padded with plugins scoring 0 at weight 0).
  const zero = scratchZeros(count);
  for (let v = 0; v < varying.length; v += 3) {
    const p = varying[v]!;
    const q = varying[v + 1];
    const r = varying[v + 2];
    const a = perPlugin[p]!;
    const b = q === undefined ? zero : perPlugin[q]!;
    const c = r === undefined ? zero : perPlugin[r]!;
    const wa = plugins[p]!.weight;
    const wb = q === undefined ? 0 : plugins[q]!.weight;
    const wc = r === undefined ? 0 : plugins[r]!.weight;
    const ka = 128 ** (pluginCount - 1 - p);
    const kb = q === undefined ? 0 : 128 ** (pluginCount - 1 - q);
    const kc = r === undefined ? 0 : 128 ** (pluginCount - 1 - r);
    if (v === 0) {
      for (let i = 0; i < count; i++) {
        const x = a[i]!;
        const y = b[i]!;
        const z = c[i]!;
        totals[i] = baseTotal + x * wa + y * wb + z * wc;
        keys[i] = baseKey + x * ka + y * kb + z * kc;
        bits |= x | y | z;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const x = a[i]!;
        const y = b[i]!;
        const z = c[i]!;
        totals[i] = totals[i]! + x * wa + y * wb + z * wc;
        keys[i] = keys[i]! + x * ka + y * kb + z * kc;
        bits |= x | y | z;
      }
    }
  }
  return pluginCount > 7 || (bits & ~127) !== 0;
}

/** The totals and keys plugin by plugin, each node's total summed in plugin order (as kube-scheduler does). */
function sumInOrder(plugins: readonly ScorePlugin[], perPlugin: readonly Int32Array[], count: number, totals: Float64Array, keys: Float64Array): boolean {
  const pluginCount = plugins.length;
  let bits = 0;
  if (pluginCount === 0) {
    totals.fill(0, 0, count);
    keys.fill(0, 0, count);
  }
  for (let p = 0; p < pluginCount; p++) {
    const scores = perPlugin[p]!;
    const weight = plugins[p]!.weight;
    if (p === 0) {
      for (let i = 0; i < count; i++) {
        const score = scores[i]!;
        totals[i] = score * weight;
        keys[i] = score;
        bits |= score;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const score = scores[i]!;
        totals[i]! += score * weight;
        keys[i] = keys[i]! * 128 + score;
        bits |= score;
      }
    }
  }
  return pluginCount > 7 || (bits & ~127) !== 0;
}
