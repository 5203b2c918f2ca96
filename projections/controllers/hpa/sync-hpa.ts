import type { KubeObject } from '../../../core/model/object.ts';
import { formatMilli } from '../../../core/model/quantity.ts';
import { resourceTypeForKind } from '../../../core/model/registry.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { type Normalized, type ScalingHistory, normalizeWithBehavior, normalizeWithoutBehavior, recordScaleEvent } from './normalize.ts';
import { ResourceUsage, podsOfTarget } from '../../metrics/resource-usage.ts';
import { MetricError, rawResourceReplicas, resourceReplicas } from './replica-calculator.ts';
import { quantityToMilli } from '../scheduler/resource-quantity.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

/** Kinds with a scale subresource the autoscaler can drive. */
export const SCALABLE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

interface HpaCondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

interface MetricOutcome {
  replicas?: number;
  status: Record<string, unknown>;
  name: string;
  error?: string;
}

/** The pods' usage of a resource in milli-units, by name, as the metrics API reports it (`kubectl top` shows the same): pods without metrics are left out. */
function podMetrics(pods: readonly KubeObject[], usage: ResourceUsage, resource: 'cpu' | 'memory'): Map<string, number> {
  const metrics = new Map<string, number>();
  for (const pod of pods) {
    const value = usage.podUsageMilli(pod, resource);
    if (value !== undefined) metrics.set(pod.metadata.name!, value);
  }
  return metrics;
}

/**
 * One metric spec evaluated against the simulated metrics API, as `computeStatusForResourceMetric`
 * does: Resource metrics of cpu or memory, with an AverageValue target (checked first) or a
 * Utilization one. Other metric types have no simulated source.
 */
