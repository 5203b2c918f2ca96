import { ApiError } from '../../core/errors.ts';
import { cloneJson, isPlainObject, jsonEqual, type JsonObject } from './json-values.ts';

/** RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge, null deletes, everything else replaces. */
export function applyMergePatch<T>(current: T, patch: unknown): T {
  if (!isPlainObject(patch)) {
    const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  return mergeValue(current, patch) as T;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergeValue(result[key], value);
  }
  return result;
}

/** The merge patch that turns `from` into `to`; `applyMergePatch(from, createMergePatch(from, to))` equals `to` for objects without nulls. */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (jsonEqual(before, value) && key in from) continue;
    patch[key] = isPlainObject(before) && isPlainObject(value) ? createMergePatch(before, value) : cloneJson(value);
  }
  return patch;
}
