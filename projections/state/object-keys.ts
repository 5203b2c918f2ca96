import { type ObjectRef, objectKey, streamOf } from '../../core/model/object.ts';

/**
 * Object keys (`ns/name`) and stream names (`Kind/ns/name`), each built once per object and then
 * handed out again. A key concatenated afresh is a new string, which every Map lookup must flatten
 * and hash anew (~0.4 µs measured, against ~0.1 µs to find the string already built, whose hash V8
 * keeps), and the reducer, the write path and the log look up objects and streams by these for
 * nearly every event (three times over in a property-test history). Pure: a remembered string is
 * returned only when it equals the one `objectKey` or `streamOf` would build.
 */

/** Bounded, so a server seeing endless new names does not keep them all. */
const MAX_REMEMBERED = 100_000;
let remembered = 0;

const keysByKind = new Map<string, Map<string, string>>();
const streamsByKind = new Map<string, Map<string, string>>();

/** `objectKey(namespace, name)`, the same string each time for an object of `kind`. */
export function objectKeyOf(kind: string, namespace: string | undefined, name: string): string {
  if (typeof name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) return objectKey(namespace, name);
  const byName = keysByKind.get(kind);
  const known = byName?.get(name);
  // `known` was built from this name (it ends with it): it is this key when its prefix is this namespace.
  if (known !== undefined && (namespace ? known.length === namespace.length + 1 + name.length && known.startsWith(namespace) : known.length === name.length)) return known;
  const key = objectKey(namespace, name);
  remember(keysByKind, byName, kind, name, key);
  return key;
}

/** `streamOf(ref)`, the same string each time for one object. */
export function streamNameOf(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  const { kind, namespace, name } = ref;
  if (typeof kind !== 'string' || typeof name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) return streamOf(ref);
  const byName = streamsByKind.get(kind);
  const known = byName?.get(name);
  // `known` is `kind/…/name` or `kind/name`: it is this stream when the part between is this namespace.
  if (known !== undefined && (namespace ? known.length === kind.length + namespace.length + name.length + 2 && known.startsWith(namespace, kind.length + 1) : known.length === kind.length + 1 + name.length)) {
    return known;
  }
  const stream = streamOf(ref);
  remember(streamsByKind, byName, kind, name, stream);
  return stream;
}

function remember(byKind: Map<string, Map<string, string>>, byName: Map<string, string> | undefined, kind: string, name: string, value: string): void {
  if (remembered >= MAX_REMEMBERED) {
    keysByKind.clear();
    streamsByKind.clear();
    remembered = 0;
    byName = undefined;
  }
  if (byName === undefined) byKind.set(kind, (byName = new Map()));
  if (!byName.has(name)) remembered++;
  byName.set(name, value);
}
