/**
 * Key-order-insensitive JSON: objects with keys sorted and undefined members dropped, so that two
 * structurally equal objects serialise to the same text however they were built.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const member = record[key];
      if (member === undefined) continue;
      // An own `__proto__` member stays a member (assignment would set the prototype).
      if (key === '__proto__') Object.defineProperty(out, key, { value: canonical(member), enumerable: true, writable: true, configurable: true });
      else out[key] = canonical(member);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

/**
 * `canonicalJson(a) === canonicalJson(b)`, decided by walking both values instead of serialising
 * them (immutability checks run on every update). Plain JSON data only: anything else (a
 * function, a symbol, a bigint, a non-finite number, a class instance, a `toJSON` member) is
 * left to the serialised comparison.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  const verdict = plainSame(a, b);
  return verdict === UNDECIDED ? canonicalJson(a) === canonicalJson(b) : verdict === SAME;
}

const DIFFERENT = 0;
const SAME = 1;
const UNDECIDED = 2;
type Verdict = typeof DIFFERENT | typeof SAME | typeof UNDECIDED;
const objectPrototype = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

/** A value as an array element or the whole value: undefined serialises as null there. */
function plainSame(a: unknown, b: unknown): Verdict {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'function' || ta === 'symbol' || ta === 'bigint' || tb === 'function' || tb === 'symbol' || tb === 'bigint') return UNDECIDED;
  if ((ta === 'number' && !Number.isFinite(a)) || (tb === 'number' && !Number.isFinite(b))) return UNDECIDED;
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) return a === b ? SAME : DIFFERENT;
  const aArray = Array.isArray(a);
  if (aArray !== Array.isArray(b)) return DIFFERENT;
  if (aArray) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return DIFFERENT;
    let verdict: Verdict = SAME;
    for (let i = 0; i < x.length; i++) {
      const element = plainSame(x[i], y[i]);
      if (element === UNDECIDED) return UNDECIDED;
      if (element === DIFFERENT) verdict = DIFFERENT;
    }
    return verdict;
  }
  const x = a as object;
  const y = b as object;
  if (!isPlainRecord(x) || !isPlainRecord(y)) return UNDECIDED;
  // Members holding undefined are dropped; every other member must be in both, the same.
  let verdict: Verdict = SAME;
  let countA = 0;
  for (const key in x) {
    if (!hasOwn.call(x, key)) continue;
    const value = x[key];
    if (value === undefined) continue;
    const t = typeof value;
    if (t === 'function' || t === 'symbol' || t === 'bigint') return UNDECIDED;
    countA++;
    const other = hasOwn.call(y, key) ? y[key] : undefined;
    if (other === undefined) {
      verdict = DIFFERENT;
      continue;
    }
    const member = plainSame(value, other);
    if (member === UNDECIDED) return UNDECIDED;
    if (member === DIFFERENT) verdict = DIFFERENT;
  }
  let countB = 0;
  for (const key in y) {
    if (!hasOwn.call(y, key)) continue;
    const value = y[key];
    if (value === undefined) continue;
    countB++;
    const t = typeof value;
    if (t === 'function' || t === 'symbol' || t === 'bigint') return UNDECIDED;
  }
  return countA === countB ? verdict : DIFFERENT;
}

function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return (proto === objectPrototype || proto === null) && !hasOwn.call(value, 'toJSON');
}

/** Unset as Go sees a decoded JSON member: absent, null, or an empty map or list. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}

/**
 * Kubernetes' semantic equality for JSON objects: key order, unset members, nulls and empty maps or
 * lists make no difference. Used for immutability checks and generation bumps, so it compares in
 * place rather than serialising.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aEmpty = isEmpty(a);
  const bEmpty = isEmpty(b);
  if (aEmpty || bEmpty) return aEmpty && bEmpty;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key in x) if (!deepEqual(x[key], y[key])) return false;
  for (const key in y) if (!(key in x) && !isEmpty(y[key])) return false;
  return true;
}
