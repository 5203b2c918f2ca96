/**
 * Most events concern none of a controller's objects (a pod's four events reach a dozen
 * controllers that have nothing to do with it), and a Set or Map made and dropped per event, per
 * controller, was a tenth of what a simulation allocated. These hand a controller its per-event
 * collections without that.
 */

/** What a controller returns for an event that gives it nothing to do (never written to). */
export const NO_OUTPUTS: readonly never[] = Object.freeze([]);

/**
 * An empty Set for the next event: `previous` itself when nothing was added to it, else a new one.
 * Never cleared in place: the one handed out last may still be read by whoever it was given to.
 */
export function emptySet<T>(previous: Set<T>): Set<T> {
  return previous.size === 0 ? previous : new Set<T>();
}

/** As emptySet, for a Map. */
export function emptyMap<K, V>(previous: Map<K, V>): Map<K, V> {
  return previous.size === 0 ? previous : new Map<K, V>();
}

/** The set's members sorted, as a new array (the shared empty one when there are none). */
export function sortedMembers(set: ReadonlySet<string>): readonly string[] {
  return set.size === 0 ? NO_OUTPUTS : [...set].sort();
}
