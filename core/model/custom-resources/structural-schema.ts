import type { StatusCause } from '../../errors.ts';
import { fieldErrors, fieldPath } from '../field-errors.ts';
import { matchesFormat } from './string-formats.ts';

/**
 * The part of a CustomResourceDefinition's `openAPIV3Schema` (apiextensions.k8s.io/v1
 * JSONSchemaProps) that Orrery acts on: structure (pruning, unknown fields), defaults, and the
 * value validations below, `allOf`/`anyOf`/`oneOf`/`not` and the string formats the apiserver
 * checks (string-formats.ts) included. CEL rules (`x-kubernetes-validations`) are accepted and not
 * enforced.
 */
export interface JsonSchemaProps {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchemaProps>;
  items?: JsonSchemaProps;
  additionalProperties?: JsonSchemaProps | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  /** Value validations only: a structural schema declares no types or structure inside these. */
  allOf?: JsonSchemaProps[];
  anyOf?: JsonSchemaProps[];
  oneOf?: JsonSchemaProps[];
  not?: JsonSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

type Json = Record<string, unknown>;

const isMap = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields every object (and every embedded resource) keeps whatever its schema says. */
const OBJECT_ROOT_FIELDS = ['apiVersion', 'kind', 'metadata'];

/** A map's schema for its values: `additionalProperties` as a schema, or everything when `true`. */
function valueSchemaOf(schema: JsonSchemaProps): JsonSchemaProps | 'any' | undefined {
  const additional = schema.additionalProperties;
  if (additional === true) return 'any';
  if (isMap(additional)) return additional;
  return undefined;
}

function keepsUnknownFields(schema: JsonSchemaProps): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/**
 * Walks the fields of `value` that `schema` does not declare (what pruning drops and what strict
 * field validation reports), calling `found` with each one's path and its parent.
 */
function visitUnknown(value: unknown, schema: JsonSchemaProps, path: string, atRoot: boolean, found: (path: string, parent: Json, key: string) => void): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => visitUnknown(item, schema.items!, `${path}[${index}]`, false, found));
    return;
  }
  if (!isMap(value)) return;
  const valueSchema = valueSchemaOf(schema);
  if (valueSchema !== undefined) {
    if (valueSchema !== 'any') for (const key of Object.keys(value)) visitUnknown(value[key], valueSchema, fieldPath(path, key), false, found);
    return;
  }
  const properties = schema.properties ?? {};
  const keepsRoot = atRoot || schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    // An object's apiVersion, kind and metadata are ObjectMeta's business, whatever the schema
    // says of them (generated schemas declare `metadata: {type: object}`).
    if (keepsRoot && OBJECT_ROOT_FIELDS.includes(key)) continue;
    const property = properties[key];
    if (property) visitUnknown(value[key], property, fieldPath(path, key), false, found);
    else if (!keepsUnknownFields(schema)) found(fieldPath(path, key), value, key);
  }
}

/** Paths in `object` that its schema does not declare, as Kubernetes' strict decoding names them. */
export function unknownFields(object: unknown, schema: JsonSchemaProps): string[] {
  const paths: string[] = [];
  visitUnknown(object, schema, '', true, (path) => paths.push(path));
  return paths;
}

/** Drops every field the schema does not declare (Kubernetes' pruning), in place; `atRoot` when `object` is a whole object, whose apiVersion, kind and metadata stay. */
export function prune(object: Json, schema: JsonSchemaProps, atRoot = true): void {
  const doomed: Array<[Json, string]> = [];
  visitUnknown(object, schema, '', atRoot, (_path, parent, key) => doomed.push([parent, key]));
  for (const [parent, key] of doomed) delete parent[key];
}

/** Fills in the schema's `default`s for absent fields, in place (Kubernetes' structural defaulting). */
export function applyDefaults(value: unknown, schema: JsonSchemaProps, atRoot = true): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items, false);
    return;
  }
  if (!isMap(value)) return;
  const valueSchema = valueSchemaOf(schema);
  if (valueSchema !== undefined && valueSchema !== 'any') {
    for (const key of Object.keys(value)) applyDefaults(value[key], valueSchema, false);
  }
  const keepsRoot = atRoot || schema['x-kubernetes-embedded-resource'] === true;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (keepsRoot && OBJECT_ROOT_FIELDS.includes(key)) continue;
    if (value[key] === undefined && property.default !== undefined) value[key] = structuredClone(property.default);
    if (value[key] !== undefined) applyDefaults(value[key], property, false);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

function hasType(value: unknown, schema: JsonSchemaProps): boolean {
  const actual = typeName(value);
  if (schema['x-kubernetes-int-or-string']) return actual === 'integer' || actual === 'string';
  switch (schema.type) {
    case undefined:
    case '':
      return true;
    case 'number':
      return actual === 'number' || actual === 'integer';
    default:
      return actual === schema.type;
  }
}

/** ` in body should …`, as the OpenAPI validator words a value it refuses. */
function refused(path: string, value: unknown, rule: string): StatusCause {
  return fieldErrors.invalid(path, value, `${path} in body ${rule}`);
}

/**
 * The value validations of a structural schema, worded as the apiserver's CustomResource
 * validation words them (`spec.replicas: Invalid value: "string": spec.replicas in body must be of
 * type integer: "string"`).
 */
export function validateAgainstSchema(value: unknown, schema: JsonSchemaProps, path = ''): StatusCause[] {
  const causes: StatusCause[] = [];
  check(value, schema, path, causes);
  return causes;
}

