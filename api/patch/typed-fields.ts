import { ApiError } from '../../core/errors.ts';
import { resolveSchema, type Schema } from '../openapi/component-schemas.ts';
import { listSemanticsOf } from '../openapi/schema-lookup.ts';
import { FieldSet, formatFieldPath } from './field-set.ts';
import { cloneJson, isPlainObject, jsonEqual, type JsonObject } from './json-values.ts';

/**
 * Schema-aware walks over objects, as structured-merge-diff does them for server-side apply:
 * the field set of an applied configuration, the added/modified/removed fields between two
 * versions, merging an applied configuration into the live object, and removing fields.
 * Objects without a schema are treated as granular maps with atomic lists.
 */

/** List-map key fields that Kubernetes defaults when absent (ports' protocol). */
const keyDefaults: Record<string, unknown> = { protocol: 'TCP' };

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  const resolved = resolveSchema(schema);
  if (!resolved) return undefined;
  if (resolved.properties?.[key]) return resolved.properties[key];
  return isPlainObject(resolved.additionalProperties) ? resolved.additionalProperties : undefined;
}

/** Values owned and replaced as a whole: atomic structs, and strings such as quantities, times and int-or-string. */
function isOwnedWhole(schema: Schema | undefined): boolean {
  const resolved = resolveSchema(schema);
  return resolved?.['x-kubernetes-map-type'] === 'atomic' || resolved?.['x-kubernetes-int-or-string'] === true || (resolved?.type === 'string');
}

/** A struct has declared properties; a map (labels, or anything schemaless) does not. */
function isStruct(schema: Schema | undefined): boolean {
  return Boolean(resolveSchema(schema)?.properties);
}

function itemSchemaOf(schema: Schema | undefined): Schema | undefined {
  return resolveSchema(schema)?.items;
}

type ListKind = 'atomic' | 'set' | 'map';

function listKind(schema: Schema | undefined): { kind: ListKind; keys: string[] } {
  const semantics = listSemanticsOf(schema);
  if (semantics.listType === 'map' && semantics.listMapKeys) return { kind: 'map', keys: semantics.listMapKeys };
  return { kind: semantics.listType === 'set' ? 'set' : 'atomic', keys: [] };
}

