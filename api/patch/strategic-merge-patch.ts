import { ApiError } from '../../core/errors.ts';
import { resolveSchema, type Schema } from '../openapi/component-schemas.ts';
import { listSemanticsOf, schemaFor } from '../openapi/schema-lookup.ts';
import { goFormat } from '../openapi/unknown-fields.ts';
import { cloneJson, isPlainObject, jsonEqual, type JsonObject } from './json-values.ts';

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), following
 * k8s.io/apimachinery/pkg/util/strategicpatch: lists merge by their patch merge key, directives
 * (`$patch`, `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`) steer
 * the merge, null deletes. Merge keys come from the OpenAPI component schemas.
 */

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
/** Errors strategicpatch raises that the apiserver passes on unclassified: 500, no reason, the raw message. */
const unclassified = (message: string) => new ApiError(500, '', message);
const unprocessable = (message: string) =>
  new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message }] });

/** Applies a strategic merge patch to a copy of `current`, using the schema of `current`'s kind. */
export function applyStrategicMergePatch<T extends { kind?: string; apiVersion?: string }>(current: T, patch: unknown, schema?: Schema): T {
  if (!isPlainObject(patch)) {
    const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  const objectSchema = schema ?? (current.kind ? schemaFor(current.kind, current.apiVersion) : undefined);
  return mergeMap(cloneJson(current) as unknown as JsonObject, patch, objectSchema) as unknown as T;
}

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  const resolved = resolveSchema(schema);
  if (!resolved) return undefined;
  if (resolved.properties?.[key]) return resolved.properties[key];
  return isPlainObject(resolved.additionalProperties) ? resolved.additionalProperties : undefined;
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      const { [DIRECTIVE]: _, ...rest } = patch;
      return stripDirectives(rest);
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw unclassified(`unknown patch type: ${String(directive)} in map: ${goFormat(patch)}`);
  }
  const result: JsonObject = { ...original };

  if (RETAIN_KEYS in patch) {
    const retain = patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
    for (const key of Object.keys(patch)) {
      if (!key.startsWith('$') && patch[key] !== null && !retain.includes(key)) throw unprocessable("patch content doesn't match retainKeys list");
    }
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }

  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!Array.isArray(values)) throw badRequest('invalid patch format of primitive list');
    const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((item) => !values.some((value) => jsonEqual(value, item)));
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const order = patch[`${SET_ELEMENT_ORDER}${key}`];
    result[key] = mergeValue(result[key], value, childSchema(schema, key), order);
  }

  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (field in patch) continue;
    const list = result[field];
    if (Array.isArray(list)) result[field] = orderList(list, list, order, listSemanticsOf(childSchema(schema, field)).patchMergeKey);
  }
  return result;
}

function mergeValue(original: unknown, patch: unknown, schema: Schema | undefined, order: unknown): unknown {
  if (isPlainObject(patch)) return mergeMap(isPlainObject(original) ? original : {}, patch, schema);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, schema, order);
  return patch;
}

function mergeList(original: unknown[], patch: unknown[], schema: Schema | undefined, order: unknown): unknown[] {
  const semantics = listSemanticsOf(schema);
  if (!semantics.patchStrategy?.includes('merge')) {
    const replaceMarker = patch.findIndex((item) => isPlainObject(item) && item[DIRECTIVE] === 'replace');
    if (replaceMarker >= 0) return stripDirectives(patch.filter((_, index) => index !== replaceMarker));
    return cloneJson(patch);
  }
  if (patch.some((item) => isPlainObject(item) && item[DIRECTIVE] === 'replace')) {
    return patch.filter((item) => !(isPlainObject(item) && DIRECTIVE in item)).map((item) => stripDirectives(item));
  }
  const mergeKey = semantics.patchMergeKey;
  if (order !== undefined) checkOrderCoversPatch(patch, order, mergeKey);
  const itemSchema = resolveSchema(schema)?.items;
  let result: unknown[];
  if (!mergeKey || patch.every((item) => !isPlainObject(item))) {
    result = [...original];
    for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(cloneJson(item));
  } else {
    result = [...original];
    for (const item of patch) {
      if (!isPlainObject(item)) throw unclassified(`unable to find api field in struct for the list item: ${goFormat(item)}`);
      if (!(mergeKey in item)) throw unclassified(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
      const index = result.findIndex((existing) => isPlainObject(existing) && jsonEqual(existing[mergeKey], item[mergeKey]));
      if (item[DIRECTIVE] === 'delete') {
        result = result.filter((existing) => !(isPlainObject(existing) && jsonEqual(existing[mergeKey], item[mergeKey])));
        continue;
      }
      if (index >= 0) result[index] = mergeMap(result[index] as JsonObject, item, itemSchema);
      else result.push(mergeMap({}, item, itemSchema));
    }
  }
  // Without $setElementOrder the patch list's own order ranks the items it names.
  return orderList(result, original, order ?? patch, mergeKey);
}

/**
 * Orders a merged list by `$setElementOrder` (or the patch list): listed items in the listed
 * order, server-only items woven in by their position in the live list (strategicpatch's
 * normalizeElementOrder).
 */
function orderList(merged: unknown[], live: unknown[], order: unknown, mergeKey: string | undefined): unknown[] {
  if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
  const keyOf = (item: unknown) => (mergeKey && isPlainObject(item) ? item[mergeKey] : item);
  const indexIn = (list: unknown[], key: unknown) => list.findIndex((candidate) => jsonEqual(keyOf(candidate), key));
  const orderKeys = order.map((item) => keyOf(item));
  const positionInOrder = (item: unknown) => orderKeys.findIndex((key) => jsonEqual(key, keyOf(item)));
  const patchSide = merged.filter((item) => positionInOrder(item) >= 0).sort((a, b) => positionInOrder(a) - positionInOrder(b));
  const serverOnly = merged.filter((item) => positionInOrder(item) < 0);
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchSide.length) {
    if (j >= patchSide.length) result.push(serverOnly[i++]);
    else if (i >= serverOnly.length) result.push(patchSide[j++]);
    else {
      const left = indexIn(live, keyOf(serverOnly[i]));
      const right = indexIn(live, keyOf(patchSide[j]));
      if (left >= 0 && right >= 0 && left < right) result.push(serverOnly[i++]);
      else result.push(patchSide[j++]);
    }
  }
  return result;
}

/** The items a patch list names must appear, in the same relative order, in its `$setElementOrder` list. */
function checkOrderCoversPatch(patch: unknown[], order: unknown, mergeKey: string | undefined): void {
  if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
  if (order.length === 0 || patch.length === 0) return;
  const named = patch.filter((item) => !(isPlainObject(item) && DIRECTIVE in item));
  const same = (a: unknown, b: unknown) => (mergeKey && isPlainObject(a) && isPlainObject(b) ? jsonEqual(a[mergeKey], b[mergeKey]) : jsonEqual(a, b));
  let p = 0;
  for (let o = 0; p < named.length && o < order.length; o++) if (same(named[p], order[o])) p++;
  if (p < named.length) throw unclassified(`The order in patch list:\n${goFormat(patch)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`);
}

function stripDirectives<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((item) => !(isPlainObject(item) && DIRECTIVE in item && Object.keys(item).length === 1)).map(stripDirectives) as T;
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (!key.startsWith('$')) result[key] = stripDirectives(item);
  return result as T;
}
