import { labelSelectorMatches } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';

export interface BudgetVerdict {
  budget: KubeObject;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

export function isPodReady(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return ((pod.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The PodDisruptionBudgets in the pod's namespace whose selector matches it. */
export function budgetsCovering(state: ClusterState, pod: KubeObject): KubeObject[] {
  const prefix = `${pod.metadata.namespace}/`;
  const budgets: KubeObject[] = [];
  for (const [key, budget] of state.objects.get('PodDisruptionBudget') ?? []) {
    if (!key.startsWith(prefix)) continue;
    if (budget.spec?.selector && labelSelectorMatches(budget.spec.selector, pod.metadata.labels)) budgets.push(budget);
  }
  return budgets;
}

function resolveCount(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'string' && value.endsWith('%')) {
    const fraction = (Number(value.slice(0, -1)) / 100) * total;
    return roundUp ? Math.ceil(fraction) : Math.floor(fraction);
  }
  return Number(value ?? 0);
}

/**
 * What the disruption controller would compute for a budget now: desired healthy pods from
 * minAvailable (or expected minus maxUnavailable) and the healthy (Ready, not terminating) pods it covers.
 */
export function evaluateBudget(state: ClusterState, budget: KubeObject): BudgetVerdict {
  const prefix = `${budget.metadata.namespace}/`;
  const covered: KubeObject[] = [];
  for (const [key, pod] of state.objects.get('Pod') ?? []) {
    if (key.startsWith(prefix) && labelSelectorMatches(budget.spec?.selector, pod.metadata.labels)) covered.push(pod);
  }
  const expected = covered.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  const currentHealthy = covered.filter(isPodReady).length;
  let desiredHealthy: number;
  if (budget.spec?.maxUnavailable !== undefined) desiredHealthy = Math.max(0, expected - resolveCount(budget.spec.maxUnavailable, expected, true));
  else desiredHealthy = resolveCount(budget.spec?.minAvailable ?? 1, expected, true);
  return { budget, desiredHealthy, currentHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}
