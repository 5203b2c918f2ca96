import { LineCounter, parseAllDocuments, type Tags } from 'yaml';
import type { KubeObject } from './object.ts';

/**
 * Reading manifests as `kubectl apply -f` does: multi-document YAML (`---`) or JSON, with `List`
 * and `<Kind>List` documents expanded into their items, empty documents skipped. YAML is read with
 * YAML 1.1 scalars as Kubernetes' go-yaml reads them (`yes`/`on` are booleans, `0644` is octal 420)
 * but timestamps and `12:30`-style sexagesimals stay strings.
 */
export interface ManifestDocument {
  object: KubeObject;
  /** 1-based index of the YAML document it came from. */
  document: number;
  /** 1-based line where that document (or the list item) starts. */
  line: number;
  /** 1-based position within a List document, when it came from one. */
  item?: number;
}

export class ManifestError extends Error {
  constructor(
    message: string,
    readonly document?: number,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

export function isManifestError(error: unknown): error is ManifestError {
  return error instanceof ManifestError;
}

const kubernetesScalars = (tags: Tags) =>
  tags.filter((tag) => {
    const { tag: name, format } = tag as { tag?: string; format?: string };
    return name !== 'tag:yaml.org,2002:timestamp' && format !== 'TIME';
  });

function where(document: number, line: number, item?: number): string {
  return item === undefined ? `document ${document} (line ${line})` : `document ${document} (line ${line}), item ${item}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** What kubectl checks before sending: apiVersion, kind and a name (or generateName). */
export function manifestProblems(value: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') problems.push('apiVersion not set');
  if (typeof value.kind !== 'string' || value.kind === '') problems.push('kind not set');
  const metadata = value.metadata;
  if (metadata !== undefined && !isPlainObject(metadata)) problems.push('metadata must be a mapping');
  else {
    const meta = (metadata ?? {}) as Record<string, unknown>;
    if (!meta.name && !meta.generateName) problems.push('metadata.name or metadata.generateName not set');
  }
  return problems;
}

function checkObject(value: unknown, document: number, line: number, item?: number): KubeObject {
  if (!isPlainObject(value)) throw new ManifestError(`${where(document, line, item)}: expected a Kubernetes object (a mapping), found ${describeType(value)}`, document, line);
  const problems = manifestProblems(value);
  if (problems.length) throw new ManifestError(`${where(document, line, item)}: error validating data: [${problems.join(', ')}]`, document, line);
  return value as KubeObject;
}

const isListKind = (value: Record<string, unknown>) => typeof value.kind === 'string' && (value.kind === 'List' || value.kind.endsWith('List')) && Array.isArray(value.items);

/** Parses every object in a manifest text, with where each came from. Throws ManifestError. */
export function parseManifestDocuments(text: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { version: '1.1', customTags: kubernetesScalars, lineCounter, prettyErrors: false });
  const result: ManifestDocument[] = [];
  const list = Array.isArray(documents) ? documents : [];
  for (const [i, doc] of list.entries()) {
    const index = i + 1;
    const line = lineCounter.linePos((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range[0]).line;
    if (doc.errors.length) {
      const error = doc.errors[0]!;
      const errorLine = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new ManifestError(`document ${index} (line ${errorLine}): ${message}`, index, errorLine);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (isPlainObject(value) && isListKind(value)) {
      for (const [j, item] of (value.items as unknown[]).entries()) {
        const itemNode = (doc.contents as { get?(key: string, keepScalar?: boolean): any })?.get?.('items', true)?.items?.[j];
        const itemLine = itemNode?.range ? lineCounter.linePos(itemNode.range[0]).line : line;
        result.push({ object: checkObject(item, index, itemLine, j + 1), document: index, line: itemLine, item: j + 1 });
      }
      continue;
    }
    result.push({ object: checkObject(value, index, line), document: index, line });
  }
  return result;
}

/** Parses every object in a manifest text. Throws ManifestError naming the document and line. */
export function parseManifests(text: string): KubeObject[] {
  return parseManifestDocuments(text).map((d) => d.object);
}

/**
 * Parses one object (a request body), without the name requirement that only applies to files
 * (the API server fills names from the URL or generateName).
 */
export function parseObject(text: string): unknown {
  const documents = parseAllDocuments(text, { version: '1.1', customTags: kubernetesScalars, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [];
  const nonEmpty = list.filter((doc) => doc.errors.length || doc.toJS() !== null);
  if (nonEmpty.length !== 1) throw new ManifestError(nonEmpty.length === 0 ? 'empty document' : `expected one document, found ${nonEmpty.length}`);
  const doc = nonEmpty[0]!;
  if (doc.errors.length) throw new ManifestError(doc.errors[0]!.message.split('\n')[0]!, 1);
  return doc.toJS();
}
