import type { KubeObject } from '../../../core/model/object.ts';
import { labelSelectorMatches } from '../../../core/model/labels.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { listObjects } from '../../state/queries.ts';
import { unschedulableMessage } from './decision-message.ts';
import { nodeResourcesFit } from './filters/node-resources-fit.ts';
import type { NodeInfo } from './node-info.ts';
import { type PodInfo, podInfoOf } from './pod-info.ts';
import type { PodAffinityView } from './pod-affinity-view.ts';
import { failingFilter } from './schedule-pod.ts';

/** The pod status message of a victim's DisruptionTarget condition, as kube-scheduler writes it. */
export const PREEMPTION_MESSAGE = 'default-scheduler: preempting to accommodate a higher priority pod';
export const PREEMPTION_REASON = 'PreemptionByScheduler';
const NO_VICTIMS = 'No preemption victims found for incoming pod';
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface Preemption {
  /** Appended to the FailedScheduling message (`preemption: …`); absent when preemption found a node. */
  message?: string;
  /** The node the pod is nominated to and the pods to delete there. */
  nominated?: { node: string; victims: KubeObject[] };
}

/** What preemption reads of the scheduler's cache: the nodes' pods as the nodes' numbers count them. */
export type PreemptionView = PodAffinityView & { podsOn(nodeName: string): KubeObject[] };

const priorityOf = (pod: KubeObject): number => (typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0);

/**
 * kube-scheduler's DefaultPreemption, run when a pod fits no node: on every node where only
 * NodeResourcesFit refused it, remove the pods of lower priority, and if the pod then fits, give
 * back as many of them as still leaves room, most important first (higher priority, then started
 * earlier), those whose eviction a PodDisruptionBudget forbids before the others; those left are
 * the node's victims. The node chosen (`pickOneNodeForPreemption`) has the fewest victims a budget
 * forbids, then the lowest highest-victim priority, then the lowest sum of victim priorities (each
 * counted above every int32, so fewer victims win), then the fewest victims, then the latest start
 * among its highest-priority victims, then the first name.
 *
 * Undefined when no bound pod ranks below this one (nothing could be preempted): the
 * FailedScheduling message then stays as it was, which Kubernetes would extend with
 * `preemption: … No preemption victims found …` on every node.
 */
