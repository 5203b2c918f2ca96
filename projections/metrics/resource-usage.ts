import { labelSelectorMatches } from '../../core/model/labels.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';
import { KUBELET_ANNOTATION } from '../controllers/kubelet/sim-annotations.ts';
import { controllerOf } from '../controllers/replicaset/controller-ref.ts';
import { isPodReady } from '../controllers/replicaset/pod-availability.ts';
import { quantityToMilli, quantityToValue } from '../controllers/scheduler/resource-quantity.ts';
import { getObject, listObjects, podsOnNode } from '../state/queries.ts';

/**
 * The simulated resource usage of pods and nodes: what the metrics API (`kubectl top`,
 * api/server/metrics/) reports and what the HorizontalPodAutoscaler scales on. Nothing here is
 * stored: usage is a function of the cluster state, computed when asked (docs/simulation.md,
 * "Resource usage").
 */

/** A pod's own simulated CPU usage, e.g. `250m`: wins over its share of the workload's load. */
export const CPU_USAGE_ANNOTATION = 'sim.orrery.dev/cpu-usage';
/** Total CPU demand on a workload's pods (written by the scenario `load` action). */
export const CPU_LOAD_ANNOTATION = 'sim.orrery.dev/cpu-load';
/** A pod's own simulated memory usage (working set), e.g. `300Mi`. */
export const MEMORY_USAGE_ANNOTATION = 'sim.orrery.dev/memory-usage';
/** What a container that neither requests memory nor is given a usage is taken to use. */
export const CONTAINER_MEMORY_FLOOR_BYTES = 4 * 1024 * 1024;

export interface ContainerUsage {
  name: string;
  /** Whole nanocores, as the metrics API reports cpu. */
  cpuNanocores: number;
  /** Whole bytes (working set). */
  memoryBytes: number;
}

export interface NodeUsage {
  cpuNanocores: number;
  memoryBytes: number;
}

/** The pods a workload's load is spread over: its namespace's pods that its selector selects (as the HPA lists them). */
export function podsOfTarget(state: ClusterState, target: KubeObject): KubeObject[] {
  return listObjects(state, 'Pod', target.metadata.namespace).filter((pod) => labelSelectorMatches(target.spec?.selector, pod.metadata.labels));
}

/**
 * The shares of a workload's `sim.orrery.dev/cpu-load`, in millicores per pod name: a Running
 * pod's `sim.orrery.dev/cpu-usage` annotation, else its share of the load (divided evenly among the
 * Ready, not terminating pods that do not report their own usage). Pods that take no share are left
 * out (ResourceUsage reports them at 0).
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

/**
 * `amount` split in proportion to `weights` (evenly when they are all zero), in whole units that
 * add up to `amount` exactly: each part is the difference of the rounded running totals.
 */
export function splitByWeight(amount: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const shares = total > 0 ? weights : weights.map(() => 1);
  const sum = total > 0 ? total : weights.length;
  const parts: number[] = [];
  let running = 0;
  let given = 0;
  for (const share of shares) {
    running += share;
    const upTo = Math.round((amount * running) / sum);
    parts.push(upTo - given);
    given = upTo;
  }
  return parts;
}

/** Whether the metrics pipeline can see this node: it exists and its simulated kubelet runs (one annotated `sim.orrery.dev/kubelet: none` has none to scrape). */
function nodeScraped(state: ClusterState, nodeName: string | undefined): boolean {
  if (nodeName === undefined || state.stoppedKubelets.has(nodeName)) return false;
  const node = getObject(state, 'Node', undefined, nodeName);
  return node !== undefined && node.metadata.annotations?.[KUBELET_ANNOTATION] !== 'none';
}

/**
 * Usage over one cluster state. A Running pod on a node whose kubelet runs has usage; any other
 * pod, and a node that is missing or whose kubelet is stopped (or not simulated), has none (metrics-server reports
 * only what it scraped, and only Running pods). Shares of a workload's load are computed once per
 * workload and remembered, so listing every pod costs one pass per workload.
 */