/** The path element naming one list item: `k:{"name":"web"}` or `v:"finalizer"`. */
function elementKey(item: unknown, list: { kind: ListKind; keys: string[] }, path: string[], index: number): string {
  if (list.kind === 'set') return `v:${JSON.stringify(item)}`;
  if (!isPlainObject(item)) throw new FieldPathError(`${formatFieldPath(path)}: element ${index}: expected map, got ${JSON.stringify(item)}`);
  const key: JsonObject = {};
  for (const name of [...list.keys].sort()) {
    const value = item[name] ?? keyDefaults[name];
    if (value === undefined) throw new FieldPathError(`${formatFieldPath(path)}: element ${index}: associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`);
    key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

export class FieldPathError extends Error {}

/** The fields an applied configuration sets (structured-merge-diff's ToFieldSet). */
export function appliedFieldSet(value: JsonObject, schema: Schema | undefined): FieldSet {
  const set = new FieldSet();
  const walkValue = (item: unknown, itemSchema: Schema | undefined, path: string[]) => {
    if (isPlainObject(item) && Object.keys(item).length > 0 && !isOwnedWhole(itemSchema)) {
      for (const [key, child] of Object.entries(item)) walkValue(child, childSchema(itemSchema, key), [...path, `f:${key}`]);
      return;
    }
    const list = Array.isArray(item) ? listKind(itemSchema) : undefined;
    if (Array.isArray(item) && list && list.kind !== 'atomic' && item.length > 0) {
      const elementSchema = itemSchemaOf(itemSchema);
      item.forEach((element, index) => {
        const elementPath = [...path, elementKey(element, list, path, index)];
        set.insert(elementPath);
        if (list.kind === 'map' && isPlainObject(element) && !isOwnedWhole(elementSchema)) {
          for (const [key, child] of Object.entries(element)) walkValue(child, childSchema(elementSchema, key), [...elementPath, `f:${key}`]);
        }
      });
      return;
    }
    set.insert(path);
  };
  for (const [key, child] of Object.entries(value)) walkValue(child, childSchema(schema, key), [`f:${key}`]);
  return set;
}

/** Every field of a value that appears or disappears as a whole, as an update's diff records it. */
function addWhole(value: unknown, schema: Schema | undefined, path: string[], into: FieldSet): void {
  if (isPlainObject(value) && !isOwnedWhole(schema)) {
    if (!isStruct(schema) || Object.keys(value).length === 0) into.insert(path);
    for (const [key, child] of Object.entries(value)) addWhole(child, childSchema(schema, key), [...path, `f:${key}`], into);
    return;
  }
  const list = Array.isArray(value) ? listKind(schema) : undefined;
  if (Array.isArray(value) && list && list.kind !== 'atomic') {
    if (list.kind === 'set' || value.length === 0) into.insert(path);
    const elementSchema = itemSchemaOf(schema);
    value.forEach((element, index) => {
      addItem(element, list, elementSchema, [...path, elementKey(element, list, path, index)], into);
    });
    return;
  }
  into.insert(path);
}

/** A list item that appears or disappears: the item itself and, for list-maps, its fields. */
function addItem(item: unknown, list: { kind: ListKind }, elementSchema: Schema | undefined, elementPath: string[], into: FieldSet): void {
  into.insert(elementPath);
  if (list.kind === 'map' && isPlainObject(item) && !isOwnedWhole(elementSchema)) {
    for (const [key, child] of Object.entries(item)) addWhole(child, childSchema(elementSchema, key), [...elementPath, `f:${key}`], into);
  }
}

export interface FieldComparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed between two versions of an object, field by field (structured-merge-diff's Compare). */
export function compareFields(before: JsonObject, after: JsonObject, schema: Schema | undefined): FieldComparison {
  const out: FieldComparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareMaps(before, after, schema, [], out);
  return out;
}

function compareMaps(before: JsonObject, after: JsonObject, schema: Schema | undefined, path: string[], out: FieldComparison): void {
  // Every key of either side once: before's keys, then after's that before lacks.
  for (const key of Object.keys(before)) compareField(before, after, key, schema, path, out);
  for (const key of Object.keys(after)) if (!Object.prototype.hasOwnProperty.call(before, key)) compareField(before, after, key, schema, path, out);
}

function compareField(before: JsonObject, after: JsonObject, key: string, schema: Schema | undefined, path: string[], out: FieldComparison): void {
  const a = before[key];
  const b = after[key];
  if (a === b) return;
  const childPath = [...path, `f:${key}`];
  const child = childSchema(schema, key);
  if (a === undefined || a === null) {
    if (b !== undefined && b !== null) addWhole(b, child, childPath, out.added);
  } else if (b === undefined || b === null) {
    addWhole(a, child, childPath, out.removed);
  } else {
    compareValues(a, b, child, childPath, out);
  }
}

function compareValues(a: unknown, b: unknown, schema: Schema | undefined, path: string[], out: FieldComparison): void {
  if (a === b) return;
  if (isPlainObject(a) && isPlainObject(b) && !isOwnedWhole(schema)) return compareMaps(a, b, schema, path, out);
  if (jsonEqual(a, b)) return;
  const list = Array.isArray(a) && Array.isArray(b) ? listKind(schema) : undefined;
  if (Array.isArray(a) && Array.isArray(b) && list && list.kind !== 'atomic') {
    const elementSchema = itemSchemaOf(schema);
    const index = (items: unknown[]) => new Map(items.map((item, i) => [elementKey(item, list, path, i), item] as const));
    const before = index(a);
    const after = index(b);
    for (const [key, item] of after) {
      const elementPath = [...path, key];
      const old = before.get(key);
      if (old === undefined) {
        addItem(item, list, elementSchema, elementPath, out.added);
      } else if (list.kind === 'map' && isPlainObject(old) && isPlainObject(item) && !isOwnedWhole(elementSchema)) {
        compareMaps(old, item, elementSchema, elementPath, out);
      } else if (!jsonEqual(old, item)) {
        out.modified.insert(elementPath);
      }
    }
    for (const [key, item] of before) {
      if (after.has(key)) continue;
      addItem(item, list, elementSchema, [...path, key], out.removed);
    }
    return;
  }
  out.modified.insert(path);
}

/**
 * Merges two associative lists the way structured-merge-diff does: applied items in applied
 * order, live-only items kept where they were relative to them.
 */
function mergeAssociative(live: unknown[], applied: unknown[], keyOf: (item: unknown, index: number) => string, mergeItem: (live: unknown, applied: unknown) => unknown): unknown[] {
  const liveKeys = live.map(keyOf);
  const appliedKeys = applied.map(keyOf);
  const liveByKey = new Map(liveKeys.map((key, i) => [key, live[i]] as const));
  const appliedByKey = new Map(appliedKeys.map((key, i) => [key, applied[i]] as const));
  const sharedOrder = appliedKeys.filter((key) => liveByKey.has(key));
  let shared = 0;
  let nextShared: string | undefined = sharedOrder[shared++];
  const merged = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < live.length || r < applied.length) {
    if (l < live.length && r < applied.length) {
      const key = liveKeys[l];
      if (key === appliedKeys[r]) {
        merged.add(key);
        out.push(mergeItem(liveByKey.get(key), appliedByKey.get(key)));
        l++;
        r++;
        nextShared = sharedOrder[shared++];
        continue;
      }
      if (appliedByKey.has(key) && nextShared !== undefined && nextShared !== key) {
        l++;
        continue;
      }
    }
    if (l < live.length) {
      const key = liveKeys[l];
      if (!appliedByKey.has(key)) {
        out.push(live[l]);
        l++;
        continue;
      }
      if (merged.has(key)) {
        l++;
        continue;
      }
    }
    if (r < applied.length) {
      const key = appliedKeys[r];
      merged.add(key);
      out.push(mergeItem(liveByKey.get(key), appliedByKey.get(key)));
      r++;
      if (nextShared === key) nextShared = sharedOrder[shared++];
    }
  }
  return out;
}

/** Merges an applied configuration into the live object (structured-merge-diff's Merge). */
export function mergeApplied(live: unknown, config: unknown, schema: Schema | undefined, path: string[] = []): unknown {
  if (config === null) return undefined;
  if (isPlainObject(config) && isPlainObject(live) && !isOwnedWhole(schema)) {
    const result: JsonObject = { ...live };
    for (const [key, value] of Object.entries(config)) {
      const merged = mergeApplied(live[key], value, childSchema(schema, key), [...path, `f:${key}`]);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
    return result;
  }
  const list = Array.isArray(config) && Array.isArray(live) ? listKind(schema) : undefined;
  if (Array.isArray(config) && Array.isArray(live) && list && list.kind !== 'atomic') {
    const elementSchema = itemSchemaOf(schema);
    const keyOf = (item: unknown, index: number) => elementKey(item, list, path, index);
    return mergeAssociative(live, config, keyOf, (existing, item) =>
      existing === undefined || list.kind === 'set' ? cloneJson(item) : mergeApplied(existing, item, elementSchema, [...path, keyOf(item, 0)]),
    );
  }
  return cloneJson(config);
}

/** Removes the given member paths from an object (a copy is returned). */
export function removeFields(object: JsonObject, paths: string[][], schema: Schema | undefined): JsonObject {
  const result = cloneJson(object);
  for (const path of paths) removePath(result, path, schema);
  return result;
}

function removePath(container: unknown, path: string[], schema: Schema | undefined): void {
  const [head, ...rest] = path;
  if (!head) return;
  if (head.startsWith('f:') && isPlainObject(container)) {
    const key = head.slice(2);
    if (rest.length === 0) delete container[key];
    else removePath(container[key], rest, childSchema(schema, key));
    return;
  }
  if ((head.startsWith('k:') || head.startsWith('v:')) && Array.isArray(container)) {
    const list = listKind(schema);
    const index = container.findIndex((item, i) => {
      try {
        return elementKey(item, list, [], i) === head;
      } catch {
        return false;
      }
    });
    if (index < 0) return;
    if (rest.length === 0) container.splice(index, 1);
    else removePath(container[index], rest, itemSchemaOf(schema));
  }
}

/** Apply requests must only name declared fields: `.spec.foo: field not declared in schema`. */
export function undeclaredFields(value: JsonObject, schema: Schema | undefined): string[] {
  const errors: string[] = [];
  const walk = (item: unknown, itemSchema: Schema | undefined, path: string[]) => {
    const resolved = resolveSchema(itemSchema);
    if (!resolved || resolved['x-kubernetes-preserve-unknown-fields']) return;
    if (isPlainObject(item)) {
      for (const [key, child] of Object.entries(item)) {
        const next = childSchema(resolved, key);
        if (resolved.properties && !resolved.properties[key] && !isPlainObject(resolved.additionalProperties)) errors.push(`${formatFieldPath([...path, `f:${key}`])}: field not declared in schema`);
        else walk(child, next, [...path, `f:${key}`]);
      }
    } else if (Array.isArray(item) && resolved.type === 'array') {
      item.forEach((element, index) => walk(element, resolved.items, [...path, `i:${index}`]));
    }
  };
  walk(value, schema, []);
  return errors;
}

/** The validation error Kubernetes answers an apply with when the configuration does not fit the schema. */
export function typedPatchError(object: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }, problems: string[]): ApiError {
  const [group, version] = (object.apiVersion ?? '').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? ''];
  const gvk = `${group ? `${group}/` : ''}${version}, Kind=${object.kind ?? ''}`;
  const detail = problems.length === 1 ? problems[0] : `errors:\n  ${problems.join('\n  ')}`;
  return new ApiError(400, 'BadRequest', `failed to create typed patch object (${gvk} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}): ${detail}`);
}

/**
 * `compareFields({}, after, schema).added.toFieldsV1()`, the fields a create records, encoded
 * straight from the value: no path arrays and no field set. Undefined when the walk would need
 * the general path: a list repeats an item key (the set merges those), or an item is malformed
 * (the general path throws the error that names it).
 */
export function addedFieldsV1(after: JsonObject, schema: Schema | undefined): Record<string, unknown> | undefined {
  const keys = Object.keys(after).filter((key) => after[key] !== undefined && after[key] !== null);
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const child = wholeFieldsV1(after[key], childSchema(schema, key));
    if (child === undefined) return undefined;
    out[`f:${key}`] = child;
  }
  return out;
}

