import type { OrreryEvent } from '../../core/events.ts';
import { ApiError, apiErrors } from '../../core/errors.ts';
import type { KubeObject, ObjectRef } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import type { ClusterState } from '../cluster-state.ts';

/** What the planners read: the state, the clock the events are stamped with, the registry. */
export interface WriteContext {
  state: ClusterState;
  now(): number;
  resourceTypeForKind(kind: string): ResourceType | undefined;
}

/**
 * A command turned into events, before they are appended. `stream` holds them all (one append,
 * atomic). When `events` is empty (no-op update, deleting an already-terminating object, dry run)
 * `object` is what the caller gets back; otherwise the caller gets `resultRef` as the state holds it
 * after the events are applied, or `removed` when the events end with its removal.
 */
export interface Plan {
  stream: string;
  events: OrreryEvent[];
  object?: KubeObject;
  resultRef?: ObjectRef;
  removed?: KubeObject;
}

export function requireType(context: WriteContext, kind: string | undefined): ResourceType {
  const type = kind ? context.resourceTypeForKind(kind) : undefined;
  if (!type) {
    if (!kind) throw apiErrors.badRequest('Object \'Kind\' is missing in the request body');
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', { kind });
  }
  // Reviews are answered by the API and never stored (core/model/kinds/reviews.ts), nor are metrics (kinds/metrics.ts).
  if (type.answer) throw apiErrors.methodNotAllowed(`${type.kind} is answered, never stored`);
  if (type.computed) throw apiErrors.methodNotAllowed(`${type.kind} is computed when read, never stored`);
  return type;
}

/** The group as apiErrors words it: absent for the core group. */
export function groupOf(type: ResourceType): string | undefined {
  return type.group || undefined;
}

export const notFound = (type: ResourceType, name: string) => apiErrors.notFound(type.plural, name, groupOf(type));

export const MODIFIED_CONFLICT = 'the object has been modified; please apply your changes to the latest version and try again';

/** The namespaces cluster bootstrap creates: writes into them never wait for their Namespace object. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Finalizers still holding an object: metadata.finalizers, plus a Namespace's spec.finalizers. */
export function hasFinalizers(object: KubeObject): boolean {
  if (object.metadata.finalizers && object.metadata.finalizers.length > 0) return true;
  if (object.kind === 'Namespace') {
    const specFinalizers = object.spec?.finalizers as string[] | undefined;
    if (specFinalizers && specFinalizers.length > 0) return true;
  }
  return false;
}

export function refFor(type: ResourceType, namespace: string | undefined, name: string): ObjectRef {
  return type.namespaced ? { kind: type.kind, namespace: namespace ?? '', name } : { kind: type.kind, name };
}

/**
 * The value exactly as the log will give it back: a JSON copy (undefined properties dropped, no
 * shared references). Objects go into events, and from there into the live state, in this form, so
 * the live state equals a rebuild from any log, and holds plain fast-mode objects (the write path's
 * own `delete`s would otherwise leave slow dictionary-mode ones behind).
 */
export function asLogged<T>(value: T): T {
  return value === undefined ? value : jsonCopy(value, false);
}

/**
 * `asLogged(value)` for a value only the write path holds (built from an `asDecoded` copy, which
 * it may have changed since): the value itself when it is already in the logged form (JSON values
 * only: no undefined, function or non-finite member, no -0, plain objects and arrays), else the
 * copy. A pod create thus copies the pod once, not twice. Never for a value a caller still holds:
 * the log and the state would share it. Its arrays are replaced by exact-size copies: one grown by
 * `push` (a pod's default tolerations) keeps room for 17 elements, ~130 bytes per pod held.
 */
export function asLoggedOwned<T>(value: T): T {
  if (!isCopyAsIs(value, false)) return asLogged(value);
  return compactArrays(value) as T;
}

/** The same value with every array (at any depth) replaced by an exact-size copy of itself. */
function compactArrays(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = value.slice();
    for (let i = 0; i < copy.length; i++) copy[i] = compactArrays(copy[i]);
    return copy;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (typeof field === 'object' && field !== null) record[key] = compactArrays(field);
  }
  return record;
}

/**
 * Whether copying `value` (copyPlain) would give back an equal value, so `value` itself may stand
 * for the copy: JSON values only (no undefined, function or symbol member, nothing non-finite, no
 * -0), plain objects and arrays. `decoded`: the copy is asDecoded's, which also drops null fields
 * (a field named '' excepted, as copyPlain keeps it); otherwise it is asLogged's, and a frozen
 * object, someone's shared constant that the logged copy must not take over, does not count.
 */