function check(value: unknown, schema: JsonSchemaProps, path: string, causes: StatusCause[]): void {
  if (value === null && schema.nullable) return;
  if (!hasType(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type!;
    const actual = typeName(value);
    causes.push(fieldErrors.invalid(path, actual, `${path} in body must be of type ${expected}: ${JSON.stringify(actual)}`));
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    causes.push(fieldErrors.notSupported(path, value, schema.enum.map((allowed) => (typeof allowed === 'string' ? allowed : JSON.stringify(allowed)))));
  }
  if (schema.allOf || schema.anyOf || schema.oneOf || schema.not) checkCombinators(value, schema, path, causes);
  if (typeof value === 'number') checkNumber(value, schema, path, causes);
  else if (typeof value === 'string') checkString(value, schema, path, causes);
  else if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) causes.push(fieldErrors.tooMany(path, value.length, schema.maxItems));
    if (schema.minItems !== undefined && value.length < schema.minItems) causes.push(refused(path, value.length, `should have at least ${schema.minItems} items`));
    if (schema.uniqueItems) {
      const seen = new Set<string>();
      value.forEach((item, index) => {
        const text = JSON.stringify(item);
        if (seen.has(text)) causes.push(fieldErrors.duplicate(fieldPath(path, index), item));
        seen.add(text);
      });
    }
    if (schema.items) value.forEach((item, index) => check(item, schema.items!, `${path}[${index}]`, causes));
  } else if (isMap(value)) checkObject(value, schema, path, causes);
}

/**
 * `allOf`, `anyOf`, `oneOf` and `not`, as the apiserver's OpenAPI validator (kube-openapi) reports
 * them: the rule's message without a path or value, which the CustomResource validation turns into
 * a cause on no field (`<nil>: Invalid value: "": must validate one and only one schema (oneOf)`).
 * Where no alternative validates, the causes of the one that came closest follow (kube-openapi
 * merges the alternative with the most checks passed; here, the one with the fewest causes, the
 * first of equals); `allOf` gives every failing part's causes, then its own.
 */
function checkCombinators(value: unknown, schema: JsonSchemaProps, path: string, causes: StatusCause[]): void {
  if (schema.anyOf) {
    const results = schema.anyOf.map((sub) => validateAgainstSchema(value, sub, path));
    if (!results.some((found) => found.length === 0)) causes.push(combinatorRefusal('must validate at least one schema (anyOf)'), ...closest(results));
  }
  if (schema.oneOf) {
    const results = schema.oneOf.map((sub) => validateAgainstSchema(value, sub, path));
    const valid = results.filter((found) => found.length === 0).length;
    if (valid !== 1) causes.push(combinatorRefusal('must validate one and only one schema (oneOf)'), ...(valid === 0 ? closest(results) : []));
  }
  if (schema.allOf) {
    const failed = schema.allOf.map((sub) => validateAgainstSchema(value, sub, path)).filter((found) => found.length > 0);
    if (failed.length > 0) causes.push(...failed.flat(), combinatorRefusal('must validate all the schemas (allOf)'));
  }
  if (schema.not && validateAgainstSchema(value, schema.not, path).length === 0) causes.push(combinatorRefusal('must not validate the schema (not)'));
}

function combinatorRefusal(message: string): StatusCause {
  return fieldErrors.invalid('<nil>', '', message);
}

function closest(results: StatusCause[][]): StatusCause[] {
  return results.reduce((best, found) => (found.length < best.length ? found : best));
}

function checkNumber(value: number, schema: JsonSchemaProps, path: string, causes: StatusCause[]): void {
  if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
    causes.push(refused(path, value, `should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`));
  }
  if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
    causes.push(refused(path, value, `should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`));
  }
  if (schema.multipleOf !== undefined && schema.multipleOf > 0 && !Number.isInteger(value / schema.multipleOf)) {
    causes.push(refused(path, value, `should be a multiple of ${schema.multipleOf}`));
  }
}

function checkString(value: string, schema: JsonSchemaProps, path: string, causes: StatusCause[]): void {
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) causes.push(fieldErrors.tooLong(path, schema.maxLength));
  if (schema.minLength !== undefined && length < schema.minLength) causes.push(refused(path, value, `should be at least ${schema.minLength} chars long`));
  if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) causes.push(refused(path, value, `should match '${schema.pattern}'`));
  if (schema.format !== undefined && !matchesFormat(schema.format, value)) causes.push(refused(path, value, `must be of type ${schema.format}: ${JSON.stringify(value)}`));
}

function checkObject(value: Json, schema: JsonSchemaProps, path: string, causes: StatusCause[]): void {
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) causes.push(fieldErrors.required(fieldPath(path, name)));
  }
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) causes.push(fieldErrors.tooMany(path, count, schema.maxProperties));
  if (schema.minProperties !== undefined && count < schema.minProperties) causes.push(refused(path, count, `should have at least ${schema.minProperties} properties`));
  const properties = schema.properties ?? {};
  const valueSchema = valueSchemaOf(schema);
  for (const key of Object.keys(value)) {
    const property = properties[key] ?? (valueSchema !== 'any' ? valueSchema : undefined);
    if (property && value[key] !== undefined) check(value[key], property, fieldPath(path, key), causes);
  }
}

const patterns = new Map<string, RegExp>();

/** ECMA-262 patterns, as OpenAPI specifies; `u` so that `\p{…}` classes work. */
function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    try {
      pattern = new RegExp(source, 'u');
    } catch {
      pattern = new RegExp(source);
    }
    patterns.set(source, pattern);
  }
  return pattern;
}

/** Whether a pattern compiles (a CRD with one that does not is refused). */
export function isValidPattern(source: string): boolean {
  try {
    patternOf(source);
    return true;
  } catch {
    return false;
  }
}
