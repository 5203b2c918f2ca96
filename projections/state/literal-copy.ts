/**
 * Shallow copies made as object literals, one small generated function per field list (walked as a
 * tree of field names, so finding it costs a Map look-up per field and no string building).
 *
 * Why: V8 gives an object made by `{}` or Object.assign room for 4 fields inside it, and a spread
 * copy made at a site that sees many kinds (megamorphic) the same; every further field goes to a
 * separate properties store (16 bytes of header plus room to grow). A literal holds all its fields
 * inside the object. Pods' metadata, spec and status have 7 to 13 fields, and every version held in
 * the log and the state paid that store. Measured per copy, the literal is also no slower than
 * adding fields one by one.
 *
 * Bounded: at most MAX_SHAPES field lists get a function (objects keyed by user data, like a
 * ConfigMap's, would otherwise make one per object); past that, and for objects of fewer than
 * MIN_FIELDS fields (which fit inside anyway) or a `__proto__` field, callers copy as before.
 */
type Make = (source: Record<string, unknown>) => Record<string, unknown>;

interface FieldNode {
  readonly next: Map<string, FieldNode>;
  make: Make | undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;
const MIN_FIELDS = 5;
const MAX_FIELDS = 64;
const MAX_SHAPES = 2048;
const root: FieldNode = { next: new Map(), make: undefined };
let nodes = 0;

function step(node: FieldNode, key: string): FieldNode | undefined {
  const next = node.next.get(key);
  if (next !== undefined) return next;
  if (nodes >= MAX_SHAPES || key === '__proto__') return undefined;
  nodes++;
  const child: FieldNode = { next: new Map(), make: undefined };
  node.next.set(key, child);
  return child;
}

function compile(keys: readonly string[]): Make {
  const fields = keys.map((key) => `${JSON.stringify(key)}: o[${JSON.stringify(key)}]`);
  return new Function('o', `return { ${fields.join(', ')} };`) as Make;
}

/**
 * A shallow copy of `source` when it is a plain object (its fields in their order), with `key` set to
 * `value` when a key is given (in its place when `source` has it, else added last), made as one
 * literal; undefined when the caller should copy as it did (see above). Same result as
 * `copyWith(source, { [key]: value })`.
 */
export function literalCopy<T extends object>(source: T, key?: string, value?: unknown): T | undefined {
  if (typeof source !== 'object' || source === null || Object.getPrototypeOf(source) !== Object.prototype) return undefined;
  let node: FieldNode | undefined = root;
  let count = 0;
  let hasKey = key === undefined;
  for (const field in source) {
    if (field === key) hasKey = true;
    node = step(node, field);
    if (node === undefined || ++count > MAX_FIELDS) return undefined;
  }
  if (!hasKey) {
    node = step(node, key!);
    if (node === undefined) return undefined;
    count++;
  }
  if (count < MIN_FIELDS) return undefined;
  if (node.make === undefined) {
    const keys: string[] = [];
    for (const field in source) keys.push(field);
    if (!hasKey) keys.push(key!);
    node.make = compile(keys);
  }
  const copy = node.make(source as Record<string, unknown>);
  if (key !== undefined) copy[key] = value;
  return copy as T;
}

/** literalCopy for several fields: `copyWith(source, fields)` as one literal, or undefined (as literalCopy). */
export function literalCopyWith<T extends object>(source: T, fields: Record<string, unknown>): T | undefined {
  if (typeof source !== 'object' || source === null || Object.getPrototypeOf(source) !== Object.prototype) return undefined;
  let node: FieldNode | undefined = root;
  let count = 0;
  for (const field in source) {
    node = step(node, field);
    if (node === undefined || ++count > MAX_FIELDS) return undefined;
  }
  for (const field in fields) {
    if (hasOwn.call(source, field)) continue;
    node = step(node, field);
    if (node === undefined || ++count > MAX_FIELDS) return undefined;
  }
  if (count < MIN_FIELDS) return undefined;
  if (node.make === undefined) {
    const keys: string[] = [];
    for (const field in source) keys.push(field);
    for (const field in fields) if (!hasOwn.call(source, field)) keys.push(field);
    node.make = compile(keys);
  }
  const copy = node.make(source as Record<string, unknown>);
  for (const field in fields) copy[field] = fields[field];
  return copy as T;
}
