import { type Requirement, type SelectorOperator, newRequirement, requirementMatches } from '../../../core/model/labels.ts';
import type { NodeInfo } from './node-info.ts';

/** core/v1 NodeSelectorRequirement and NodeSelectorTerm. */
interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** A NodeSelectorTerm parsed once: label requirements plus `metadata.name` field requirements. */
interface CompiledTerm {
  labels: Requirement[];
  fields: Requirement[];
  /** Empty terms and terms that fail to parse match no node, as in Kubernetes. */
  matchesNothing: boolean;
}

export interface WeightedTerm {
  weight: number;
  term: CompiledTerm;
}

/** The pod's node constraints (nodeSelector, required and preferred node affinity), compiled. */
export interface NodeAffinitySpec {
  nodeSelector: Array<[string, string]>;
  /** Absent when the pod has no required node affinity; otherwise ORed terms. */
  required: CompiledTerm[] | undefined;
  preferred: WeightedTerm[];
}

const NO_NODE_AFFINITY: NodeAffinitySpec = Object.freeze({ nodeSelector: [], required: undefined, preferred: [] }) as NodeAffinitySpec;

export function nodeAffinityOf(podSpec: any): NodeAffinitySpec {
  const nodeAffinity = podSpec?.affinity?.nodeAffinity;
  if (!nodeAffinity && !podSpec?.nodeSelector) return NO_NODE_AFFINITY;
  const requiredSelector = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const preferred = (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Array<{ weight: number; preference: NodeSelectorTerm }>;
  return {
    nodeSelector: Object.entries((podSpec?.nodeSelector ?? {}) as Record<string, string>),
    required: requiredSelector ? ((requiredSelector.nodeSelectorTerms ?? []) as NodeSelectorTerm[]).map(compileTerm) : undefined,
    preferred: preferred.filter((p) => p.weight !== 0).map((p) => ({ weight: p.weight, term: compileTerm(p.preference ?? {}) })),
  };
}

export function hasRequiredNodeConstraints(spec: NodeAffinitySpec): boolean {
  return spec.nodeSelector.length > 0 || spec.required !== undefined;
}

/** `RequiredNodeAffinity.Match`: every nodeSelector label, and at least one required term. */
export function matchesRequiredNodeAffinity(spec: NodeAffinitySpec, node: NodeInfo): boolean {
  for (const [key, value] of spec.nodeSelector) if (node.labels[key] !== value) return false;
  if (spec.required === undefined) return true;
  for (const term of spec.required) if (termMatches(term, node)) return true;
  return false;
}

/** Sum of the weights of the preferred terms the node matches (NodeAffinity's raw score). */
export function preferredAffinityWeight(spec: NodeAffinitySpec, node: NodeInfo): number {
  let sum = 0;
  for (const { weight, term } of spec.preferred) if (termMatches(term, node)) sum += weight;
  return sum;
}

/**
 * NodeAffinity's PreFilterResult: when every required term pins `metadata.name` with In (as
 * DaemonSet pods do), only the nodes named can fit, and the others need not be filtered one by one.
 */
export function requiredNodeNames(spec: NodeAffinitySpec): ReadonlySet<string> | undefined {
  if (!spec.required || spec.required.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of spec.required) {
    const pin = term.matchesNothing ? undefined : term.fields.find((f) => f.key === 'metadata.name' && f.operator === 'In');
    if (!pin) return undefined;
    for (const name of pin.values) names.add(name);
  }
  return names;
}

function termMatches(term: CompiledTerm, node: NodeInfo): boolean {
  if (term.matchesNothing) return false;
  for (const requirement of term.labels) if (!requirementMatches(requirement, node.labels)) return false;
  if (term.fields.length > 0) {
    const fields = { 'metadata.name': node.name };
    for (const requirement of term.fields) if (!requirementMatches(requirement, fields)) return false;
  }
  return true;
}

function compileTerm(term: NodeSelectorTerm): CompiledTerm {
  const expressions = term.matchExpressions ?? [];
  const fieldExpressions = term.matchFields ?? [];
  if (expressions.length === 0 && fieldExpressions.length === 0) return { labels: [], fields: [], matchesNothing: true };
  try {
    const fields = fieldExpressions.map((r) => {
      if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn') || r.values?.length !== 1) {
        throw new Error(`not a supported field selector requirement: ${r.key} ${r.operator}`);
      }
      return { key: r.key, operator: r.operator as SelectorOperator, values: r.values };
    });
    return { labels: expressions.map((r) => newRequirement(r.key, r.operator, r.values ?? [])), fields, matchesNothing: false };
  } catch {
    return { labels: [], fields: [], matchesNothing: true };
  }
}
