import type { NodeVerdict, SchedulingDecision } from '../../../core/events.ts';
import type { Prng } from '../../../core/prng.ts';
import { unschedulableMessage } from './decision-message.ts';
import { DEFAULT_FILTERS } from './filters/default-filters.ts';
import type { FilterPlugin } from './filters/filter.ts';
import type { NodeInfo } from './node-info.ts';
import { numFeasibleNodesToFind } from './nodes-to-find.ts';
import type { PodInfo } from './pod-info.ts';
import { DEFAULT_SCORES } from './scores/default-scores.ts';
import type { ScorePlugin, SpreadCounts } from './scores/score.ts';

/** How many verdicts a decision keeps by default (docs/architecture.md, "Scheduling decisions"). */
export const DEFAULT_MAX_VERDICTS = 100;

export interface ScheduleOptions {
  /** Where in the node list this cycle starts (kube-scheduler's nextStartNodeIndex). */
  startIndex: number;
  /** Breaks ties between equally scored nodes. */
  prng: Prng;
  /** 0 (default) = adaptive; 100 evaluates every node, as an explanation wants. */
  percentageOfNodesToScore?: number;
  maxVerdicts?: number;
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
 * pick the highest weighted total (ties broken by the PRNG), and record why.
 */
export function schedulePod(pod: PodInfo, nodes: readonly NodeInfo[], spread: SpreadCounts, options: ScheduleOptions): ScheduleResult {
  const filters = options.filters ?? DEFAULT_FILTERS;
  const all = nodes.length;
  const wanted = numFeasibleNodesToFind(options.percentageOfNodesToScore ?? 0, all);
  const feasible: NodeInfo[] = [];
  const failures: Failure[] = [];
  let processed = 0;
  for (let i = 0; i < all && feasible.length < wanted; i++) {
    const node = nodes[(options.startIndex + i) % all]!;
    processed++;
    let rejected = false;
    for (const plugin of filters) {
      const reasons = plugin.filter(pod, node);
      if (reasons) {
        failures.push({ node, plugin: plugin.name, reasons });
        rejected = true;
        break;
      }
    }
    if (!rejected) feasible.push(node);
  }
  const maxVerdicts = options.maxVerdicts ?? DEFAULT_MAX_VERDICTS;
  if (feasible.length === 0) {
    const counts = new Map<string, number>();
    for (const failure of failures) for (const reason of failure.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    const verdicts = failureVerdicts(failures, maxVerdicts);
    const decision: SchedulingDecision = { evaluated: processed, feasible: 0, verdicts, message: unschedulableMessage(all, counts) };
    if (verdicts.length < failures.length) decision.truncated = true;
    return { decision, processed };
  }

  const count = feasible.length;
  const plugins = (options.scores ?? DEFAULT_SCORES).filter((plugin) => plugin.applies(pod));
  const perPlugin = plugins.map(() => new Int32Array(count));
  const totals = new Float64Array(count);
  plugins.forEach((plugin, p) => {
    const scores = perPlugin[p]!;
    plugin.score(pod, feasible, count, scores, spread);
    for (let i = 0; i < count; i++) totals[i]! += scores[i]! * plugin.weight;
  });

  let best = -1;
  const ties: number[] = [];
  for (let i = 0; i < count; i++) {
    if (totals[i]! > best) {
      best = totals[i]!;
      ties.length = 0;
      ties.push(i);
    } else if (totals[i] === best) ties.push(i);
  }
  const chosen = ties.length === 1 ? ties[0]! : ties[options.prng.int(ties.length)]!;

  const decision: SchedulingDecision = {
    evaluated: processed,
    feasible: count,
    verdicts: [],
    chosen: feasible[chosen]!.name,
  };
  const decidedBy = separatingPlugin(chosen, totals, perPlugin, plugins);
  if (decidedBy) decision.decidedBy = decidedBy;

  const failureBudget = processed > maxVerdicts ? Math.min(distinctReasons(failures), maxVerdicts) : failures.length;
  const feasibleBudget = Math.max(0, maxVerdicts - failureBudget);
  const order = topIndexes(totals, count, feasibleBudget, chosen);
  for (const i of order) {
    const scores: Record<string, number> = {};
    plugins.forEach((plugin, p) => (scores[plugin.name] = perPlugin[p]![i]!));
    decision.verdicts.push({ node: feasible[i]!.name, scores, total: totals[i]! });
  }
  const failed = failureVerdicts(failures, maxVerdicts - decision.verdicts.length);
  for (const verdict of failed) decision.verdicts.push(verdict);
  if (decision.verdicts.length < processed) decision.truncated = true;
  return { decision, node: feasible[chosen]!, processed };
}

/** The plugin whose weighted score put the chosen node furthest ahead of the runner-up; none on a tie. */
function separatingPlugin(chosen: number, totals: Float64Array, perPlugin: Int32Array[], plugins: readonly ScorePlugin[]): string | undefined {
  let runnerUp = -1;
  for (let i = 0; i < totals.length; i++) if (i !== chosen && (runnerUp < 0 || totals[i]! > totals[runnerUp]!)) runnerUp = i;
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

/** Indexes of the `limit` best totals, best first (the chosen node always first), ties in evaluation order. */
function topIndexes(totals: Float64Array, count: number, limit: number, chosen: number): number[] {
  if (limit <= 0) return [];
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) if (i !== chosen) indexes.push(i);
  indexes.sort((a, b) => totals[b]! - totals[a]! || a - b);
  indexes.length = Math.min(indexes.length, limit - 1);
  indexes.unshift(chosen);
  return indexes;
}

function distinctReasons(failures: readonly Failure[]): number {
  const seen = new Set<string>();
  for (const failure of failures) seen.add(failure.reasons.join(', '));
  return seen.size;
}

/**
 * Failure verdicts within `limit`: all of them when they fit, otherwise one node per distinct
 * reason first, then others in evaluation order.
 */
function failureVerdicts(failures: readonly Failure[], limit: number): NodeVerdict[] {
  const verdictOf = (f: Failure): NodeVerdict => ({ node: f.node.name, failure: f.reasons.join(', '), plugin: f.plugin });
  if (failures.length <= limit) return failures.map(verdictOf);
  const picked = new Set<Failure>();
  const seen = new Set<string>();
  for (const failure of failures) {
    if (picked.size >= limit) break;
    const reason = failure.reasons.join(', ');
    if (!seen.has(reason)) {
      seen.add(reason);
      picked.add(failure);
    }
  }
  for (const failure of failures) {
    if (picked.size >= limit) break;
    picked.add(failure);
  }
  return failures.filter((f) => picked.has(f)).map(verdictOf);
}
