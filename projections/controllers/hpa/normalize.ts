/**
 * Turning the metrics' recommendation into the replica count the autoscaler sets
 * (`normalizeDesiredReplicas` and `normalizeDesiredReplicasWithBehaviors` in
 * pkg/controller/podautoscaler/horizontal.go): stabilisation over recent recommendations, then
 * the rate limits. The history lives in the controller, as it does in Kubernetes.
 */

/** `--horizontal-pod-autoscaler-downscale-stabilization`. */
export const DEFAULT_DOWNSCALE_STABILIZATION_MS = 300_000;

export interface Recommendation {
  replicas: number;
  time: number;
}

export interface ScaleEvent {
  change: number;
  time: number;
}

/** What the autoscaler remembers about one HPA between syncs. */
export interface ScalingHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const emptyHistory = (): ScalingHistory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Condition {
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition & { status: 'True' | 'False' };
}

/** `GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`: the defaults a partly given behavior is completed with. */
export function scaleUpRules(rules: ScalingRules | undefined): Required<ScalingRules> {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? 0,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function scaleDownRules(rules: ScalingRules | undefined): Required<ScalingRules> {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_MS / 1000,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

const READY: Condition = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN_RANGE: Condition = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const TOO_MANY: Condition = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW: Condition = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const SCALE_UP_LIMIT: Condition = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const SCALE_DOWN_LIMIT: Condition = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const DOWN_STABILIZED: Condition = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const UP_STABILIZED: Condition = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };

function limited(replicas: number, stabilized: number, condition: Condition): Normalized['scalingLimited'] {
  return { ...condition, status: replicas === stabilized ? 'False' : 'True' };
}

/** Without spec.behavior: the highest recommendation of the downscale window, then at most max(2×current, 4). */
export function normalizeWithoutBehavior(history: ScalingHistory, now: number, current: number, proposed: number, min: number, max: number): Normalized {
  let stabilized = proposed;
  let oldIndex = -1;
  const cutoff = now - DEFAULT_DOWNSCALE_STABILIZATION_MS;
  history.recommendations.forEach((rec, i) => {
    if (rec.time < cutoff) oldIndex = i;
    else if (rec.replicas > stabilized) stabilized = rec.replicas;
  });
  if (oldIndex >= 0) history.recommendations[oldIndex] = { replicas: proposed, time: now };
  else history.recommendations.push({ replicas: proposed, time: now });
  const ableToScale = stabilized !== proposed ? DOWN_STABILIZED : READY;

  const scaleUpLimit = Math.max(2 * current, 4);
  const [maximum, overMaximum] = max > scaleUpLimit ? [scaleUpLimit, SCALE_UP_LIMIT] : [max, TOO_MANY];
  let replicas = stabilized;
  let condition = WITHIN_RANGE;
  if (stabilized < min) [replicas, condition] = [min, TOO_FEW];
  else if (stabilized > maximum) [replicas, condition] = [maximum, overMaximum];
  return { replicas, ableToScale, scalingLimited: limited(replicas, stabilized, condition) };
}

/** Replicas added (or removed) by the events within the last `periodSeconds`. */
function changeInPeriod(events: readonly ScaleEvent[], now: number, periodSeconds: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.time > cutoff).reduce((sum, e) => sum + e.change, 0);
}

function scaleUpLimit(history: ScalingHistory, now: number, current: number, rules: Required<ScalingRules>): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    const start = current - changeInPeriod(history.scaleUpEvents, now, policy.periodSeconds) + changeInPeriod(history.scaleDownEvents, now, policy.periodSeconds);
    const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

function scaleDownLimit(history: ScalingHistory, now: number, current: number, rules: Required<ScalingRules>): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const start = current - changeInPeriod(history.scaleUpEvents, now, policy.periodSeconds) + changeInPeriod(history.scaleDownEvents, now, policy.periodSeconds);
    const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** With spec.behavior: stabilisation windows both ways, then the scaling policies over the recent scale events. */
export function normalizeWithBehavior(history: ScalingHistory, now: number, current: number, proposed: number, min: number, max: number, behavior: { scaleUp?: ScalingRules; scaleDown?: ScalingRules }): Normalized {
  const up = scaleUpRules(behavior.scaleUp);
  const down = scaleDownRules(behavior.scaleDown);
  const upCutoff = now - up.stabilizationWindowSeconds * 1000;
  const downCutoff = now - down.stabilizationWindowSeconds * 1000;
  let upRecommendation = proposed;
  let downRecommendation = proposed;
  let oldIndex = -1;
  history.recommendations.forEach((rec, i) => {
    if (rec.time > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.time > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.time < upCutoff && rec.time < downCutoff) oldIndex = i;
  });
  const stabilized = Math.min(Math.max(current, upRecommendation), downRecommendation);
  if (oldIndex >= 0) history.recommendations[oldIndex] = { replicas: proposed, time: now };
  else history.recommendations.push({ replicas: proposed, time: now });
  const ableToScale = stabilized === proposed ? READY : proposed >= current ? UP_STABILIZED : DOWN_STABILIZED;

  let replicas = stabilized;
  let condition = WITHIN_RANGE;
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(history, now, current, up), current);
    const [maximum, reason] = max > limit ? [limit, SCALE_UP_LIMIT] : [max, TOO_MANY];
    if (stabilized > maximum) [replicas, condition] = [maximum, reason];
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimit(history, now, current, down), current);
    const [minimum, reason] = min < limit ? [limit, SCALE_DOWN_LIMIT] : [min, TOO_FEW];
    if (stabilized < minimum) [replicas, condition] = [minimum, reason];
  }
  return { replicas, ableToScale, scalingLimited: limited(replicas, stabilized, condition) };
}

/** `storeScaleEvent`: remembered only for HPAs with a behavior, and only as long as the longest policy period. */
export function recordScaleEvent(history: ScalingHistory, now: number, from: number, to: number, behavior: { scaleUp?: ScalingRules; scaleDown?: ScalingRules }): void {
  const longest = (rules: Required<ScalingRules>) => Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
  const upCutoff = now - longest(scaleUpRules(behavior.scaleUp));
  const downCutoff = now - longest(scaleDownRules(behavior.scaleDown));
  history.scaleUpEvents = history.scaleUpEvents.filter((e) => e.time > upCutoff);
  history.scaleDownEvents = history.scaleDownEvents.filter((e) => e.time > downCutoff);
  if (to > from) history.scaleUpEvents.push({ change: to - from, time: now });
  else if (to < from) history.scaleDownEvents.push({ change: from - to, time: now });
}
