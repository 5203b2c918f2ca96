import type { KubeObject } from '../../../core/model/object.ts';
import { quantityToMilli } from '../scheduler/resource-quantity.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';

/** `--horizontal-pod-autoscaler-tolerance`: ratios within 10% of 1 leave the scale alone. */
export const TOLERANCE = 0.1;

export interface ResourceReplicas {
  replicas: number;
  /** Current utilisation in percent of the requests, as the status reports it. */
  utilization: number;
  /** Average usage per pod with a metric, in millicores. */
  averageMilli: number;
}

export class MetricError extends Error {}

/** `calculatePodRequests`: every container must request the resource, or utilisation is undefined. */
function podRequests(pods: readonly KubeObject[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let total = 0;
    for (const container of pod.spec?.containers ?? []) {
      const request = container.resources?.requests?.[resource];
      if (request === undefined) throw new MetricError(`missing request for ${resource} in container ${container.name} of Pod ${pod.metadata.name}`);
      total += quantityToMilli(request);
    }
    requests.set(pod.metadata.name!, total);
  }
  return requests;
}

/** `GetResourceUtilizationRatio`: utilisation is truncated to a whole percent before the ratio is taken. */
function utilizationRatio(metrics: Map<string, number>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; averageMilli: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, value] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    metricsTotal += value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new MetricError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, averageMilli: Math.trunc(metricsTotal / entries) };
}

/**
 * `ReplicaCalculator.GetResourceReplicas` for a utilisation target: pods being deleted or failed
 * are ignored, pending and unready pods are left out of the average, and pods without a metric are
 * assumed at 100% of their request when scaling down and at 0% when scaling up; within the
 * tolerance, or when those assumptions flip the direction, the scale stays as it is.
 */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, pods: readonly KubeObject[], podMetrics: ReadonlyMap<string, number>): ResourceReplicas {
  return replicasFor(currentReplicas, resource, pods, podMetrics, {
    requests: () => podRequests(pods, resource),
    ratioOf: (metrics, requests) => utilizationRatio(metrics, requests!, targetUtilization),
    assumedWhenScalingDown: (name, requests) => requests!.get(name) ?? 0,
  });
}

/**
 * `ReplicaCalculator.GetRawResourceReplicas` for an average-value target (`calcPlainMetricReplicas`):
 * the ratio is the average usage (truncated to a whole milli-unit) over the target; pods without a
 * metric count as using the target when scaling down. No requests are needed.
 */
export function rawResourceReplicas(currentReplicas: number, targetMilli: number, resource: string, pods: readonly KubeObject[], podMetrics: ReadonlyMap<string, number>): ResourceReplicas {
  return replicasFor(currentReplicas, resource, pods, podMetrics, {
    requests: () => undefined,
    ratioOf: (metrics) => {
      let total = 0;
      for (const value of metrics.values()) total += value;
      const averageMilli = Math.trunc(total / metrics.size);
      return { ratio: averageMilli / targetMilli, utilization: 0, averageMilli };
    },
    assumedWhenScalingDown: () => targetMilli,
  });
}

/** How a kind of target reads the pods' metrics: the usage ratio against it, and what a pod without a metric counts as on a scale-down. */
interface TargetKind {
  requests: () => Map<string, number> | undefined;
  ratioOf: (metrics: Map<string, number>, requests: Map<string, number> | undefined) => { ratio: number; utilization: number; averageMilli: number };
  assumedWhenScalingDown: (pod: string, requests: Map<string, number> | undefined) => number;
}

function replicasFor(currentReplicas: number, resource: string, pods: readonly KubeObject[], podMetrics: ReadonlyMap<string, number>, target: TargetKind): ResourceReplicas {
  if (podMetrics.size === 0) throw new MetricError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  const metrics = new Map(podMetrics);
  const unready = new Set<string>();
  const missing = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      metrics.delete(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      metrics.delete(name);
      continue;
    }
    if (!metrics.has(name)) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu' && !isPodReady(pod)) {
      unready.add(name);
      metrics.delete(name);
      continue;
    }
    readyPodCount++;
  }
  for (const name of metrics.keys()) if (!pods.some((p) => p.metadata.name === name)) metrics.delete(name);
  if (metrics.size === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = target.requests();
  const { ratio, utilization, averageMilli } = target.ratioOf(metrics, requests);
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, utilization, averageMilli };
    return { replicas: Math.ceil(ratio * readyPodCount), utilization, averageMilli };
  }
  if (ratio < 1) for (const name of missing) metrics.set(name, target.assumedWhenScalingDown(name, requests));
  else if (ratio > 1) for (const name of missing) metrics.set(name, 0);
  if (scaleUpWithUnready) for (const name of unready) metrics.set(name, 0);
  const adjusted = target.ratioOf(metrics, requests).ratio;
  if (Math.abs(1 - adjusted) <= TOLERANCE || (ratio < 1 && adjusted > 1) || (ratio > 1 && adjusted < 1)) return { replicas: currentReplicas, utilization, averageMilli };
  const replicas = Math.ceil(adjusted * metrics.size);
  if ((adjusted < 1 && replicas > currentReplicas) || (adjusted > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization, averageMilli };
  return { replicas, utilization, averageMilli };
}
