/**
 * A deep copy of plain data (objects, arrays, primitives), as `structuredClone` makes of it, several
 * times faster (~5 µs against ~30 µs for a ReplicaSet): controllers copy the objects they change on
 * every sync. Fields holding undefined are kept, like structuredClone does; anything that is not
 * plain data (a Date, a Map, a class instance) goes to structuredClone.
 */
export function clonePlain<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = clonePlain(value[i]);
    return copy as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  // for…in rather than Object.keys: no key array per object (~30% faster); a plain object's
  // prototype (checked above) has no enumerable keys of its own.
  for (const key in value) {
    if (key === '__proto__') return structuredClone(value);
    copy[key] = clonePlain((value as Record<string, unknown>)[key]);
  }
  return copy as T;
}