function evaluateMetric(spec: any, current: number, pods: KubeObject[], usage: ResourceUsage): MetricOutcome {
  if (spec?.type !== 'Resource') {
    return { status: { type: '' }, name: '', error: `the simulated metrics API has no ${spec?.type ?? 'unknown'} metric ${spec?.resource?.name ?? ''}`.trim() };
  }
  const resource: string = spec.resource?.name;
  const target = spec.resource?.target ?? {};
  const byValue = target.averageValue !== undefined;
  const name = byValue ? `${resource} resource` : `${resource} resource utilization (percentage of request)`;
  const failure = (message: string): MetricOutcome => ({ status: { type: '' }, name, error: `failed to get ${resource} ${byValue ? 'usage' : 'utilization'}: ${message}` });
  if (resource !== 'cpu' && resource !== 'memory') return failure(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  if (!byValue && target.averageUtilization === undefined) {
    return { status: { type: '' }, name, error: 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set' };
  }
  try {
    const metrics = podMetrics(pods, usage, resource);
    const result = byValue
      ? rawResourceReplicas(current, quantityToMilli(target.averageValue), resource, pods, metrics)
      : resourceReplicas(current, target.averageUtilization, resource, pods, metrics);
    const currentValue = byValue ? { averageValue: formatMilli(result.averageMilli) } : { averageValue: formatMilli(result.averageMilli), averageUtilization: result.utilization };
    return { replicas: result.replicas, name, status: { type: 'Resource', resource: { name: resource, current: currentValue } } };
  } catch (error) {
    if (!(error instanceof MetricError)) throw error;
    return failure(error.message);
  }
}

function withConditions(previous: HpaCondition[] | undefined, next: HpaCondition[], now: number): Array<HpaCondition & { lastTransitionTime: string }> {
  return next.map((condition) => {
    const before = (previous as Array<HpaCondition & { lastTransitionTime?: string }> | undefined)?.find((c) => c.type === condition.type);
    const lastTransitionTime = before?.status === condition.status && before.lastTransitionTime ? before.lastTransitionTime : toRfc3339(now);
    return { type: condition.type, status: condition.status, lastTransitionTime, reason: condition.reason, message: condition.message };
  });
}

function statusUpdate(hpa: KubeObject, status: Record<string, unknown>, meta: CommandMeta): Command[] {
  const comparable = (s: any) => ({ ...s, conditions: (s?.conditions ?? []).map((c: any) => ({ ...c, lastTransitionTime: undefined })) });
  if (jsonEqual(comparable(hpa.status ?? {}), comparable(status))) return [];
  const object = clonePlain(hpa);
  delete object.metadata.resourceVersion;
  object.status = status;
  return [{ ...meta, type: 'update', subresource: 'status', object }];
}

/**
 * One `reconcileAutoscaler` pass: read the target's scale, keep it inside min/max, else compute
 * the replicas each metric asks for, take the largest, stabilise and rate-limit it, write the new
 * scale to the target's spec.replicas and the outcome to the HPA's status.
 */
export function syncHpa(state: ClusterState, hpa: KubeObject, history: ScalingHistory, meta: CommandMeta): Command[] {
  const now = state.time;
  const spec = hpa.spec ?? {};
  const namespace = hpa.metadata.namespace!;
  const ref = spec.scaleTargetRef ?? {};
  const min: number = spec.minReplicas ?? 1;
  const max: number = spec.maxReplicas;
  const previous: HpaCondition[] | undefined = hpa.status?.conditions;
  const target = SCALABLE_KINDS.has(ref.kind) ? getObject(state, ref.kind, namespace, ref.name) : undefined;
  if (!target) {
    const type = resourceTypeForKind(ref.kind);
    const resource = type ? (type.group ? `${type.plural}.${type.group}` : type.plural) : String(ref.kind ?? '').toLowerCase();
    const conditions = withConditions(previous, [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${resource} "${ref.name}" not found` }], now);
    return statusUpdate(hpa, { ...hpa.status, currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions }, meta);
  }
  const current: number = target.spec?.replicas ?? 1;
  const conditions: HpaCondition[] = [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" }];
  const setCondition = (condition: HpaCondition) => {
    const index = conditions.findIndex((c) => c.type === condition.type);
    if (index >= 0) conditions[index] = condition;
    else conditions.push(condition);
  };
  let desired = current;
  let metricStatuses: Record<string, unknown>[] = [];
  if (current === 0 && min !== 0) {
    desired = 0;
    setCondition({ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
  } else if (current > max) desired = max;
  else if (current < min) desired = min;
  else {
    const pods = podsOfTarget(state, target);
    const usage = new ResourceUsage(state);
    const outcomes = ((spec.metrics ?? []) as unknown[]).map((metric) => evaluateMetric(metric, current, pods, usage));
    metricStatuses = outcomes.map((o) => o.status);
    const valid = outcomes.filter((o) => o.replicas !== undefined);
    const invalid = outcomes.filter((o) => o.error !== undefined);
    if (valid.length === 0 || invalid.length >= outcomes.length) {
      const reason = 'FailedGetResourceMetric';
      setCondition({ type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${invalid[0]?.error ?? 'no metrics'}` });
      return statusUpdate(hpa, { ...statusBase(hpa, current, hpa.status?.desiredReplicas ?? 0, metricStatuses), conditions: withConditions(previous, conditions, now) }, meta);
    }
    let proposed = 0;
    let metricName = '';
    for (const outcome of valid) {
      if (outcome.replicas! > proposed) [proposed, metricName] = [outcome.replicas!, outcome.name];
    }
    setCondition({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metricName}` });
    const normalized: Normalized = spec.behavior ? normalizeWithBehavior(history, now, current, proposed, min, max, spec.behavior) : normalizeWithoutBehavior(history, now, current, proposed, min, max);
    setCondition({ type: 'AbleToScale', status: 'True', ...normalized.ableToScale });
    setCondition({ type: 'ScalingLimited', ...normalized.scalingLimited });
    desired = normalized.replicas;
  }
  const commands: Command[] = [];
  const status = statusBase(hpa, current, desired, metricStatuses);
  if (desired !== current) {
    const scaled = clonePlain(target);
    delete scaled.metadata.resourceVersion;
    scaled.spec = { ...scaled.spec, replicas: desired };
    commands.push({ ...meta, type: 'update', object: scaled });
    if (spec.behavior) recordScaleEvent(history, now, current, desired, spec.behavior);
    setCondition({ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
    status.lastScaleTime = toRfc3339(now);
  }
  commands.push(...statusUpdate(hpa, { ...status, conditions: withConditions(previous, conditions, now) }, meta));
  return commands;
}

function statusBase(hpa: KubeObject, current: number, desired: number, metrics: Record<string, unknown>[]): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  if (hpa.status?.lastScaleTime) status.lastScaleTime = hpa.status.lastScaleTime;
  status.currentReplicas = current;
  status.desiredReplicas = desired;
  if (metrics.length > 0) status.currentMetrics = metrics;
  return status;
}
