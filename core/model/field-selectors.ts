import type { KubeObject } from './object.ts';
import type { ResourceType } from './resource-type.ts';

/**
 * Field selectors (k8s.io/apimachinery/pkg/fields): `metadata.name=x,status.phase!=Running`.
 * Terms are joined by `,`; operators are `=`, `==` and `!=`; `\,` `\=` `\!` `\\` escape.
 */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  /** Sorted as Kubernetes sorts terms, all must hold; empty selects everything. */
  requirements: FieldRequirement[];
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

export function isFieldSelectorError(error: unknown): error is FieldSelectorError {
  return error instanceof FieldSelectorError;
}

function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    if (escaped) escaped = false;
    else if (text[i] === '\\') escaped = true;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, '=' | '!=', string] | undefined {
  let escaped = false;
  for (let i = 0; i < term.length; i++) {
    if (escaped) {
      escaped = false;
      continue;
    }
    if (term[i] === '\\') {
      escaped = true;
      continue;
    }
    for (const operator of OPERATORS) {
      if (term.startsWith(operator, i)) return [term.slice(0, i), operator === '!=' ? '!=' : '=', term.slice(i + operator.length)];
    }
  }
  return undefined;
}

function unescapeValue(value: string): string {
  let result = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === undefined || !'\\,=!'.includes(next)) throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${next ?? ''}`);
      result += next;
      i++;
    } else if (ch === ',' || ch === '=' || ch === '!') {
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${ch}`);
    } else {
      result += ch;
    }
  }
  return result;
}

export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=!]/g, (ch) => `\\${ch}`);
}

/** `fields.ParseSelector`. Throws FieldSelectorError with Kubernetes' wording. */
export function parseFieldSelector(text: string): FieldSelector {
  const terms = splitTerms(text).sort();
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const [field, operator, raw] = parts;
    requirements.push({ field, operator, value: unescapeValue(raw) });
  }
  return { requirements };
}

export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** The string a field path has in an object, as the API server's field sets hold it (`''` when absent). */
export function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) {
    // Boolean fields the API server always reports (spec.unschedulable, spec.hostNetwork) read as "false" when unset.
    return BOOLEAN_FIELDS.has(path) ? 'false' : '';
  }
  if (Array.isArray(current)) return current.map((v) => (typeof v === 'object' && v && 'ip' in v ? String((v as { ip: unknown }).ip) : String(v))).join(',');
  return String(current);
}

const BOOLEAN_FIELDS = new Set(['spec.unschedulable', 'spec.hostNetwork']);

export function fieldSelectorMatches(selector: FieldSelector, object: KubeObject): boolean {
  return selector.requirements.every((r) => (fieldValue(object, r.field) === r.value) === (r.operator === '='));
}

const METADATA_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Field labels each kind supports beyond metadata.name and metadata.namespace (the API server's field label conversions). */
export const SUPPORTED_FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  ReplicaSet: ['status.replicas'],
  ReplicationController: ['status.replicas'],
  Job: ['status.successful'],
  CertificateSigningRequest: ['spec.signerName'],
  Service: ['spec.clusterIP', 'spec.type'],
};

/** Rejects fields a kind does not support, in the API server's words: `field label not supported: spec.foo`. */
export function validateFieldSelector(kind: string, selector: FieldSelector, extraLabels?: readonly string[]): void {
  const supported = new Set([...METADATA_FIELDS, ...(extraLabels ?? SUPPORTED_FIELD_LABELS[kind] ?? [])]);
  for (const requirement of selector.requirements) {
    if (!supported.has(requirement.field)) throw new FieldSelectorError(`field label not supported: ${requirement.field}`);
  }
}

/**
 * validateFieldSelector for a served kind: a custom resource's own labels (its CRD's
 * `selectableFields`); events.k8s.io's Events and the computed metrics kinds take any field.
 */
export function validateFieldSelectorFor(type: Pick<ResourceType, 'kind' | 'group' | 'computed' | 'fieldLabels' | 'definedBy'>, selector: FieldSelector): void {
  if (type.group === 'events.k8s.io' || type.computed) return;
  validateFieldSelector(type.kind, selector, type.definedBy ? (type.fieldLabels ?? []) : undefined);
}

/** `source` on Events is `source.component`; `status.successful` on Jobs is `status.succeeded`. */
export function fieldSelectorMatchesKind(kind: string, selector: FieldSelector, object: KubeObject): boolean {
  return selector.requirements.every((r) => {
    let path = r.field;
    if (kind === 'Event' && path === 'source') path = 'source.component';
    if (kind === 'Job' && path === 'status.successful') path = 'status.succeeded';
    let value = fieldValue(object, path);
    // Counters the API server reports as numbers read as "0" when unset.
    if ((kind === 'ReplicaSet' || kind === 'ReplicationController') && r.field === 'status.replicas') value = value || '0';
    if (kind === 'Job' && r.field === 'status.successful') value = value || '0';
    return (value === r.value) === (r.operator === '=');
  });
}
