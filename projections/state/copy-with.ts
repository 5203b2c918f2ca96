import type { KubeObject } from '../../core/model/object.ts';
import { literalCopy } from './literal-copy.ts';

/**
 * A shallow copy of `source` with some fields set: how the reducer changes an object without
 * mutating it. Why not `{ ...source, field }`: V8 clones fast only when every field set already
 * exists in the source; adding a field to a spread clone is ~30 times slower (measured: ~40 ns
 * against ~1.4 µs per copy), and the reducer does this for most events. So: spread when all fields
 * exist, else a plain Object.assign copy, which adds fields at normal speed.
 */
export function copyWith<T extends object>(source: T | undefined, fields: Partial<Record<keyof T & string, unknown>> & Record<string, unknown>): T {
  if (source === undefined) return { ...fields } as T;
  let allExist = true;
  for (const key in fields) {
    if (!(key in source)) {
      allExist = false;
      break;
    }
  }
  const copy = (allExist ? { ...source } : Object.assign({}, source)) as Record<string, unknown>;
  for (const key in fields) copy[key] = fields[key];
  return copy as T;
}

/** copyWith for one field, the common case, without the loops. */
export function copyWithField<T extends object>(source: T | undefined, key: string, value: unknown): T {
  if (source === undefined) return { [key]: value } as T;
  const copy = (key in source ? { ...source } : Object.assign({}, source)) as Record<string, unknown>;
  copy[key] = value;
  return copy as T;
}

/** A shallow copy of `source` without `key` (no `delete`, which would leave a slow dictionary-mode object). */
export function copyWithout<T extends object>(source: T | undefined, key: string): T {
  const copy = {} as Record<string, unknown>;
  if (source) for (const k in source) if (k !== key) copy[k] = (source as Record<string, unknown>)[k];
  return copy as T;
}

/**
 * `object` with its metadata, spec and status as given, made as one literal when its fields are
 * exactly the usual apiVersion, kind, metadata, spec, status in that order (what controllers and
 * clients write), else undefined. A spread copy made where many kinds pass (megamorphic), or one
 * built by adding fields, holds the fifth field in an extra properties store: ~40 bytes more for
 * every version of every object held, in the log and the state.
 */
export function asUsualObject(object: KubeObject, metadata: KubeObject['metadata'], spec: unknown, status: unknown): KubeObject | undefined {
  let at = 0;
  for (const key in object) if (key !== USUAL_FIELDS[at++]) return undefined;
  if (at !== USUAL_FIELDS.length) return undefined;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata, spec, status };
}

const USUAL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/**
 * The copies of a pod event, written out for the fields they set. copyWith's loops over a fields
 * object and its `{ ...source }` shared by every kind (megamorphic: ~300 ns a copy, measured over a
 * history's objects) cost more than the copy itself; these sites see only pods' few shapes and set
 * named fields, and pod events are most of what the reducer applies. Same results as copyWith:
 * existing fields keep their place, missing ones are added after the others in the order given
 * (through Object.assign, as copyWith does, which adds fields at normal speed).
 */
export function podWith(pod: KubeObject, metadata: KubeObject['metadata'], status: unknown): KubeObject {
  const usual = asUsualObject(pod, metadata, pod.spec, status);
  if (usual !== undefined) return usual;
  const copy = 'metadata' in pod && 'status' in pod ? { ...pod } : Object.assign({}, pod);
  copy.metadata = metadata;
  copy.status = status;
  return copy;
}

/** copyWith(metadata, { resourceVersion }) for pod metadata. */
export function podMetadataWithVersion(metadata: KubeObject['metadata'], resourceVersion: string): KubeObject['metadata'] {
  // Made as a literal (see literalCopy): a spread here gives 4 fields inside the object, measured.
  const copy = literalCopy(metadata, 'resourceVersion') ?? ('resourceVersion' in metadata ? { ...metadata } : Object.assign({}, metadata));
  copy.resourceVersion = resourceVersion;
  return copy;
}

/** copyWith(status, { conditions }) for pod status. */
export function podStatusWithConditions(status: Record<string, any> | undefined, conditions: unknown): Record<string, any> {
  if (status === undefined) return { conditions };
  const copy = literalCopy(status, 'conditions') ?? ('conditions' in status ? { ...status } : Object.assign({}, status));
  copy.conditions = conditions;
  return copy;
}

/** copyWith(status, { containerStatuses, conditions }) for pod status. */
export function podStatusWithContainers(status: Record<string, any>, containerStatuses: unknown, conditions: unknown): Record<string, any> {
  const copy =
    ('conditions' in status ? literalCopy(status, 'containerStatuses') : undefined) ??
    ('containerStatuses' in status && 'conditions' in status ? { ...status } : Object.assign({}, status));
  copy.containerStatuses = containerStatuses;
  copy.conditions = conditions;
  return copy;
}