function isCopyAsIs(value: unknown, decoded: boolean): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      const proto = Object.getPrototypeOf(value);
      if (proto === arrayPrototype) {
        const array = value as unknown[];
        // A hole or an undefined element reads as undefined (the copy would hold null).
        for (let i = 0; i < array.length; i++) if (array[i] === undefined || !isCopyAsIs(array[i], decoded)) return false;
        return true;
      }
      if (proto !== objectPrototype || (!decoded && Object.isFrozen(value))) return false;
      for (const key in value) {
        if (!hasOwn.call(value, key) || key === '__proto__') return false;
        const field = (value as Record<string, unknown>)[key];
        if (field === undefined || (decoded && field === null && key !== '') || !isCopyAsIs(field, decoded)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * A client's object as Kubernetes' typed decoding sees it: a `null` field is the same as an absent
 * one (kubectl's `rollout undo` sends `metadata.creationTimestamp: null` in the template, which
 * must not make the template differ from the ReplicaSet it came from). Array elements are kept.
 */
export function asDecoded<T>(value: T): T {
  return jsonCopy(value, true);
}

/**
 * `asDecoded(value)` for an object whose fields may be the very sub-objects a stored object holds
 * under the same keys (`stored`: a part of an object of the state, which is never changed): a
 * controller writing a status passes the conditions list it read when it did not change it. Such a
 * field is taken as it is when it is already what decoding would give (checked once per stored
 * sub-object); every other field is decoded as asDecoded would. Same value, same key order.
 */
export function asDecodedSharing<T>(value: T, stored: unknown): T {
  if (typeof value !== 'object' || value === null || typeof stored !== 'object' || stored === null) return asDecoded(value);
  if (Object.getPrototypeOf(value) !== objectPrototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return asDecoded(value);
  const held = stored as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!hasOwn.call(value, key)) continue;
    const field = (value as Record<string, unknown>)[key];
    const t = typeof field;
    // As copyPlain: dropped fields first, then a `__proto__` key sends the whole value the JSON route.
    if (t === 'undefined' || t === 'function' || t === 'symbol' || (field === null && key !== '')) continue;
    if (key === '__proto__') return asDecoded(value);
    if (typeof field === 'object' && field !== null && field === held[key] && isDecodedStoredPart(field)) {
      out[key] = field;
      continue;
    }
    const copied = copyPlain(field, true);
    if (copied === NOT_PLAIN) return asDecoded(value);
    out[key] = copied;
  }
  return out as T;
}

/** Stored sub-objects found to be what decoding gives (stored objects never change, so once is enough). */
const decodedStoredParts = new WeakSet<object>();

function isDecodedStoredPart(part: object): boolean {
  if (decodedStoredParts.has(part)) return true;
  if (!isCopyAsIs(part, true)) return false;
  decodedStoredParts.add(part);
  return true;
}

/**
 * `JSON.parse(JSON.stringify(value))`, built directly (several times cheaper than the round trip
 * for the plain objects the write path copies), optionally dropping null object fields. Anything
 * the direct copy does not handle exactly like JSON (toJSON, a `__proto__` key, non-plain objects)
 * takes the round trip.
 */
function jsonCopy<T>(value: T, dropNullFields: boolean): T {
  const copy = copyPlain(value, dropNullFields);
  if (copy !== NOT_PLAIN) return copy as T;
  const text = dropNullFields ? JSON.stringify(value, (key, field) => (field === null && key !== '' ? undefined : field)) : JSON.stringify(value);
  return JSON.parse(text) as T;
}

const NOT_PLAIN = Symbol('not plain');
const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

function copyPlain(value: unknown, dropNullFields: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const element = value[i];
          const t = typeof element;
          if (t === 'undefined' || t === 'function' || t === 'symbol') out[i] = null;
          else {
            const copied = copyPlain(element, dropNullFields);
            if (copied === NOT_PLAIN) return NOT_PLAIN;
            out[i] = copied;
          }
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== objectPrototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      // for-in with an own-property check visits what Object.keys lists, in the same order, without
      // an array of keys per object (a defaulted pod: ~9.7 -> ~7.0 µs per copy, measured).
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        const field = (value as Record<string, unknown>)[key];
        const t = typeof field;
        // (A field named '' keeps its null, as it does with the replacer, which cannot tell it from the root.)
        if (t === 'undefined' || t === 'function' || t === 'symbol' || (field === null && dropNullFields && key !== '')) continue;
        if (key === '__proto__') return NOT_PLAIN;
        const copied = copyPlain(field, dropNullFields);
        if (copied === NOT_PLAIN) return NOT_PLAIN;
        out[key] = copied;
      }
      return out;
    }
    default:
      // bigint throws in JSON.stringify; undefined, functions and symbols at the top level: let JSON decide.
      return NOT_PLAIN;
  }
}
