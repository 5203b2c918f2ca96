/**
 * Key-order-insensitive JSON: objects with keys sorted and undefined members dropped, so that two
 * structurally equal objects serialise to the same text however they were built.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .filter((k) => record[k] !== undefined)
        .map((k) => [k, canonical(record[k])]),
    );
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
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
