import { type KubeObject, objectKey } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';
import { splitQualifiedKey, uidIndexOf } from './indexes.ts';

/**
 * Reads over ClusterState. Every list comes back in key order (`ns/name` compared by code unit,
 * which is etcd's key order and so Kubernetes' list order), never in index insertion order: that
 * keeps controllers deterministic whether the state was replayed or loaded from a snapshot.
 * The objects returned belong to the state: copy before changing them.
 */

let lastNamespace: string | undefined;
let lastName: string | undefined;
let lastKey = '';

export function getObject(state: ClusterState, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  // Every controller looks up the object of the event at hand: the same key string is reused
  // (hashed once) instead of being built and hashed again by each.
  if (name !== lastName || namespace !== lastNamespace) {
    lastKey = objectKey(namespace, name);
    lastName = name;
    lastNamespace = namespace;
  }
  return state.objects.get(kind)?.get(lastKey);
}

export function listObjects(state: ClusterState, kind: string, namespace?: string): KubeObject[] {
  const objects = state.objects.get(kind);
  if (!objects) return [];
  const prefix = namespace ? `${namespace}/` : undefined;
  const keys: string[] = [];
  for (const key of objects.keys()) if (!prefix || key.startsWith(prefix)) keys.push(key);
  return sortedKeys(keys).map((key) => objects.get(key)!);
}

export function podsOnNode(state: ClusterState, nodeName: string): KubeObject[] {
  const keys = state.podsByNode.get(nodeName);
  if (!keys) return [];
  const pods = state.objects.get('Pod')!;
  return sortedKeys([...keys]).map((key) => pods.get(key)!);
}

/** Objects of any kind that list `ownerUid` in their ownerReferences, in kind then key order. */
export function ownedBy(state: ClusterState, ownerUid: string): KubeObject[] {
  const qualified = state.byOwner.get(ownerUid);
  if (!qualified) return [];
  return sortedKeys([...qualified]).map((q) => {
    const { kind, key } = splitQualifiedKey(q);
    return state.objects.get(kind)!.get(key)!;
  });
}

export function objectsWithLabel(state: ClusterState, kind: string, key: string, value: string): KubeObject[] {
  const keys = state.byLabel.get(kind)?.get(`${key}=${value}`);
  if (!keys) return [];
  const objects = state.objects.get(kind)!;
  return sortedKeys([...keys]).map((k) => objects.get(k)!);
}

export function objectByUid(state: ClusterState, uid: string): KubeObject | undefined {
  const qualified = uidIndexOf(state).get(uid);
  if (!qualified) return undefined;
  const { kind, key } = splitQualifiedKey(qualified);
  return state.objects.get(kind)?.get(key);
}

export function countObjects(state: ClusterState, kind: string): number {
  return state.objects.get(kind)?.size ?? 0;
}

function sortedKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
