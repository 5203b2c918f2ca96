import { type Selector, labelSelectorAsSelector, matches, newRequirement } from '../../../../core/model/labels.ts';
import { matchesRequiredNodeAffinity } from '../node-affinity.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

interface Constraint {
  topologyKey: string;
  maxSkew: number;
  minDomains: number;
  selector: Selector;
}

interface Prepared {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods in that domain. */
  counts: Array<Map<string, number>>;
  /** Per constraint: the smallest count over the domains (the global minimum). */
  minimums: number[];
}

/** The pod's DoNotSchedule constraints, with matchLabelKeys folded into the selector as Kubernetes does. */
export function hardSpreadConstraints(pod: PodInfo, podSpec: any): Constraint[] | undefined {
  const declared = (podSpec?.topologySpreadConstraints ?? []) as Array<{
    topologyKey: string;
    maxSkew: number;
    whenUnsatisfiable: string;
    minDomains?: number;
    labelSelector?: unknown;
    matchLabelKeys?: string[];
  }>;
  const hard = declared.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  if (hard.length === 0) return undefined;
  return hard.map((c) => {
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(c.labelSelector as never);
      const extra = (c.matchLabelKeys ?? []).filter((key) => pod.labels[key] !== undefined).map((key) => newRequirement(key, 'In', [pod.labels[key]!]));
      if (extra.length) selector = { ...selector, requirements: [...selector.requirements, ...extra] };
    } catch {
      selector = { requirements: [], matchesNothing: true };
    }
    return { topologyKey: c.topologyKey, maxSkew: c.maxSkew, minDomains: c.minDomains ?? 1, selector };
  });
}

/**
 * PodTopologySpread's filter for DoNotSchedule constraints: placing the pod must not make its
 * domain hold more than maxSkew matching pods above the emptiest domain. Domains are the values of
 * the topology key on nodes that carry every constraint's key and match the pod's node affinity.
 */
export const podTopologySpreadFilter: FilterPlugin = {
  name: 'PodTopologySpread',
  preFilter(pod, cluster) {
    const constraints = pod.hardSpreadConstraints;
    if (!constraints) return undefined;
    const eligible = (node: NodeInfo) => constraints.every((c) => node.labels[c.topologyKey] !== undefined) && matchesRequiredNodeAffinity(pod.affinity, node);
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cluster.allNodes()) {
      if (!eligible(node)) continue;
      constraints.forEach((c, i) => {
        const value = node.labels[c.topologyKey]!;
        if (!counts[i]!.has(value)) counts[i]!.set(value, 0);
      });
    }
    cluster.forEachPod((existing, node) => {
      if (existing.terminating || existing.namespace !== pod.namespace || !eligible(node)) return;
      constraints.forEach((c, i) => {
        if (matches(c.selector, existing.labels)) {
          const value = node.labels[c.topologyKey]!;
          counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + 1);
        }
      });
    });
    const minimums = constraints.map((c, i) => (counts[i]!.size < c.minDomains ? 0 : Math.min(...counts[i]!.values())));
    return { constraints, counts, minimums } satisfies Prepared;
  },
  filter(pod, node, prepared) {
    const { constraints, counts, minimums } = prepared as Prepared;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      const value = node.labels[c.topologyKey];
      if (value === undefined) return [ERR_REASON_NODE_LABEL_NOT_MATCH];
      const selfMatch = matches(c.selector, pod.labels) ? 1 : 0;
      const skew = (counts[i]!.get(value) ?? 0) + selfMatch - (Number.isFinite(minimums[i]!) ? minimums[i]! : 0);
      if (skew > c.maxSkew) return [ERR_REASON_CONSTRAINTS_NOT_MATCH];
    }
    return undefined;
  },
};
