/**
 * A set of field paths in structured-merge-diff's FieldsV1 shape: a trie whose keys are path
 * elements — `f:<field>`, `k:<json of key fields>`, `v:<json value>`, `i:<index>` — and where `.`
 * marks a node that is itself in the set. This is what `metadata.managedFields[].fieldsV1` holds.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromPaths(paths: string[][]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Reads `fieldsV1` JSON (`{"f:spec":{"f:replicas":{}}}`). */
  static fromFieldsV1(json: unknown): FieldSet {
    const set = new FieldSet();
    if (json && typeof json === 'object') readFieldsV1(json as Record<string, unknown>, set);
    return set;
  }

  insert(path: string[]): void {
    let node: FieldSet = this;
    for (const element of path) {
      let child = node.children.get(element);
      if (!child) node.children.set(element, (child = new FieldSet()));
      node = child;
    }
    node.member = true;
  }

  has(path: string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const element of path) {
      node = node.children.get(element);
      if (!node) return false;
    }
    return node.member;
  }

  /** Whether this path or anything below it is in the set. */
  hasAnyAtOrBelow(path: string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const element of path) {
      node = node.children.get(element);
      if (!node) return false;
    }
    return !node.isEmpty();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const child of this.children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const result = this.clone();
    addInto(other, result);
    return result;
  }

  /** Members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    const result = new FieldSet();
    result.member = this.member && !other.member;
    for (const [key, child] of this.children) {
      const otherChild = other.children.get(key);
      const rest = otherChild ? child.difference(otherChild) : child.clone();
      if (!rest.isEmpty()) result.children.set(key, rest);
    }
    return result;
  }

  /** Whether some member of this set is a member of `other` (`!intersection(other).isEmpty()`, without building it). */
  intersects(other: FieldSet): boolean {
    if (this.member && other.member) return true;
    const [small, large] = this.children.size <= other.children.size ? [this.children, other.children] : [other.children, this.children];
    for (const [key, child] of small) {
      const counterpart = large.get(key);
      if (counterpart !== undefined && child.intersects(counterpart)) return true;
    }
    return false;
  }

  intersection(other: FieldSet): FieldSet {
    const result = new FieldSet();
    result.member = this.member && other.member;
    for (const [key, child] of this.children) {
      const otherChild = other.children.get(key);
      if (!otherChild) continue;
      const both = child.intersection(otherChild);
      if (!both.isEmpty()) result.children.set(key, both);
    }
    return result;
  }

  equals(other: FieldSet): boolean {
    if (this.member !== other.member) return false;
    // Empty children count as absent.
    for (const [key, child] of this.children) {
      const counterpart = other.children.get(key);
      if (counterpart === undefined ? !child.isEmpty() : !child.equals(counterpart)) return false;
    }
    for (const [key, child] of other.children) if (!this.children.has(key) && !child.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const copy = new FieldSet();
    copy.member = this.member;
    for (const [key, child] of this.children) copy.children.set(key, child.clone());
    return copy;
  }

  /** Every member path, in sorted order. */
  paths(): string[][] {
    const out: string[][] = [];
    collectPaths(this, [], out);
    return out;
  }

  toFieldsV1(): Record<string, unknown> {
    return encodeFieldsV1(this) ?? {};
  }
}

// Module functions rather than closures inside the methods: these run for every write, and each
// closure created per call costs more than the walk itself for small sets.

function readFieldsV1(node: Record<string, unknown>, into: FieldSet): void {
  for (const key of Object.keys(node)) {
    if (key === '.') {
      into.member = true;
      continue;
    }
    const child = new FieldSet();
    const inner = (node[key] ?? {}) as Record<string, unknown>;
    if (Object.keys(inner).length === 0) child.member = true;
    else readFieldsV1(inner, child);
    into.children.set(key, child);
  }
}

function addInto(from: FieldSet, into: FieldSet): void {
  into.member ||= from.member;
  for (const [key, child] of from.children) {
    let target = into.children.get(key);
    if (!target) into.children.set(key, (target = new FieldSet()));
    addInto(child, target);
  }
}

function collectPaths(node: FieldSet, prefix: string[], out: string[][]): void {
  if (node.member && prefix.length > 0) out.push(prefix);
  for (const key of [...node.children.keys()].sort()) collectPaths(node.children.get(key)!, [...prefix, key], out);
}

/** FieldsV1 JSON with sorted keys, or undefined for an empty set (so no subtree is checked for emptiness twice). */
function encodeFieldsV1(node: FieldSet): Record<string, unknown> | undefined {
  const size = node.children.size;
  let encoded: Record<string, unknown> | undefined = node.member ? (size > 0 ? { '.': {} } : {}) : undefined;
  if (size === 0) return encoded;
  const keys = size === 1 ? [node.children.keys().next().value as string] : [...node.children.keys()].sort();
  for (const key of keys) {
    const child = encodeFieldsV1(node.children.get(key)!);
    if (child !== undefined) (encoded ??= {})[key] = child;
  }
  return encoded;
}

/** `.spec.template.spec.containers[name="web"].image`, as structured-merge-diff prints a path. */
export function formatFieldPath(path: string[]): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      switch (element.slice(0, 2)) {
        case 'f:':
          return `.${body}`;
        case 'k:': {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(keys).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(',')}]`;
        }
        case 'v:':
          return `[=${body}]`;
        case 'i:':
          return `[${body}]`;
        default:
          return element;
      }
    })
    .join('');
}
