import type { NodeInfo } from '../node-info.ts';
import { type AffinityTerm, matchesAllTerms, termMatches } from '../pod-affinity.ts';
import type { FilterPlugin } from './filter.ts';

export const ERR_REASON_AFFINITY_RULES = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES = "node(s) didn't satisfy existing pods anti-affinity rules";

/** topologyKey \0 value → how many matching pods sit in that domain. */
type TopologyCounts = Map<string, number>;

interface Prepared {
  affinity: TopologyCounts;
  antiAffinity: TopologyCounts;
  existingAntiAffinity: TopologyCounts;
}

function countIn(counts: TopologyCounts, node: NodeInfo, topologyKey: string): void {
  const value = node.labels[topologyKey];
  if (value === undefined) return;
  const pair = `${topologyKey}\0${value}`;
  counts.set(pair, (counts.get(pair) ?? 0) + 1);
}

function countOf(counts: TopologyCounts, node: NodeInfo, topologyKey: string): number | undefined {
  const value = node.labels[topologyKey];
  return value === undefined ? undefined : (counts.get(`${topologyKey}\0${value}`) ?? 0);
}

/**
 * InterPodAffinity (required terms): the pod's affinity needs a matching pod in the node's domain
 * for every term (unless no pod matches anywhere and the pod matches its own terms: the first of
 * a group), its anti-affinity needs none, and no bound pod's anti-affinity may reject it there.
 */
export const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  preFilter(pod, cluster) {
    const existingAntiAffinity: TopologyCounts = new Map();
    const incoming = { namespace: pod.namespace, labels: pod.labels };
    cluster.forEachPodWithAntiAffinity((terms, node) => {
      for (const term of terms) if (termMatches(term, incoming)) countIn(existingAntiAffinity, node, term.topologyKey);
    });
    const affinityTerms = pod.affinityTerms ?? [];
    const antiAffinityTerms = pod.antiAffinityTerms ?? [];
    if (existingAntiAffinity.size === 0 && affinityTerms.length === 0 && antiAffinityTerms.length === 0) return undefined;
    const affinity: TopologyCounts = new Map();
    const antiAffinity: TopologyCounts = new Map();
    if (affinityTerms.length > 0 || antiAffinityTerms.length > 0) {
      cluster.forEachPod((existing, node) => {
        if (affinityTerms.length > 0 && matchesAllTerms(affinityTerms, existing)) for (const term of affinityTerms) countIn(affinity, node, term.topologyKey);
        for (const term of antiAffinityTerms) if (termMatches(term, existing)) countIn(antiAffinity, node, term.topologyKey);
      });
    }
    return { affinity, antiAffinity, existingAntiAffinity } satisfies Prepared;
  },
  filter(pod, node, prepared) {
    const { affinity, antiAffinity, existingAntiAffinity } = prepared as Prepared;
    if (!satisfiesAffinity(pod.affinityTerms, affinity, node, { namespace: pod.namespace, labels: pod.labels })) return [ERR_REASON_AFFINITY_RULES];
    for (const term of pod.antiAffinityTerms ?? []) if ((countOf(antiAffinity, node, term.topologyKey) ?? 0) > 0) return [ERR_REASON_ANTI_AFFINITY_RULES];
    if (existingAntiAffinity.size > 0) {
      for (const key in node.labels) if ((existingAntiAffinity.get(`${key}\0${node.labels[key]}`) ?? 0) > 0) return [ERR_REASON_EXISTING_ANTI_AFFINITY_RULES];
    }
    return undefined;
  },
};

function satisfiesAffinity(terms: readonly AffinityTerm[] | undefined, counts: TopologyCounts, node: NodeInfo, pod: { namespace: string; labels: Readonly<Record<string, string>> }): boolean {
  if (!terms || terms.length === 0) return true;
  let podsExist = true;
  for (const term of terms) {
    const count = countOf(counts, node, term.topologyKey);
    if (count === undefined) return false;
    if (count <= 0) podsExist = false;
  }
  return podsExist || (counts.size === 0 && matchesAllTerms(terms, pod));
}
