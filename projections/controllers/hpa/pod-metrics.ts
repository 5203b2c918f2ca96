import type { KubeObject } from '../../../core/model/object.ts';
import { quantityToMilli } from '../scheduler/resource-quantity.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';

/** A pod's own simulated CPU usage, e.g. `250m`: wins over its share of the target's load. */
export const CPU_USAGE_ANNOTATION = 'sim.orrery.dev/cpu-usage';
/** Total CPU demand on a workload's pods (written by the scenario `load` action). */
export const CPU_LOAD_ANNOTATION = 'sim.orrery.dev/cpu-load';

/**
 * The simulated resource metrics API for cpu (millicores per pod name): a pod's
 * `sim.orrery.dev/cpu-usage` annotation, else its share of the target's `sim.orrery.dev/cpu-load`
 * (the load divided evenly among the Ready pods that do not report their own usage). Pods that are
 * not running, or not Ready under a load, report nothing, as a pod the metrics server has not scraped.
 */
export function podCpuMetrics(target: KubeObject, pods: readonly KubeObject[]): Map<string, number> {
  const metrics = new Map<string, number>();
  const sharing: KubeObject[] = [];
  for (const pod of pods) {
    if (pod.status?.phase !== 'Running') continue;
    const own = pod.metadata.annotations?.[CPU_USAGE_ANNOTATION];
    if (own !== undefined) metrics.set(pod.metadata.name!, quantityToMilli(own));
    else if (isPodReady(pod) && !pod.metadata.deletionTimestamp) sharing.push(pod);
  }
  const load = target.metadata.annotations?.[CPU_LOAD_ANNOTATION];
  if (load !== undefined && sharing.length > 0) {
    const share = quantityToMilli(load) / sharing.length;
    for (const pod of sharing) metrics.set(pod.metadata.name!, share);
  }
  return metrics;
}
