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

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}

/**
 * Like `canonical`, but dropping members that are null, empty objects or empty lists: decoded into
 * Go structs these are all "unset", which is why Kubernetes' `equality.Semantic.DeepEqual` treats
 * nil and empty maps and slices as equal.
 */
export function semanticCanonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(semanticCanonical);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entries: [string, unknown][] = [];
    for (const key of Object.keys(record).sort()) {
      const member = semanticCanonical(record[key]);
      if (!isEmpty(member)) entries.push([key, member]);
    }
    return Object.fromEntries(entries);
  }
  return value ?? null;
}

/**
 * Kubernetes' semantic equality for JSON objects: key order, unset members, nulls and empty maps or
 * lists make no difference. Used for immutability checks and generation bumps.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const x = semanticCanonical(a);
  const y = semanticCanonical(b);
  if (isEmpty(x) && isEmpty(y)) return true;
  return JSON.stringify(x) === JSON.stringify(y);
}