/** The encoded node `addWhole` builds for `value` (a member, or a struct's inner node), or undefined for the general path. */
function wholeFieldsV1(value: unknown, schema: Schema | undefined): Record<string, unknown> | undefined {
  if (isPlainObject(value) && !isOwnedWhole(schema)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return {};
    const out: Record<string, unknown> = isStruct(schema) ? {} : { '.': {} };
    if (keys.length > 1) keys.sort();
    for (const key of keys) {
      const child = wholeFieldsV1(value[key], childSchema(schema, key));
      if (child === undefined) return undefined;
      out[`f:${key}`] = child;
    }
    return out;
  }
  const list = Array.isArray(value) ? listKind(schema) : undefined;
  if (!Array.isArray(value) || !list || list.kind === 'atomic') return {};
  if (value.length === 0) return {};
  const elementSchema = itemSchemaOf(schema);
  const items = new Map<string, Record<string, unknown>>();
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (list.kind === 'map' && !isPlainObject(item)) return undefined;
    let key: string;
    try {
      key = elementKey(item, list, [], index);
    } catch {
      return undefined;
    }
    if (items.has(key)) return undefined;
    let node: Record<string, unknown> = {};
    if (list.kind === 'map' && isPlainObject(item) && !isOwnedWhole(elementSchema)) {
      const fields = Object.keys(item);
      if (fields.length > 0) {
        node = { '.': {} };
        if (fields.length > 1) fields.sort();
        for (const field of fields) {
          const child = wholeFieldsV1(item[field], childSchema(elementSchema, field));
          if (child === undefined) return undefined;
          node[`f:${field}`] = child;
        }
      }
    }
    items.set(key, node);
  }
  const out: Record<string, unknown> = list.kind === 'set' ? { '.': {} } : {};
  const keys = [...items.keys()];
  if (keys.length > 1) keys.sort();
  for (const key of keys) out[key] = items.get(key);
  return out;
}
