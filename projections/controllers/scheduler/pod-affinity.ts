import { type Selector, labelSelectorAsSelector, matches } from '../../../core/model/labels.ts';

/**
 * A required (anti-)affinity term, parsed (kube-scheduler's AffinityTerm): which pods it is about
 * (namespaces and label selector) and the topology it groups nodes by.
 */
export interface AffinityTerm {
  /** Namespaces the term looks in; `undefined` = every namespace (an empty namespaceSelector). */
  namespaces: ReadonlySet<string> | undefined;
  selector: Selector;
  topologyKey: string;
}

/** What the affinity terms need to know about a pod. */
export interface PodLabels {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Being deleted: still on its node, but no longer counted by topology spreading. */
  terminating?: boolean;
}

/**
 * The pod's requiredDuringSchedulingIgnoredDuringExecution pod affinity or anti-affinity terms.
 * Namespaces default to the pod's own; a namespaceSelector is honoured only when empty (all
 * namespaces), since Orrery's scheduler does not follow namespace labels.
 */
export function requiredTerms(podSpec: any, namespace: string, kind: 'podAffinity' | 'podAntiAffinity'): AffinityTerm[] | undefined {
  const terms = podSpec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution as
    | Array<{ labelSelector?: unknown; namespaces?: string[]; namespaceSelector?: { matchLabels?: object; matchExpressions?: unknown[] }; topologyKey: string }>
    | undefined;
  if (!terms || terms.length === 0) return undefined;
  return terms.map((term) => {
    const everyNamespace = !!term.namespaceSelector && !Object.keys(term.namespaceSelector.matchLabels ?? {}).length && !term.namespaceSelector.matchExpressions?.length;
    const namespaces = everyNamespace ? undefined : new Set(term.namespaces?.length ? term.namespaces : [namespace]);
    let selector: Selector;
    try {
      selector = labelSelectorAsSelector(term.labelSelector as never);
    } catch {
      selector = { requirements: [], matchesNothing: true };
    }
    return { namespaces, selector, topologyKey: term.topologyKey };
  });
}

/** `AffinityTerm.Matches`: the pod is in one of the term's namespaces and carries matching labels. */
export function termMatches(term: AffinityTerm, pod: PodLabels): boolean {
  return (term.namespaces === undefined || term.namespaces.has(pod.namespace)) && matches(term.selector, pod.labels);
}

export function matchesAllTerms(terms: readonly AffinityTerm[], pod: PodLabels): boolean {
  for (const term of terms) if (!termMatches(term, pod)) return false;
  return true;
}
