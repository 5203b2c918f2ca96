import type { SchedulingDecision } from '../../../core/events.ts';
import type { Prng } from '../../../core/prng.ts';
import { unschedulableMessage } from './decision-message.ts';
import { DEFAULT_FILTERS } from './filters/default-filters.ts';
import type { FilterPlugin } from './filters/filter.ts';
import { nodeResourcesFit } from './filters/node-resources-fit.ts';
import { ERR_REASON_NODE_AFFINITY, nodeAffinity } from './filters/node-affinity.ts';
import type { NodeInfo } from './node-info.ts';
import { numFeasibleNodesToFind } from './nodes-to-find.ts';
import type { PodInfo } from './pod-info.ts';
import { DEFAULT_SCORES } from './scores/default-scores.ts';
import type { ScorePlugin, SpreadCounts } from './scores/score.ts';
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
export function schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], spread: SpreadCounts & PodAffinityView, options: ScheduleOptions): ScheduleResult {
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
  const all = nodes.length;
  const wanted = numFeasibleNodesToFind(options.percentageOfNodesToScore ?? 0, all);
  // Reused between cycles (a cycle runs to completion before the next starts): at thousands of
  // nodes per decision, fresh arrays each time were a good part of the cost, as garbage.
  const feasible = scratchFeasible;
  feasible.length = 0;
  const failures: Failure[] = [];
  // Every evaluated node in evaluation order, and what became of it: its index in `feasible`, or
  // -1 - its index in `failures`.
  const evaluated = scratchEvaluated;
  evaluated.length = 0;
  if (scratchCodes.length < nodes.length) scratchCodes = new Int32Array(Math.max(nodes.length, 2 * scratchCodes.length));
  const codes = scratchCodes;
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
      codes[evaluated.push(example) - 1] = -1 - failures.length;
      failures.push({ node: example, plugin: nodeAffinity.name, reasons: [ERR_REASON_NODE_AFFINITY] });
    }
  }
  const candidateCount = candidates.length;
  let processed = outside;
  for (let i = 0; i < candidateCount && feasible.length < wanted; i++) {
    const node = candidates[(options.startIndex + i) % candidateCount]!;
    processed++;
    const at = evaluated.push(node) - 1;
    if (plainPod && !node.unschedulable && node.hardTaints.length === 0 && nodeResourcesFit.filter(pod, node) === undefined) {
      codes[at] = feasible.push(node) - 1;
      continue;
    }
    let rejected = false;
    for (let f = 0; f < filters.length; f++) {
      const plugin = filters[f]!;
      const reasons = plugin.filter(pod, node, prepared[f]);
      if (reasons) {
        codes[at] = -1 - failures.length;
        failures.push({ node, plugin: plugin.name, reasons });
        rejected = true;
        break;
      }
    }
    if (!rejected) codes[at] = feasible.push(node) - 1;
  }
  if (feasible.length === 0) {
    const counts = new Map<string, number>();
    for (const failure of failures) for (const reason of failure.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    if (outside > 1) counts.set(ERR_REASON_NODE_AFFINITY, (counts.get(ERR_REASON_NODE_AFFINITY) ?? 0) + outside - 1);
    const table = buildVerdictTable(evaluated, codes, evaluated.length, failures, [], []);
    const decision: SchedulingDecision = { evaluated: processed, feasible: 0, verdicts: [], message: unschedulableMessage(all, counts), table };
    return { decision, processed: processed - outside };
  }

  const count = feasible.length;
  const cycle = { id: ++cycles };
  for (let i = 0; i < count; i++) {
    const node = feasible[i]!;
    node.cycle = cycle.id;
    node.feasibleIndex = i;
  }
  const plugins = (options.scores ?? DEFAULT_SCORES).filter((plugin) => plugin.applies(pod));
  const perPlugin = plugins.map((_, p) => scratchInts(p, count));
  const totals = scratchTotals(count);
  for (let p = 0; p < plugins.length; p++) {
    const plugin = plugins[p]!;
    const scores = perPlugin[p]!;
    plugin.score(pod, feasible, count, scores, spread, cycle);
    const weight = plugin.weight;
    for (let i = 0; i < count; i++) totals[i]! += scores[i]! * weight;
  }

  let best = -1;
  let tieCount = 0;
  for (let i = 0; i < count; i++) {
    const total = totals[i]!;
    if (total > best) {
      best = total;
      tieCount = 1;
    } else if (total === best) tieCount++;
  }
  let chosen = -1;
  const pick = tieCount === 1 ? 0 : options.prng.int(tieCount);
  for (let i = 0, seen = 0; i < count; i++) {
    if (totals[i] === best && seen++ === pick) {
      chosen = i;
      break;
    }
  }

  const decidedBy = separatingPlugin(chosen, count, totals, perPlugin, plugins);
  const table = buildVerdictTable(evaluated, codes, evaluated.length, failures, plugins, perPlugin);
  const name = feasible[chosen]!.name;
  // Whole literals rather than fields added afterwards: the log keeps every decision, and an
  // object grown after creation carries an extra properties array.
  const decision: SchedulingDecision = decidedBy
    ? { evaluated: processed, feasible: count, verdicts: [], chosen: name, decidedBy, table }
    : { evaluated: processed, feasible: count, verdicts: [], chosen: name, table };
  return { decision, node: feasible[chosen]!, processed: processed - outside };
}

const scratchFeasible: NodeInfo[] = [];
const scratchEvaluated: NodeInfo[] = [];
let scratchCodes = new Int32Array(1024);
const scratchScores: Int32Array[] = [];
let scratchTotalsBuffer = new Float64Array(0);

function scratchInts(plugin: number, count: number): Int32Array {
  let buffer = scratchScores[plugin];
  if (!buffer || buffer.length < count) scratchScores[plugin] = buffer = new Int32Array(Math.max(count, 2 * (buffer?.length ?? 0)));
  return buffer;
}

function scratchTotals(count: number): Float64Array {
  if (scratchTotalsBuffer.length < count) scratchTotalsBuffer = new Float64Array(Math.max(count, 2 * scratchTotalsBuffer.length));
  scratchTotalsBuffer.fill(0, 0, count);
  return scratchTotalsBuffer;
}

/** Numbers scoring cycles, so that a node's scratch fields say whether it is feasible in this one. */
let cycles = 0;

/** Whether `node` passes every filter for `pod` (preFilter included): what a retry asks of a changed node. */
export function passesFilters(pod: PodInfo, node: NodeInfo, cluster: PodAffinityView, filters: readonly FilterPlugin[] = DEFAULT_FILTERS): boolean {
  for (const plugin of filters) {
    const prepared = plugin.preFilter ? plugin.preFilter(pod, cluster) : undefined;
    if (plugin.preFilter && prepared === undefined) continue;
    if (plugin.filter(pod, node, prepared)) return false;
  }
  return true;
}

/** The plugin whose weighted score put the chosen node furthest ahead of the runner-up; none on a tie. */
function separatingPlugin(chosen: number, count: number, totals: Float64Array, perPlugin: Int32Array[], plugins: readonly ScorePlugin[]): string | undefined {
  let runnerUp = -1;
  for (let i = 0; i < count; i++) if (i !== chosen && (runnerUp < 0 || totals[i]! > totals[runnerUp]!)) runnerUp = i;
  if (runnerUp < 0 || totals[runnerUp]! >= totals[chosen]!) return undefined;
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
