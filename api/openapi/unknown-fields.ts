import { ApiError } from '../../core/errors.ts';
import { resolveSchema, type Schema } from './component-schemas.ts';
import { isOpenObject, schemaFor } from './schema-lookup.ts';

/**
 * Field paths in `object` that its kind's schema does not know, worded as Kubernetes' strict
 * decoder words them: `spec.foo`, `spec.template.spec.containers[0].imagePullPolicyy`.
 * Kinds without a schema accept everything.
 */
export function findUnknownFields(object: unknown, kind: string, apiVersion?: string): string[] {
  const schema = schemaFor(kind, apiVersion ?? (object as { apiVersion?: string } | null)?.apiVersion);
  if (!schema) return [];
  const unknown: string[] = [];
  walk(object, schema, '', unknown);
  return unknown;
}

function walk(value: unknown, schema: Schema | undefined, path: string, unknown: string[]): void {
  const resolved = resolveSchema(schema);
  if (!resolved || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (resolved.type !== 'array') return;
    value.forEach((item, index) => walk(item, resolved.items, `${path}[${index}]`, unknown));
    return;
  }
  if (resolved.type === 'array' || isOpenObject(resolved)) {
    if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, resolved.additionalProperties, path ? `${path}.${key}` : key, unknown);
    }
    return;
  }
  const properties: Record<string, Schema> = resolved.properties ?? {};
  for (const [key, item] of Object.entries(value)) {
    const fieldPath = path ? `${path}.${key}` : key;
    if (!(key in properties)) unknown.push(fieldPath);
    else walk(item, properties[key], fieldPath, unknown);
  }
}

/**
 * The 400 a `fieldValidation=Strict` create/update (POST/PUT) answers for unknown fields:
 * `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
 * PATCH answers with `strictPatchError` instead; apply patches with serverSideApply's own 400.
 */
export function strictDecodingError(unknownFields: string[], decoding?: { kind: string; version: string }): ApiError {
  const detail = `strict decoding error: ${unknownFields.map((field) => `unknown field "${field}"`).join(', ')}`;
  const message = decoding ? `${decoding.kind} in version "${decoding.version}" cannot be handled as a ${decoding.kind}: ${detail}` : detail;
  return new ApiError(400, 'BadRequest', message);
}

/** The `Warning` header texts a `fieldValidation=Warn` request (the default) answers with. */
export function unknownFieldWarnings(unknownFields: string[]): string[] {
  return unknownFields.map((field) => `unknown field "${field}"`);
}

/**
 * The 422 a `fieldValidation=Strict` PATCH answers when the patched object has unknown fields.
 * Kubernetes shows the strategic merge patch itself (pass the patch object: printed as Go's `%+v`
 * of a map) or, for JSON and merge patches, the patched object's JSON (pass it as a string):
 * ` "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"`.
 */
export function strictPatchError(shown: string | object, unknownFields: string[]): ApiError {
  const detail = `strict decoding error: ${unknownFields.map((field) => `unknown field "${field}"`).join(', ')}`;
  const value = JSON.stringify(typeof shown === 'string' ? shown : goFormat(shown));
  const cause = { reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field: 'patch' };
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${cause.message}`, { name: '', kind: '', causes: [cause] });
}

/** Go's `%+v` of a decoded JSON value, as Kubernetes prints patches in errors. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goFormat(item)}`).join(' ')}]`;
  }
  return String(value);
}
