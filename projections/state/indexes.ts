import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';

/**
 * The secondary indexes of ClusterState (podsByNode, byOwner, byLabel, and the uid index kept
 * beside the state). Every object write goes through `indexObject`/`unindexObject`, so the indexes
 * always describe exactly the objects in `state.objects`.
 */

/** `Kind:ns/name`, the form byOwner and the uid index hold. */
export function qualifiedKey(kind: string, key: string): string {
  return `${kind}:${key}`;
}

export function splitQualifiedKey(qualified: string): { kind: string; key: string } {
  const colon = qualified.indexOf(':');
  return { kind: qualified.slice(0, colon), key: qualified.slice(colon + 1) };
}

/** uid → `Kind:ns/name`. Kept beside the state rather than in it, built on first use. */
const uidIndexes = new WeakMap<ClusterState, Map<string, string>>();

export function uidIndexOf(state: ClusterState): Map<string, string> {
  let index = uidIndexes.get(state);
  if (!index) {
    index = new Map();
    for (const [kind, objects] of state.objects) {
      for (const [key, object] of objects) if (object.metadata.uid) index.set(object.metadata.uid, qualifiedKey(kind, key));
    }
    uidIndexes.set(state, index);
  }
  return index;
}

export function indexObject(state: ClusterState, kind: string, key: string, object: KubeObject): void {
  const meta = object.metadata;
  if (kind === 'Pod') {
    const node = object.spec?.nodeName as string | undefined;
    if (node) addTo(state.podsByNode, node, key);
  }
  const owners = meta.ownerReferences;
  if (owners) for (const owner of owners) addTo(state.byOwner, owner.uid, qualifiedKey(kind, key));
  const labels = meta.labels;
  if (labels) {
    let byKind = state.byLabel.get(kind);
    if (!byKind) state.byLabel.set(kind, (byKind = new Map()));
    for (const label in labels) addTo(byKind, `${label}=${labels[label]}`, key);
  }
  const uids = uidIndexes.get(state);
  if (uids && meta.uid) uids.set(meta.uid, qualifiedKey(kind, key));
}

export function unindexObject(state: ClusterState, kind: string, key: string, object: KubeObject): void {
  const meta = object.metadata;
  if (kind === 'Pod') {
    const node = object.spec?.nodeName as string | undefined;
    if (node) removeFrom(state.podsByNode, node, key);
  }
  const owners = meta.ownerReferences;
  if (owners) for (const owner of owners) removeFrom(state.byOwner, owner.uid, qualifiedKey(kind, key));
  const labels = meta.labels;
  if (labels) {
    const byKind = state.byLabel.get(kind);
    if (byKind) {
      for (const label in labels) removeFrom(byKind, `${label}=${labels[label]}`, key);
      if (byKind.size === 0) state.byLabel.delete(kind);
    }
  }
  const uids = uidIndexes.get(state);
  if (uids && meta.uid && uids.get(meta.uid) === qualifiedKey(kind, key)) uids.delete(meta.uid);
}

/** Moves a pod between podsByNode entries when its spec.nodeName changes in place. */
export function movePodToNode(state: ClusterState, key: string, from: string | undefined, to: string | undefined): void {
  if (from === to) return;
  if (from) removeFrom(state.podsByNode, from, key);
  if (to) addTo(state.podsByNode, to, key);
}

/** Rebuilds every index from `state.objects` (after loading a snapshot). */
export function rebuildIndexes(state: ClusterState): void {
  state.podsByNode.clear();
  state.byOwner.clear();
  state.byLabel.clear();
  uidIndexes.delete(state);
  for (const [kind, objects] of state.objects) for (const [key, object] of objects) indexObject(state, kind, key, object);
}

/**
 * Index sets that copies of a state share (replay keeps states at many positions and copies only
 * the maps that hold the sets): such a set is never changed, the index gets its own copy first.
 */
const sharedSets = new WeakSet<Set<string>>();

/** Marks every index set of `state` as shared, so that maps copied from it may hold the same sets. */
export function shareIndexSets(state: ClusterState): void {
  for (const set of state.podsByNode.values()) sharedSets.add(set);
  for (const set of state.byOwner.values()) sharedSets.add(set);
  for (const byKind of state.byLabel.values()) for (const set of byKind.values()) sharedSets.add(set);
}

function addTo(index: Map<string, Set<string>>, indexKey: string, member: string): void {
  let set = index.get(indexKey);
  if (!set) index.set(indexKey, (set = new Set()));
  else if (sharedSets.has(set)) {
    if (set.has(member)) return;
    index.set(indexKey, (set = new Set(set)));
  }
  set.add(member);
}

function removeFrom(index: Map<string, Set<string>>, indexKey: string, member: string): void {
  let set = index.get(indexKey);
  if (!set || !set.has(member)) return;
  if (set.size === 1) {
    index.delete(indexKey);
    return;
  }
  if (sharedSets.has(set)) index.set(indexKey, (set = new Set(set)));
  set.delete(member);
}
