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
    if (!json || typeof json !== 'object') return set;
    const read = (node: Record<string, unknown>, into: FieldSet) => {
      for (const [key, value] of Object.entries(node)) {
        if (key === '.') {
          into.member = true;
          continue;
        }
        const child = new FieldSet();
        const inner = (value ?? {}) as Record<string, unknown>;
        if (Object.keys(inner).length === 0) child.member = true;
        else read(inner, child);
        into.children.set(key, child);
      }
    };
    read(json as Record<string, unknown>, set);
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
    const add = (from: FieldSet, into: FieldSet) => {
      into.member ||= from.member;
      for (const [key, child] of from.children) {
        let target = into.children.get(key);
        if (!target) into.children.set(key, (target = new FieldSet()));
        add(child, target);
      }
    };
    add(other, result);
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
    const mine = [...this.children].filter(([, child]) => !child.isEmpty());
    const theirs = [...other.children].filter(([, child]) => !child.isEmpty());
    if (mine.length !== theirs.length) return false;
    return mine.every(([key, child]) => {
      const counterpart = other.children.get(key);
      return counterpart !== undefined && child.equals(counterpart);
    });
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
    const walk = (node: FieldSet, prefix: string[]) => {
      if (node.member && prefix.length > 0) out.push(prefix);
      for (const key of [...node.children.keys()].sort()) walk(node.children.get(key)!, [...prefix, key]);
    };
    walk(this, []);
    return out;
  }

  toFieldsV1(): Record<string, unknown> {
    const encode = (node: FieldSet): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (node.member && node.children.size > 0) out['.'] = {};
      for (const key of [...node.children.keys()].sort()) {
        const child = node.children.get(key)!;
        if (!child.isEmpty()) out[key] = encode(child);
      }
      return out;
    };
    return encode(this);
  }
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
