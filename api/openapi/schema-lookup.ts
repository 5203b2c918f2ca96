import { refName, resolveSchema, schemaCatalog, type Schema } from './component-schemas.ts';
import type { ListSemantics } from './list-semantics.ts';

/**
 * The one place patch code, field validation and the OpenAPI documents ask "what is this field?".
 * Everything answers from the component schemas built out of client-node's models.
 */

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The component schema name of a kind, e.g. `io.k8s.api.apps.v1.Deployment`. Without apiVersion, core first. */
export function schemaNameFor(kind: string, apiVersion?: string): string | undefined {
  const { kinds } = schemaCatalog();
  if (apiVersion) {
    const { group, version } = splitApiVersion(apiVersion);
    return kinds.get(`${group}/${version}/${kind}`);
  }
  const core = kinds.get(`/v1/${kind}`);
  if (core) return core;
  for (const [key, name] of kinds) if (key.endsWith(`/${kind}`) && /\/v\d+\//.test(key)) return name;
  return undefined;
}

// Looked up on every write (managedFields, field validation): by apiVersion, then kind, without
// building a key. Only known kinds are kept, so a client naming made-up kinds cannot grow it.
const schemasByVersion = new Map<string | undefined, Map<string, Schema>>();

/** The object schema of a kind, or undefined for kinds client-node does not know. */
export function schemaFor(kind: string, apiVersion?: string): Schema | undefined {
  const known = schemasByVersion.get(apiVersion)?.get(kind);
  if (known) return known;
  const name = schemaNameFor(kind, apiVersion);
  const schema = name ? schemaCatalog().schemas.get(name) : undefined;
  if (schema) {
    let byKind = schemasByVersion.get(apiVersion);
    if (!byKind) schemasByVersion.set(apiVersion, (byKind = new Map()));
    byKind.set(kind, schema);
  }
  return schema;
}

/** The schema of one property of an object schema (resolved through `$ref`), or undefined. */
export function propertySchema(schema: Schema | undefined, field: string): Schema | undefined {
  return resolveSchema(schema)?.properties?.[field];
}

/** The schema of a map's values or an array's items, resolved. */
export function elementSchema(schema: Schema | undefined): Schema | undefined {
  const resolved = resolveSchema(schema);
  if (!resolved) return undefined;
  if (resolved.type === 'array') return resolveSchema(resolved.items);
  if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') return resolveSchema(resolved.additionalProperties);
  return undefined;
}

/** How a list field merges, read from its schema's extensions. Lists without them are atomic. */
export function listSemanticsOf(schema: Schema | undefined): ListSemantics {
  const semantics: ListSemantics = { listType: schema?.['x-kubernetes-list-type'] ?? 'atomic' };
  if (schema?.['x-kubernetes-list-map-keys']) semantics.listMapKeys = schema['x-kubernetes-list-map-keys'];
  if (schema?.['x-kubernetes-patch-strategy']) semantics.patchStrategy = schema['x-kubernetes-patch-strategy'];
  if (schema?.['x-kubernetes-patch-merge-key']) semantics.patchMergeKey = schema['x-kubernetes-patch-merge-key'];
  return semantics;
}

/** Whether a schema accepts any fields (maps, RawExtension, preserve-unknown-fields, unknown kinds). */
export function isOpenObject(schema: Schema | undefined): boolean {
  const resolved = resolveSchema(schema);
  if (!resolved) return true;
  if (resolved['x-kubernetes-preserve-unknown-fields']) return true;
  return resolved.type === 'object' && !resolved.properties;
}

/** The merge key of a list field for strategic merge patch: `mergeKeyOf('Pod', ['spec', 'containers', 'ports'])` → `containerPort`. */
export function mergeKeyOf(kind: string, path: string[], apiVersion?: string): string | undefined {
  let current: Schema | undefined = schemaFor(kind, apiVersion);
  let field: Schema | undefined;
  for (const segment of path) {
    const resolved = resolveSchema(current);
    field = propertySchema(resolved?.type === 'array' ? elementSchema(resolved) : resolved, segment);
    if (!field) return undefined;
    current = field;
  }
  return field?.['x-kubernetes-patch-merge-key'];
}

export { refName, resolveSchema };