export class ResourceUsage {
  private readonly shares = new Map<KubeObject, Map<string, number>>();

  constructor(private readonly state: ClusterState) {}

  /** Per container of `pod.spec.containers`, in spec order; undefined when the pod has no metrics. */
  pod(pod: KubeObject): ContainerUsage[] | undefined {
    if (pod.status?.phase !== 'Running' || !nodeScraped(this.state, pod.spec?.nodeName)) return undefined;
    const containers: any[] = pod.spec?.containers ?? [];
    const cpu = splitByWeight(
      Math.round(this.podCpuMilli(pod) * 1e6),
      containers.map((c) => requestOf(c, 'cpu', quantityToMilli)),
    );
    const memoryUsage = pod.metadata.annotations?.[MEMORY_USAGE_ANNOTATION];
    const memory =
      memoryUsage !== undefined
        ? splitByWeight(quantityToValue(memoryUsage), containers.map((c) => requestOf(c, 'memory', quantityToValue)))
        : containers.map((c) => requestOf(c, 'memory', quantityToValue) || CONTAINER_MEMORY_FLOOR_BYTES);
    return containers.map((container, i) => ({ name: container.name, cpuNanocores: cpu[i]!, memoryBytes: memory[i]! }));
  }

  /**
   * The pod's usage of cpu (millicores) or memory (milli-bytes: the autoscaler reads every
   * resource metric as a milli-value), as the metrics API reports it; undefined when the pod has no
   * metrics.
   */
  podUsageMilli(pod: KubeObject, resource: 'cpu' | 'memory'): number | undefined {
    if (resource === 'cpu') {
      if (pod.status?.phase !== 'Running' || !nodeScraped(this.state, pod.spec?.nodeName)) return undefined;
      return this.podCpuMilli(pod);
    }
    const containers = this.pod(pod);
    if (!containers) return undefined;
    let bytes = 0;
    for (const container of containers) bytes += container.memoryBytes;
    return bytes * 1000;
  }

  /** The sum over the node's pods that have metrics; undefined when the node has none. No system overhead is added. */
  node(nodeName: string): NodeUsage | undefined {
    if (!nodeScraped(this.state, nodeName)) return undefined;
    const usage: NodeUsage = { cpuNanocores: 0, memoryBytes: 0 };
    for (const pod of podsOnNode(this.state, nodeName)) {
      for (const container of this.pod(pod) ?? []) {
        usage.cpuNanocores += container.cpuNanocores;
        usage.memoryBytes += container.memoryBytes;
      }
    }
    return usage;
  }

  /** The pod's CPU in millicores, as the autoscaler sees it; 0 when it has neither its own usage nor a share of a load. */
  private podCpuMilli(pod: KubeObject): number {
    const own = pod.metadata.annotations?.[CPU_USAGE_ANNOTATION];
    if (own !== undefined) return quantityToMilli(own);
    const target = this.loadedWorkloadOf(pod);
    if (!target) return 0;
    let shares = this.shares.get(target);
    if (!shares) this.shares.set(target, (shares = podCpuMetrics(target, podsOfTarget(this.state, target))));
    return shares.get(pod.metadata.name!) ?? 0;
  }

  /** The nearest controller up the pod's chain of controller references (ReplicaSet, then its Deployment) that carries a cpu-load. */
  private loadedWorkloadOf(pod: KubeObject): KubeObject | undefined {
    let object: KubeObject | undefined = pod;
    for (let depth = 0; object && depth < 4; depth++) {
      const ref = controllerOf(object);
      if (!ref) return undefined;
      const owner = getObject(this.state, ref.kind, object.metadata.namespace, ref.name);
      if (!owner || owner.metadata.uid !== ref.uid) return undefined;
      if (owner.metadata.annotations?.[CPU_LOAD_ANNOTATION] !== undefined) return owner;
      object = owner;
    }
    return undefined;
  }
}

function requestOf(container: any, resource: string, parse: (quantity: string | number) => number): number {
  const request = container.resources?.requests?.[resource];
  return request === undefined ? 0 : parse(request);
}