export function preemptionFor(pod: PodInfo, object: KubeObject, nodes: readonly NodeInfo[], view: PreemptionView, state: ClusterState): Preemption | undefined {
  // Only PriorityClasses give pods priorities other than 0 (besides the two system classes, which
  // only outrank): without any, a pod of priority 0 or less outranks nobody.
  if (pod.priority <= 0 && !state.objects.get('PriorityClass')?.size) return undefined;
  const lower = new Map<string, KubeObject[]>();
  for (const node of nodes) {
    const pods = view.podsOn(node.name).filter((p) => priorityOf(p) < pod.priority);
    if (pods.length > 0) lower.set(node.name, pods);
  }
  if (lower.size === 0) return undefined;
  if (object.spec?.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  const nominated = object.status?.nominatedNodeName as string | undefined;
  if (nominated && (lower.get(nominated) ?? []).some((p) => p.metadata.deletionTimestamp)) {
    return { message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
  }

  const budgets = listObjects(state, 'PodDisruptionBudget');
  const reasons = new Map<string, number>();
  const count = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  let best: { node: string; victims: KubeObject[]; key: number[] } | undefined;
  for (const node of nodes) {
    if (failingFilter(pod, node, view) !== nodeResourcesFit.name) {
      count(NOT_HELPFUL);
      continue;
    }
    const found = victimsOn(pod, node, (lower.get(node.name) ?? []).filter((p) => !p.metadata.deletionTimestamp), budgets);
    if (!found) {
      count(NO_VICTIMS);
      continue;
    }
    const { victims, violating } = found;
    const priorities = victims.map(priorityOf);
    const highest = Math.max(...priorities);
    // int32 priorities each raised by 2^31, as kube-scheduler sums them: more victims always weigh more.
    const sum = priorities.reduce((total, p) => total + p + 2 ** 31, 0);
    const latestStart = -Math.min(...victims.filter((v) => priorityOf(v) === highest).map(startedAt));
    const key = [violating, highest, sum, victims.length, latestStart];
    if (!best || isBetter(key, best.key)) best = { node: node.name, victims, key };
  }
  if (best) return { nominated: { node: best.node, victims: best.victims } };
  return { message: `preemption: ${unschedulableMessage(nodes.length, reasons)}` };
}

function isBetter(key: number[], than: number[]): boolean {
  for (let i = 0; i < key.length; i++) if (key[i] !== than[i]) return key[i]! < than[i]!;
  return false;
}

/** When a pod started (its status.startTime; its creation until it has one), in ms. */
function startedAt(pod: KubeObject): number {
  const time = Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(time) ? 0 : time;
}

/** `MoreImportantPod`: higher priority, then started earlier (then by name, so that the order is total). */
function moreImportantFirst(a: KubeObject, b: KubeObject): number {
  return priorityOf(b) - priorityOf(a) || startedAt(a) - startedAt(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);
}

/**
 * `filterPodsWithPDBViolation`: the candidates (most important first) whose eviction some budget
 * forbids, counting each budget's allowed disruptions down as its pods are taken (a pod the budget
 * already lists among its disrupted pods does not count, and a budget selecting nothing matches
 * nothing), and the others.
 */
function splitByBudgets(candidates: readonly KubeObject[], budgets: readonly KubeObject[]): { violating: KubeObject[]; others: KubeObject[] } {
  const allowed = budgets.map((budget) => Number(budget.status?.disruptionsAllowed ?? 0));
  const violating: KubeObject[] = [];
  const others: KubeObject[] = [];
  for (const candidate of candidates) {
    let violated = false;
    const labels = candidate.metadata.labels;
    if (labels && Object.keys(labels).length > 0) {
      budgets.forEach((budget, i) => {
        const selector = budget.spec?.selector;
        if (budget.metadata.namespace !== candidate.metadata.namespace || !selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) return;
        if (!labelSelectorMatches(selector, labels) || budget.status?.disruptedPods?.[candidate.metadata.name!] !== undefined) return;
        if (--allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : others).push(candidate);
  }
  return { violating, others };
}

/**
 * SelectVictimsOnNode for resources: the fewest of `candidates` whose removal lets the pod fit,
 * giving back first those whose eviction a budget forbids; undefined when removing them all does
 * not make room. `violating` counts the victims a budget forbids evicting.
 */
function victimsOn(pod: PodInfo, node: NodeInfo, candidates: readonly KubeObject[], budgets: readonly KubeObject[]): { victims: KubeObject[]; violating: number } | undefined {
  if (candidates.length === 0) return undefined;
  const trial: NodeInfo = { ...node, requestedOther: new Map(node.requestedOther) };
  const move = (victim: KubeObject, sign: 1 | -1) => {
    const { cpu, memory, other } = podInfoOf(victim).requests;
    trial.requestedCpu += sign * cpu;
    trial.requestedMemory += sign * memory;
    trial.podCount += sign;
    for (const [name, amount] of Object.entries(other ?? {})) trial.requestedOther.set(name, (trial.requestedOther.get(name) ?? 0) + sign * amount);
  };
  for (const victim of candidates) move(victim, -1);
  if (nodeResourcesFit.filter(pod, trial)) return undefined;
  const { violating, others } = splitByBudgets([...candidates].sort(moreImportantFirst), budgets);
  const victims: KubeObject[] = [];
  let violatingVictims = 0;
  const reprieve = (candidate: KubeObject): boolean => {
    move(candidate, 1);
    if (!nodeResourcesFit.filter(pod, trial)) return true;
    move(candidate, -1);
    victims.push(candidate);
    return false;
  };
  for (const candidate of violating) if (!reprieve(candidate)) violatingVictims++;
  for (const candidate of others) reprieve(candidate);
  if (violating.length > 0 && others.length > 0) victims.sort(moreImportantFirst);
  return { victims, violating: violatingVictims };
}
