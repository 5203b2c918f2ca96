/**
 * A map keyed by an object's namespace, then its name. A controller that remembers something per
 * pod can look it up by the name string the event carries, which is the very string object the pod
 * and every later version of it hold (copies share it), already hashed, so a hit is a pointer
 * comparison. An `ns/name` key concatenated per event is a new string each time: hashing it and
 * comparing it with the stored key cost ~1-2 µs per look-up in a map of 150,000 pods (measured),
 * and each key kept cost ~80 bytes.
 */
export class ByNamespaceAndName<V> {
  private readonly namespaces = new Map<string, Map<string, V>>();

  get(namespace: string, name: string): V | undefined {
    return this.namespaces.get(namespace)?.get(name);
  }

  has(namespace: string, name: string): boolean {
    return this.namespaces.get(namespace)?.has(name) ?? false;
  }

  set(namespace: string, name: string, value: V): void {
    let names = this.namespaces.get(namespace);
    if (names === undefined) this.namespaces.set(namespace, (names = new Map()));
    names.set(name, value);
  }

  delete(namespace: string, name: string): void {
    const names = this.namespaces.get(namespace);
    if (names !== undefined && names.delete(name) && names.size === 0) this.namespaces.delete(namespace);
  }
}
